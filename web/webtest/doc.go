// Package webtest drives a real headless Chromium over the DevTools protocol for Spar's browser tests.
//
// It is a small client over gorilla/websocket, not a general DevTools library: launch a browser
// (optionally with a WAV file as its microphone), navigate its tab, evaluate JavaScript, poll a
// condition, and take a screenshot.
package webtest
