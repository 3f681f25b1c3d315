package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDockerfilePackages keeps the Dockerfile in step with the Makefile, which no test can
// build here: every Debian package of APT_PKGS is installed in one of its stages (sox, a
// tool for working on tests, excepted), the build uses the Makefile's TAGS, and the Go image
// is the go.mod version.
func TestDockerfilePackages(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile("../../" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	mk, df, mod := read("Makefile"), read("Dockerfile"), read("go.mod")
	m := regexp.MustCompile(`(?m)^APT_PKGS\s*:=((?:[^\n]*\\\n)*[^\n]*)`).FindStringSubmatch(mk)
	if m == nil {
		t.Fatal("no APT_PKGS in the Makefile")
	}
	pkgs := strings.Fields(strings.ReplaceAll(m[1], "\\", " "))
	if len(pkgs) < 5 {
		t.Fatalf("APT_PKGS read as %v", pkgs)
	}
	words := strings.Fields(strings.NewReplacer("\\", " ", "&&", " ").Replace(df))
	for _, p := range pkgs {
		if p != "sox" && !slices.Contains(words, p) {
			t.Errorf("the Makefile installs %s; the Dockerfile does not", p)
		}
	}
	tags := regexp.MustCompile(`(?m)^TAGS\s*\?=\s*(\S+)$`).FindStringSubmatch(mk)
	if tags == nil || !strings.Contains(tags[1], "pocketsphinx") {
		t.Fatalf("the Makefile's TAGS read as %v", tags)
	}
	if !strings.Contains(df, "-tags "+tags[1]+" ") {
		t.Errorf("the Dockerfile does not build with the Makefile's tags (-tags %s)", tags[1])
	}
	goVer := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(mod)
	if goVer == nil || !strings.Contains(df, "FROM golang:"+goVer[1]+"-") {
		t.Errorf("the Dockerfile's Go image is not go.mod's version %v", goVer)
	}
}
