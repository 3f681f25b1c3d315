package webtest

import (
	"fmt"
	"testing"
)

// key is one key as both drivers name it: DevTools' key, code and Windows key code, and
// the WebDriver code point.
type key struct {
	key, code string
	vk        int
	text      string // what the key types, if anything
	wd        string
}

// keys are the keys tests press by name; any other single character is typed as itself.
var keys = map[string]key{
	"Tab":        {"Tab", "Tab", 9, "", "\uE004"},
	"Enter":      {"Enter", "Enter", 13, "\r", "\uE007"},
	"Escape":     {"Escape", "Escape", 27, "", "\uE00C"},
	" ":          {" ", "Space", 32, " ", " "},
	"Home":       {"Home", "Home", 36, "", "\uE011"},
	"End":        {"End", "End", 35, "", "\uE010"},
	"ArrowLeft":  {"ArrowLeft", "ArrowLeft", 37, "", "\uE012"},
	"ArrowUp":    {"ArrowUp", "ArrowUp", 38, "", "\uE013"},
	"ArrowRight": {"ArrowRight", "ArrowRight", 39, "", "\uE014"},
	"ArrowDown":  {"ArrowDown", "ArrowDown", 40, "", "\uE015"},
}

func lookupKey(name string) (key, error) {
	if k, ok := keys[name]; ok {
		return k, nil
	}
	if r := []rune(name); len(r) == 1 {
		return key{key: name, text: name, wd: name}, nil
	}
	return key{}, fmt.Errorf("webtest: no key named %q", name)
}

// Press presses and releases each named key in turn ("Tab", "Enter", "ArrowRight", "a"),
// as the keyboard does: focus moves, buttons activate, forms submit.
func (p pageBase) Press(names ...string) {
	p.t.Helper()
	for _, n := range names {
		k, err := lookupKey(n)
		if err == nil {
			err = p.press(k)
		}
		if err != nil {
			p.t.Fatal(err)
		}
	}
}

// Type types text into the focused element, key by key.
func (p pageBase) Type(text string) {
	p.t.Helper()
	for _, r := range text {
		p.Press(string(r))
	}
}

// press is Chromium's: Input.dispatchKeyEvent down and up.
func (b *Browser) press(k key) error {
	down := map[string]any{"type": "keyDown", "key": k.key, "code": k.code, "windowsVirtualKeyCode": k.vk}
	if k.text != "" {
		down["text"] = k.text
	}
	if err := b.call("Input.dispatchKeyEvent", down, nil); err != nil {
		return err
	}
	return b.call("Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": k.key, "code": k.code, "windowsVirtualKeyCode": k.vk}, nil)
}

// press is Firefox's: a WebDriver BiDi key action, down and up.
func (f *Firefox) press(k key) error {
	actions := []map[string]any{{"type": "key", "id": "keyboard", "actions": []map[string]string{
		{"type": "keyDown", "value": k.wd}, {"type": "keyUp", "value": k.wd}}}}
	return f.c.call("input.performActions", map[string]any{"context": f.tab, "actions": actions}, nil)
}

// TabTo presses Tab until the JavaScript condition cond holds, at most n times, and reports
// each element on the way whose focus indicator is missing or too faint (focusRing).
func TabTo(t testing.TB, p Page, what, cond string, n int) {
	t.Helper()
	for range n {
		p.Press("Tab")
		var wrong string
		p.Eval(focusRing, &wrong)
		if wrong != "" {
			var el string
			p.Eval(`document.activeElement.outerHTML.slice(0, 120)`, &el)
			t.Errorf("%s on %s", wrong, el)
		}
		var ok bool
		p.Eval("!!("+cond+")", &ok)
		if ok {
			return
		}
	}
	t.Fatalf("%s not reached in %d presses of Tab", what, n)
}
