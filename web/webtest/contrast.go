package webtest

import "fmt"

// contrastLib defines, in the page, WCAG 2 contrast between an element's colours: lum is a
// colour's relative luminance, under the colour an element's background shows (the first
// opaque background up its ancestors, alpha blended; white at the top), ratio the contrast
// of two colours. A background image makes the colour unknown: under returns null.
const contrastLib = `
	const rgba = (c) => { const m = c.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; };
	const blend = (top, bottom) => ({ r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
		b: top.b * top.a + bottom.b * (1 - top.a), a: 1 });
	const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
		return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
	const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
	const under = (el) => {
		const layers = [];
		for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
			const s = getComputedStyle(e);
			if (s.backgroundImage !== 'none') return null;
			const c = rgba(s.backgroundColor);
			if (c.a > 0) layers.push(c);
			if (c.a >= 1) break;
		}
		return layers.reduceRight((bottom, top) => blend(top, bottom), { r: 255, g: 255, b: 255, a: 1 });
	};`

// LowContrast lists the visible text on the page whose contrast with the background under it
// is below WCAG 2's AA minimum: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
// Disabled controls are exempt, as WCAG exempts them; text over a background image is
// skipped (its colour is not known).
func LowContrast(p Page) []string {
	var low []string
	p.Eval(`(() => {`+contrastLib+`
		const low = [];
		for (const el of document.body.querySelectorAll('*')) {
			if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
			if (el.closest('[disabled], [aria-disabled=true], option, script, style, noscript')) continue;
			if (!el.getClientRects().length) continue;
			const s = getComputedStyle(el);
			if (s.visibility !== 'visible' || Number(s.opacity) === 0) continue;
			const bg = under(el);
			if (!bg) continue;
			const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
			const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
			const got = ratio(blend(rgba(s.color), bg), bg);
			if (got < need) low.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
				' "' + el.textContent.trim().slice(0, 40) + '" ' + got.toFixed(2) + ':1 (needs ' + need + ':1)');
		}
		return low; })()`, &low)
	return low
}

// focusRing checks the focused element's indicator: an outline of at least 1 px whose colour
// has 3:1 contrast with the background around it (WCAG 2.2's non-text contrast), or a box
// shadow (not measured). It returns "" when the indicator passes, else what is wrong.
// Media elements draw their own, inside the browser's controls. A page whose window does not
// hold the system focus shows no focus at all, and nothing is checked there (both drivers
// give their tab the focus: see foregroundTab).
var focusRing = fmt.Sprintf(`(() => {%s
	const el = document.activeElement;
	if (!document.hasFocus() || !el || el === document.body || el.matches('audio, video')) return '';
	const s = getComputedStyle(el);
	if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) {
		const around = under(parseFloat(s.outlineOffset) < 0 ? el : (el.parentElement || el));
		const got = around ? ratio(blend(rgba(s.outlineColor), around), around) : 3;
		return got >= 3 ? '' : 'a focus ring of ' + got.toFixed(2) + ':1 against the page (needs 3:1)';
	}
	return s.boxShadow !== 'none' ? '' : 'no focus indicator';
})()`, contrastLib)
