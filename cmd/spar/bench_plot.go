package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// writePlot draws overhead p99 (left axis, ms) and CPU per call-second for Spar and the floor
// (right axis, ms) against concurrent calls, as a standalone SVG.
func writePlot(w io.Writer, rows []benchRow) error {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b benchRow) int { return a.spar.n - b.spar.n })
	const (
		W, H                 = 720, 420
		left, right, top, bt = 70, 80, 40, 60
	)
	pw, ph := float64(W-left-right), float64(H-top-bt)
	var maxN, maxMs, maxCPU float64 = 1, 1, 0.01
	for _, r := range rows {
		maxN = math.Max(maxN, float64(r.spar.n))
		maxMs = math.Max(maxMs, ms(percentile(r.spar.overhead, 99)))
		maxCPU = math.Max(maxCPU, r.spar.perCallCPU())
		if r.floor != nil {
			maxCPU = math.Max(maxCPU, r.floor.perCallCPU())
		}
	}
	maxMs, maxCPU = niceCeil(maxMs), niceCeil(maxCPU)
	x := func(n int) float64 { return left + pw*float64(n)/maxN }
	yl := func(v float64) float64 { return top + ph*(1-v/maxMs) }
	yr := func(v float64) float64 { return top + ph*(1-v/maxCPU) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", W, H, W, H)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", W, H)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="14" font-weight="bold">spar bench: overhead and CPU per call against concurrent calls</text>`+"\n", left)
	// Axes and grid.
	fmt.Fprintf(&b, `<g stroke="#888"><line x1="%d" y1="%d" x2="%d" y2="%d"/><line x1="%d" y1="%d" x2="%d" y2="%d"/><line x1="%d" y1="%d" x2="%d" y2="%d"/></g>`+"\n",
		left, top, left, H-bt, left, H-bt, W-right, H-bt, W-right, top, W-right, H-bt)
	for i := 0; i <= 4; i++ {
		f := float64(i) / 4
		y := top + ph*(1-f)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>`, left, y, W-right, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="#c0392b">%s</text>`, left-6, y+4, trimFloat(maxMs*f))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" fill="#2c3e50">%s</text>`+"\n", W-right+6, y+4, trimFloat(maxCPU*f))
		n := int(maxN * f)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%d</text>`+"\n", x(n), H-bt+18, n)
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">concurrent calls</text>`+"\n", left+pw/2, H-bt+38)
	fmt.Fprintf(&b, `<text transform="translate(18 %.1f) rotate(-90)" text-anchor="middle" fill="#c0392b">Spar overhead p99 per turn (ms)</text>`+"\n", top+ph/2)
	fmt.Fprintf(&b, `<text transform="translate(%d %.1f) rotate(90)" text-anchor="middle" fill="#2c3e50">CPU per call (ms per call-second)</text>`+"\n", W-18, top+ph/2)

	series := func(color, dash string, pt func(r benchRow) (float64, bool)) {
		var pts []string
		for _, r := range rows {
			if y, ok := pt(r); ok {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(r.spar.n), y))
			}
		}
		if len(pts) == 0 {
			return
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" stroke-dasharray="%s" points="%s"/>`+"\n", color, dash, strings.Join(pts, " "))
		for _, p := range pts {
			xy := strings.Split(p, ",")
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`, xy[0], xy[1], color)
		}
		b.WriteString("\n")
	}
	series("#c0392b", "", func(r benchRow) (float64, bool) {
		return yl(ms(percentile(r.spar.overhead, 99))), len(r.spar.overhead) > 0
	})
	series("#2c3e50", "", func(r benchRow) (float64, bool) { return yr(r.spar.perCallCPU()), true })
	series("#7f8c8d", "6 4", func(r benchRow) (float64, bool) {
		if r.floor == nil {
			return 0, false
		}
		return yr(r.floor.perCallCPU()), true
	})
	legend := []struct{ color, dash, text string }{
		{"#c0392b", "", "Spar overhead p99 (left)"},
		{"#2c3e50", "", "Spar CPU per call (right)"},
		{"#7f8c8d", "6 4", "floor CPU per call (right)"},
	}
	for i, l := range legend {
		y := top + 12 + 18*i
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2" stroke-dasharray="%s"/><text x="%d" y="%d">%s</text>`+"\n",
			left+10, y, left+40, y, l.color, l.dash, left+46, y+4, l.text)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
