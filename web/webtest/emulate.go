package webtest

// Device is a screen for Chromium to emulate.
type Device struct {
	// Width and Height are the viewport in CSS pixels.
	Width, Height int
	// Scale is the device pixel ratio; screenshots are Width*Scale pixels wide.
	Scale float64
	// Mobile honours the page's viewport meta tag and shows overlay scrollbars, as a phone does.
	Mobile bool
	// Touch reports a touch screen to the page (maxTouchPoints, touch events).
	Touch bool
}

// Phone is a 390x844 touch phone (an iPhone 12 to 14 in CSS pixels), at 2x to keep
// screenshots small.
var Phone = Device{Width: 390, Height: 844, Scale: 2, Mobile: true, Touch: true}

// Emulate makes the tab behave as d until the test ends. Call it before Navigate.
func (b *Browser) Emulate(d Device) {
	b.t.Helper()
	metrics := map[string]any{"width": d.Width, "height": d.Height, "deviceScaleFactor": d.Scale, "mobile": d.Mobile}
	if err := b.call("Emulation.setDeviceMetricsOverride", metrics, nil); err != nil {
		b.t.Fatal(err)
	}
	touch := map[string]any{"enabled": d.Touch}
	if d.Touch {
		touch["maxTouchPoints"] = 5
	}
	if err := b.call("Emulation.setTouchEmulationEnabled", touch, nil); err != nil {
		b.t.Fatal(err)
	}
}
