package console

import (
	"fmt"
	"strconv"
	"strings"
)

// The charts are inline SVG drawn by the page templates from these shapes (markup, not
// script or style attributes, so the strict CSP holds). Coordinates are in the SVG's
// viewBox units; each mark keeps the number it shows in Value, for titles and tests.

// chart is one SVG chart: its size, plot area, axis ticks and marks.
type chart struct {
	W, H      int
	Left, Top float64 // plot area origin
	PlotW     float64
	PlotH     float64
	Line      string // polyline points, "x,y x,y ..."; empty for bar charts
	Dots      []mark
	Bars      []mark
	YTicks    []tick
	XTicks    []tick
	Threshold *tick // a dashed reference line (the pass mark), nil for none
	Empty     bool  // nothing to draw
	AriaLabel string
}

// mark is one point or bar; X, Y, W, H in viewBox units.
type mark struct {
	X, Y, W, H float64
	Value      int
	Label      string // the bar's category, or the point's rep
	Title      string // the tooltip
	Href       string // where clicking goes, or ""
	Fail       bool
}

// tick is an axis label at Pos (y for the value axis, x for the category axis).
type tick struct {
	Pos   float64
	Label string
}

const (
	padLeft, padRight, padTop, padBottom = 36.0, 12.0, 10.0, 24.0
)

// scoreLine plots scores (0..100) against rep numbers 1..reps.
func scoreLine(points []repPoint, reps, w, h int, passMark int, label string) chart {
	c := chart{W: w, H: h, Left: padLeft, Top: padTop, PlotW: float64(w) - padLeft - padRight,
		PlotH: float64(h) - padTop - padBottom, AriaLabel: label, Empty: len(points) == 0}
	for _, v := range []int{0, 50, 100} {
		c.YTicks = append(c.YTicks, tick{Pos: c.y(v, 100), Label: strconv.Itoa(v)})
	}
	if passMark > 0 {
		c.Threshold = &tick{Pos: c.y(passMark, 100), Label: fmt.Sprintf("pass %d", passMark)}
	}
	x := func(rep int) float64 {
		if reps <= 1 {
			return c.Left + c.PlotW/2
		}
		return c.Left + c.PlotW*float64(rep-1)/float64(reps-1)
	}
	var line strings.Builder
	for i, p := range points {
		m := mark{X: x(p.Rep), Y: c.y(p.Score, 100), Value: p.Score, Label: strconv.Itoa(p.Rep),
			Title: fmt.Sprintf("rep %d: %d", p.Rep, p.Score), Fail: !p.Pass, Href: "/console/calls/" + p.CallID}
		c.Dots = append(c.Dots, m)
		if i > 0 {
			line.WriteByte(' ')
		}
		fmt.Fprintf(&line, "%.1f,%.1f", m.X, m.Y)
	}
	c.Line = line.String()
	for _, rep := range repTicks(reps) {
		c.XTicks = append(c.XTicks, tick{Pos: x(rep), Label: strconv.Itoa(rep)})
	}
	return c
}

// repTicks picks at most six rep numbers to label, always the first and the last.
func repTicks(reps int) []int {
	if reps < 1 {
		return nil
	}
	step := max(1, (reps+4)/5)
	var out []int
	for r := 1; r < reps; r += step {
		out = append(out, r)
	}
	return append(out, reps)
}

// bars draws one vertical bar per value, scaled to the largest (or to top when top > 0).
func bars(labels []string, values []int, titles []string, top, w, h int, label string) chart {
	c := chart{W: w, H: h, Left: padLeft, Top: padTop, PlotW: float64(w) - padLeft - padRight,
		PlotH: float64(h) - padTop - padBottom, AriaLabel: label, Empty: len(values) == 0}
	if top <= 0 {
		top = 1
		for _, v := range values {
			top = max(top, v)
		}
	}
	c.YTicks = []tick{{Pos: c.y(0, top), Label: "0"}, {Pos: c.y(top, top), Label: strconv.Itoa(top)}}
	slot := c.PlotW / float64(max(1, len(values)))
	every := max(1, (len(values)+7)/8) // label at most eight bars
	for i, v := range values {
		y := c.y(v, top)
		b := mark{X: c.Left + slot*float64(i) + slot*0.15, Y: y, W: slot * 0.7, H: c.Top + c.PlotH - y,
			Value: v, Label: labels[i], Title: titles[i]}
		c.Bars = append(c.Bars, b)
		if i%every == 0 {
			c.XTicks = append(c.XTicks, tick{Pos: b.X + b.W/2, Label: labels[i]})
		}
	}
	return c
}

// y maps v in 0..top to the plot's vertical axis (top at the top).
func (c chart) y(v, top int) float64 {
	return c.Top + c.PlotH*(1-float64(v)/float64(top))
}

// hbar is one row of a horizontal bar list: a category, its value and the bar's length in
// percent of the longest (0..100), drawn as SVG so no style attribute is needed.
type hbar struct {
	Label string
	Value int
	Text  string // what is printed after the bar
	Len   float64
	Href  string
	Warn  bool
}

// hbars scales values to 0..100 of top (or of the largest when top <= 0).
func hbars(items []hbar, top int) []hbar {
	if top <= 0 {
		top = 1
		for _, it := range items {
			top = max(top, it.Value)
		}
	}
	for i := range items {
		items[i].Len = 100 * float64(items[i].Value) / float64(top)
	}
	return items
}
