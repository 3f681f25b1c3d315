package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsStayInTheRepository: the README and docs/*.md link only to files the repository
// has, and every file:line their prose cites exists: a user who clones Spar has nothing else.
func TestDocsStayInTheRepository(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs: %v", err)
	}
	docs = append(docs, filepath.Join(root, "README.md"))
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	cite := regexp.MustCompile(`([\w./-]+\.(?:go|md|yaml|js|html|css)):\d+`)
	fence := regexp.MustCompile("(?s)```.*?```")
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(root, doc)
		check := func(ref, path string) {
			rel, err := filepath.Rel(root, path)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				t.Errorf("%s points outside the repository: %s", name, ref)
				return
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s points at %s, which the repository does not have", name, ref)
			}
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target, _, _ := strings.Cut(m[1], "#")
			if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			check(m[1], filepath.Join(filepath.Dir(doc), target))
		}
		// Program output in fenced blocks quotes the files of its example, not of the repository.
		prose := fence.ReplaceAllString(string(b), "")
		for _, m := range cite.FindAllStringSubmatch(prose, -1) {
			// A citation is relative to the repository's root, or to the doc.
			if _, err := os.Stat(filepath.Join(root, m[1])); err == nil {
				continue
			}
			check(m[0], filepath.Join(filepath.Dir(doc), m[1]))
		}
	}
}
