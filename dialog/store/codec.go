package store

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog"
)

// Stream field names of one timeline entry. Scoring and the console read them: keep them
// stable. Zero values are left out, except kind and at_ms.
const (
	fieldKind    = "kind"
	fieldAt      = "at_ms" // media time since answer, milliseconds (fractional when needed)
	fieldSpeaker = "speaker"
	fieldText    = "text"
	fieldDur     = "dur_ms" // milliseconds (fractional when needed)
	fieldMood    = "mood"
	fieldStage   = "stage"
	fieldDetail  = "detail"
	dataPrefix   = "d." // one field per Event.Data entry
)

// EncodeEvent returns the stream fields of one timeline entry.
func EncodeEvent(e dialog.Event) map[string]any {
	m := make(map[string]any, 8+len(e.Data))
	appendEvent(e, func(k, v string) { m[k] = v })
	return m
}

// eventArgs is EncodeEvent as the flat field/value list XADD takes, in a fixed order.
func eventArgs(e dialog.Event) []any {
	args := make([]any, 0, 2*(4+len(e.Data)))
	appendEvent(e, func(k, v string) { args = append(args, k, v) })
	return args
}

func appendEvent(e dialog.Event, add func(k, v string)) {
	add(fieldKind, string(e.Kind))
	add(fieldAt, formatMS(e.At))
	if e.Speaker != "" {
		add(fieldSpeaker, e.Speaker)
	}
	if e.Text != "" {
		add(fieldText, e.Text)
	}
	if e.Dur != 0 {
		add(fieldDur, formatMS(e.Dur))
	}
	if e.Mood != 0 {
		add(fieldMood, strconv.Itoa(e.Mood))
	}
	if e.Stage != "" {
		add(fieldStage, e.Stage)
	}
	if e.Detail != "" {
		add(fieldDetail, e.Detail)
	}
	for k, v := range e.Data {
		add(dataPrefix+k, v)
	}
}

// DecodeEvent rebuilds an event from its stream fields. Unknown fields are ignored so that
// older readers survive newer writers.
func DecodeEvent(fields map[string]any) (dialog.Event, error) {
	var e dialog.Event
	kind, ok := fields[fieldKind]
	if !ok {
		return e, fmt.Errorf("store: decode event: no %q field", fieldKind)
	}
	for k, raw := range fields {
		v, ok := raw.(string)
		if !ok {
			return dialog.Event{}, fmt.Errorf("store: decode event: field %q is %T, not a string", k, raw)
		}
		var err error
		switch k {
		case fieldKind:
			e.Kind = dialog.EventKind(v)
		case fieldAt:
			e.At, err = parseMS(v)
		case fieldSpeaker:
			e.Speaker = v
		case fieldText:
			e.Text = v
		case fieldDur:
			e.Dur, err = parseMS(v)
		case fieldMood:
			e.Mood, err = strconv.Atoi(v)
		case fieldStage:
			e.Stage = v
		case fieldDetail:
			e.Detail = v
		default:
			if name, ok := strings.CutPrefix(k, dataPrefix); ok {
				if e.Data == nil {
					e.Data = make(map[string]string)
				}
				e.Data[name] = v
			}
		}
		if err != nil {
			return dialog.Event{}, fmt.Errorf("store: decode event %v: field %q: %w", kind, k, err)
		}
	}
	return e, nil
}

// formatMS writes whole milliseconds as an integer and anything finer as a decimal fraction,
// so that the common case stays short and nanoseconds still round-trip.
func formatMS(d time.Duration) string {
	if d%time.Millisecond == 0 {
		return strconv.FormatInt(int64(d/time.Millisecond), 10)
	}
	ms, ns := int64(d/time.Millisecond), int64(d%time.Millisecond)
	sign := ""
	if d < 0 {
		sign, ms, ns = "-", -ms, -ns
	}
	frac := strings.TrimRight(fmt.Sprintf("%06d", ns), "0")
	return sign + strconv.FormatInt(ms, 10) + "." + frac
}

func parseMS(s string) (time.Duration, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	ms, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, err
	}
	neg := strings.HasPrefix(whole, "-")
	if ms > math.MaxInt64/int64(time.Millisecond) || ms < math.MinInt64/int64(time.Millisecond) {
		return 0, fmt.Errorf("%s ms out of range", s)
	}
	d := time.Duration(ms) * time.Millisecond
	if !hasFrac {
		return d, nil
	}
	if frac == "" || len(frac) > 6 || strings.Trim(frac, "0123456789") != "" {
		return 0, fmt.Errorf("bad fraction in %q", s)
	}
	ns, _ := strconv.Atoi(frac + strings.Repeat("0", 6-len(frac)))
	if neg {
		return d - time.Duration(ns), nil
	}
	return d + time.Duration(ns), nil
}
