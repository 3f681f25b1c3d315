package webtest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// pageLog keeps the page's console messages and uncaught errors (BiDi log.entryAdded events),
// to show when a test fails.
type pageLog struct{ lines []string }

// add records one log.entryAdded event; other events are ignored. Events are read inside
// commands, on the test's goroutine, so it needs no lock.
func (l *pageLog) add(method string, params json.RawMessage) {
	if method != "log.entryAdded" {
		return
	}
	var e struct {
		Level string `json:"level"`
		Text  string `json:"text"`
	}
	if json.Unmarshal(params, &e) == nil {
		l.lines = append(l.lines, fmt.Sprintf("%s: %s", e.Level, e.Text))
	}
}

func (l *pageLog) String() string { return strings.Join(l.lines, "\n") }
