package webtest

import "time"

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
}

var (
	_ Page = (*Browser)(nil)
	_ Page = (*Firefox)(nil)
)
