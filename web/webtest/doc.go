// Package webtest drives real headless browsers for Spar's browser tests: Chromium over the
// DevTools protocol (Launch) and Firefox over WebDriver BiDi (LaunchFirefox).
//
// It is a small client over gorilla/websocket, not a general automation library. Both
// browsers offer the same Page: navigate, evaluate JavaScript, poll a condition, take a
// screenshot; either can take a WAV file as its microphone. Chromium can also emulate a
// phone's screen (Emulate) and choose files on a file input as the file chooser does
// (SetFiles). A missing browser fails the test with the command that installs it.
package webtest
