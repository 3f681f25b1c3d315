package webtest

import (
	"encoding/base64"
	"testing"
	"time"
)

// Page is one browser tab as Spar's browser tests drive it, in Chromium (Browser) or
// Firefox (Firefox), so that one test body can run on either. Each method fails the test on
// error.
type Page interface {
	// Navigate loads url and waits for its load event.
	Navigate(url string)
	// Eval evaluates a JavaScript expression, awaiting a promise, and decodes its
	// JSON-serialisable value into out (which may be nil).
	Eval(expr string, out any)
	// WaitFor polls the JavaScript condition cond until it is truthy, failing the test after within.
	WaitFor(what, cond string, within time.Duration)
	// Screenshot returns a PNG of the tab's viewport.
	Screenshot() []byte
	// Press presses and releases each named key in turn, as the keyboard does.
	Press(keys ...string)
	// Type types text into the focused element, key by key.
	Type(text string)
	// SetFiles chooses files on the file input selector finds, as the file chooser does.
	SetFiles(selector string, paths ...string)
}

var (
	_ Page = (*Browser)(nil)
	_ Page = (*Firefox)(nil)
)

// pageBase is the part of a Page that both drivers share, over the driver's own commands.
type pageBase struct {
	t testing.TB
	// evaluate runs a JavaScript expression and decodes its value into out (which may be nil).
	evaluate func(expr string, out any) error
	// capture returns the viewport as a base64 PNG.
	capture func() (string, error)
	// press presses and releases one key.
	press func(key) error
}

// Eval evaluates a JavaScript expression, awaiting a promise, and decodes its value into out
// (which may be nil). The value must be JSON-serialisable (in Firefox it crosses as JSON). A
// thrown exception fails the test.
func (p pageBase) Eval(expr string, out any) {
	p.t.Helper()
	if err := p.evaluate(expr, out); err != nil {
		p.t.Fatal(err)
	}
}

// WaitFor polls the JavaScript condition cond until it is truthy, failing the test after
// within. A condition that throws, or meets the page mid-navigation, counts as not yet true.
func (p pageBase) WaitFor(what, cond string, within time.Duration) {
	p.t.Helper()
	var last error
	ok := poll(within, func() bool {
		var ok bool
		last = p.evaluate("!!("+cond+")", &ok)
		return last == nil && ok
	})
	if !ok {
		p.t.Fatalf("timed out after %v waiting for %s (last error: %v)", within, what, last)
	}
}

// Screenshot returns a PNG of the tab's viewport.
func (p pageBase) Screenshot() []byte {
	p.t.Helper()
	data, err := p.capture()
	if err != nil {
		p.t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		p.t.Fatalf("decode screenshot: %v", err)
	}
	return png
}
