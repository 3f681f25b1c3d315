package webtest

import (
	"encoding/json"
	"path/filepath"
)

// SetFiles chooses files on the file input that selector finds, as a user does in the file
// chooser: the input's input and change events fire, and the page reads the files from disk.
// Relative paths are from the test's directory.
func (b *Browser) SetFiles(selector string, paths ...string) {
	b.t.Helper()
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
	files := make([]string, len(paths))
	for i, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			b.t.Fatal(err)
		}
		files[i] = abs
	}
	if err := b.call("DOM.setFileInputFiles", map[string]any{"files": files, "objectId": res.Result.ObjectID}, nil); err != nil {
		b.t.Fatalf("set files on %s: %v", selector, err)
	}
}
