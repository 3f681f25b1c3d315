package webtest

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// SetFiles chooses files on the file input that selector finds, as a user does in the file
// chooser: the input's input and change events fire, and the page reads the files from disk.
// Relative paths are from the test's directory.
func (b *Browser) SetFiles(selector string, paths ...string) {
	b.t.Helper()
	files := absPaths(b.t, paths)
	sel, _ := json.Marshal(selector)
	var res struct {
		Result struct {
			ObjectID string `json:"objectId"`
		} `json:"result"`
	}
	if err := b.call("Runtime.evaluate", map[string]any{"expression": "document.querySelector(" + string(sel) + ")"}, &res); err != nil {
		b.t.Fatal(err)
	}
	if res.Result.ObjectID == "" {
		b.t.Fatalf("set files: no element %s", selector)
	}
	if err := b.call("DOM.setFileInputFiles", map[string]any{"files": files, "objectId": res.Result.ObjectID}, nil); err != nil {
		b.t.Fatalf("set files on %s: %v", selector, err)
	}
}

// SetFiles chooses files on the file input that selector finds (WebDriver BiDi's
// input.setFiles), as Browser.SetFiles does in Chromium.
func (f *Firefox) SetFiles(selector string, paths ...string) {
	f.t.Helper()
	files := absPaths(f.t, paths)
	sel, _ := json.Marshal(selector)
	params := map[string]any{"expression": "document.querySelector(" + string(sel) + ")",
		"target": map[string]string{"context": f.tab}, "awaitPromise": false, "resultOwnership": "root"}
	var res struct {
		Result struct {
			Type     string `json:"type"`
			SharedID string `json:"sharedId"`
		} `json:"result"`
	}
	if err := f.c.call("script.evaluate", params, &res); err != nil {
		f.t.Fatal(err)
	}
	if res.Result.Type != "node" || res.Result.SharedID == "" {
		f.t.Fatalf("set files: no element %s", selector)
	}
	err := f.c.call("input.setFiles", map[string]any{"context": f.tab,
		"element": map[string]string{"sharedId": res.Result.SharedID}, "files": files}, nil)
	if err != nil {
		f.t.Fatalf("set files on %s: %v", selector, err)
	}
}

// absPaths makes paths absolute: the browser reads them, not the test.
func absPaths(t testing.TB, paths []string) []string {
	t.Helper()
	files := make([]string, len(paths))
	for i, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		files[i] = abs
	}
	return files
}
