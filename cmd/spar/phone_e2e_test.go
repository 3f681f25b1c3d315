package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/sparlab/spar/web/webtest"
)

// phoneLayout measures the page: its scrollable width against the viewport, and the box of
// the first element matching the selector given.
const phoneLayout = `((sel) => { const e = document.querySelector(sel); const r = e && e.getBoundingClientRect();
	return {scroll: document.documentElement.scrollWidth, w: innerWidth, h: innerHeight,
		box: r && {left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height}} })(%q)`

// minTouch is the smallest comfortable touch target, in CSS pixels (Apple's guideline).
const minTouch = 44

// checkPhoneView fails the test when the view scrolls sideways, or when the button matching
// sel is not wholly on screen or is shorter than minTouch.
func checkPhoneView(t *testing.T, page webtest.Page, view, sel string) {
	t.Helper()
	var got struct {
		Scroll, W, H float64
		Box          *struct{ Left, Right, Top, Bottom, Height float64 }
	}
	page.Eval(fmt.Sprintf(phoneLayout, sel), &got)
	// A page wider than the phone makes Chromium zoom out: innerWidth grows with it.
	if got.W > float64(webtest.Phone.Width) {
		t.Errorf("%s: the viewport is %.0f px wide, not the phone's %d", view, got.W, webtest.Phone.Width)
	}
	if got.Scroll > got.W {
		t.Errorf("%s: the page is %.0f px wide on a %.0f px screen", view, got.Scroll, got.W)
	}
	switch b := got.Box; {
	case b == nil:
		t.Errorf("%s: no %s", view, sel)
	case b.Left < 0 || b.Right > got.W || b.Top < 0 || b.Bottom > got.H:
		t.Errorf("%s: %s at x %.0f-%.0f, y %.0f-%.0f is not on the %.0fx%.0f screen", view, sel, b.Left, b.Right, b.Top, b.Bottom, got.W, got.H)
	case b.Height < minTouch:
		t.Errorf("%s: %s is %.1f px tall, want at least %d", view, sel, b.Height, minTouch)
	}
}

// checkHeaderMargin fails the test when the header's logo or name field touches the edge of
// the screen: the header keeps the page's side margin.
func checkHeaderMargin(t *testing.T, page webtest.Page) {
	t.Helper()
	var m struct{ Left, Right float64 }
	page.Eval(`({left: document.querySelector('.logo').getBoundingClientRect().left,
		right: innerWidth - document.getElementById('learner-name').getBoundingClientRect().right})`, &m)
	if m.Left < 8 || m.Right < 8 {
		t.Errorf("the header's logo is %.0f px from the left edge and its name field %.0f px from the right; want at least 8", m.Left, m.Right)
	}
}

// TestLearnerPagePhone runs a call on the learner page on a 390x844 phone, in Chromium
// (emulating a touch phone) and in Firefox (a window that size): no view scrolls sideways,
// the header keeps its side margins,
// the Start call, Hang up and Practise again buttons are on screen and big enough to tap,
// and each view's screenshot (Chromium's) goes to docs/screenshots.
func TestLearnerPagePhone(t *testing.T) {
	_, srv := learnerServer(t)
	mic := learnerWAV(t)
	t.Run("chromium", func(t *testing.T) {
		page := webtest.Launch(t, webtest.Options{FakeMic: mic})
		page.Emulate(webtest.Phone)
		phoneCall(t, page, srv.base, func(name string) { saveScreenshot(t, page, name) })
	})
	t.Run("firefox", func(t *testing.T) {
		page := webtest.LaunchFirefox(t, webtest.Options{FakeMic: mic, Width: webtest.Phone.Width, Height: webtest.Phone.Height})
		phoneCall(t, page, srv.base, func(string) {})
	})
}

// phoneCall places one call from the picker to the summary, checking each view fits, and
// passes each view's screenshot name to shoot.
func phoneCall(t *testing.T, page webtest.Page, base string, shoot func(name string)) {
	openPicker(page, base)
	checkPhoneView(t, page, "picker", `[data-scenario] .btn`)
	checkHeaderMargin(t, page)
	shoot("learner-phone-pick.png")

	startLearnerCall(t, page, "Phone Tester")
	page.WaitFor("a learner line and a persona line", learnerLines+` >= 1 && document.querySelectorAll('#transcript .persona').length > 0`, 30*time.Second)
	checkPhoneView(t, page, "call", `#hangup`)
	shoot("learner-phone-call.png")

	hangUp(page)
	checkPhoneView(t, page, "summary", `#again`)
	shoot("learner-phone-summary.png")
}
