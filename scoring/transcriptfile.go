package scoring

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
)

// A transcript file is a call written down by hand or exported from elsewhere, scored with
// `spar score --transcript FILE` (docs/SCORING.md, "Scoring a transcript file"). It comes
// from outside, so ReadTranscript bounds its size and reports every problem with the line
// it is on.

// Transcript file formats (ReadTranscriptFormat).
const (
	TranscriptJSON = "json"
	TranscriptText = "text"
)

// MaxTranscriptBytes bounds a transcript file: two hours of talk is about 150 kB of text.
const MaxTranscriptBytes = 4 << 20

// maxTranscriptTime bounds a timestamp: no call lasts a day.
const maxTranscriptTime = 24 * time.Hour

// Timing of a line whose file gives no time: people speak about 2.7 words a second, and a
// turn starts about 0.6 s after the last one ended.
const (
	estWordsPerSecond = 2.7
	estGap            = 600 * time.Millisecond
)

// Interruptions read from the file's times: a line that starts at least overlapMin before
// the other side's line ended cut it off, unless it is a backchannel of at most
// backchannelWords words ("mm-hm", "yeah okay"), which the engine does not count either.
const (
	overlapMin       = 500 * time.Millisecond
	backchannelWords = 2
)

// FlagEstimatedTimes marks a card scored from a transcript file that lacked some times: the
// time-based metrics (talk ratio, pace, monologue, latency, dead air) are then estimates.
const FlagEstimatedTimes = "estimated_times"

// EstimatedTimesNote is FlagEstimatedTimes's plain sentence.
const EstimatedTimesNote = "Some lines of the transcript had no times, so they were estimated (about 2.7 words a second, 0.6 s between turns): the timing measures (talk ratio, pace, response times, silences) are estimates."

// ErrTranscript wraps every problem found in a transcript file.
var ErrTranscript = errors.New("transcript")

// TranscriptError is a problem in a transcript file, at Line (1-based; 0 when the problem is
// the whole file). It wraps ErrTranscript.
type TranscriptError struct {
	Line int
	Msg  string
}

func (e *TranscriptError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Unwrap makes errors.Is(err, ErrTranscript) hold.
func (e *TranscriptError) Unwrap() error { return ErrTranscript }

func transcriptErr(line int, format string, args ...any) error {
	return &TranscriptError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// TranscriptFile is a transcript read from a file: the lines of the call in order, with
// times (estimated where the file gave none) and what else the file says of the call.
type TranscriptFile struct {
	// Format is TranscriptJSON or TranscriptText.
	Format string
	// Scenario is the JSON file's "scenario" ("" when absent, and always for text).
	Scenario string
	Lines    []dialog.Utterance
	// Estimated is set when some start or end time was not in the file.
	Estimated bool
	// Goal and EndReason are the JSON file's "goal" and "end_reason".
	Goal      bool
	EndReason string
	// Events are the JSON file's "events" (mood, stage, barge_in, silence), in file order.
	Events []dialog.Event
}

// fileSpeakers maps the speaker names a file may use to Spar's two speakers. "caller" is the
// persona: in the support scenarios the customer calls in.
var fileSpeakers = map[string]string{
	"learner": dialog.SpeakerLearner, "agent": dialog.SpeakerLearner, "rep": dialog.SpeakerLearner,
	"representative": dialog.SpeakerLearner, "trainee": dialog.SpeakerLearner, "you": dialog.SpeakerLearner,
	"persona": dialog.SpeakerPersona, "customer": dialog.SpeakerPersona, "caller": dialog.SpeakerPersona,
	"prospect": dialog.SpeakerPersona, "client": dialog.SpeakerPersona, "patient": dialog.SpeakerPersona,
}

// speakerHelp is what the errors about fileSpeakers suggest.
const speakerHelp = "start the line with Learner: or Persona: (or Agent:, Rep:, Customer:, Caller:, Prospect:)"

// ReadTranscript reads a transcript file, JSON or plain text, telling them apart by the
// first character: a JSON file starts with { or with [ followed by { or ] (a text line may
// start with a [00:12] timestamp).
func ReadTranscript(r io.Reader) (*TranscriptFile, error) {
	return ReadTranscriptFormat(r, "")
}

// ReadTranscriptFormat reads a transcript file in format (TranscriptJSON, TranscriptText, or
// "" to detect it). At most MaxTranscriptBytes are read; a bigger file is an error.
func ReadTranscriptFormat(r io.Reader, format string) (*TranscriptFile, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTranscriptBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrTranscript, err)
	}
	if len(data) > MaxTranscriptBytes {
		return nil, transcriptErr(0, "the file is larger than %d MB: split it or trim it", MaxTranscriptBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if format == "" {
		format = detectFormat(data)
	}
	var t *TranscriptFile
	switch format {
	case TranscriptJSON:
		t, err = readJSON(data)
	case TranscriptText:
		t, err = readText(data)
	default:
		return nil, fmt.Errorf("%w: format %q: want json or text", ErrTranscript, format)
	}
	if err != nil {
		return nil, err
	}
	for _, u := range t.Lines {
		if u.Speaker == dialog.SpeakerLearner {
			return t, nil
		}
	}
	if len(t.Lines) == 0 {
		return nil, transcriptErr(0, "no lines: the file holds no Learner: or Persona: lines")
	}
	return nil, transcriptErr(0, "no learner lines: only the persona speaks, so there is nothing to score (the learner's lines start with Learner:)")
}

func detectFormat(data []byte) string {
	s := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(s) > 0 && s[0] == '{':
		return TranscriptJSON
	case len(s) > 0 && s[0] == '[':
		rest := bytes.TrimLeft(s[1:], " \t\r\n")
		if len(rest) == 0 || rest[0] == '{' || rest[0] == ']' {
			return TranscriptJSON
		}
	}
	return TranscriptText
}

// fileLine is a line as the file gave it, before missing times are estimated.
type fileLine struct {
	line             int // in the file
	u                dialog.Utterance
	hasStart, hasEnd bool
}

// finishTranscript drops empty lines, checks the times the file gave and estimates the others.
func finishTranscript(t *TranscriptFile, raw []fileLine) (*TranscriptFile, error) {
	raw = slices.DeleteFunc(raw, func(l fileLine) bool { return strings.TrimSpace(l.u.Text) == "" })
	var prev *fileLine
	for i := range raw {
		l := &raw[i]
		if l.hasStart && l.hasEnd && l.u.End < l.u.Start {
			return nil, transcriptErr(l.line, "ends at %s, before it starts at %s", fmtSeconds(l.u.End), fmtSeconds(l.u.Start))
		}
		if l.hasStart && prev != nil && l.u.Start < prev.u.Start {
			return nil, transcriptErr(l.line, "starts at %s, before the line above it (%s): times must not go backwards", fmtSeconds(l.u.Start), fmtSeconds(prev.u.Start))
		}
		if l.hasStart {
			prev = l
		}
	}
	cursor := estGap // where the next line without a start begins
	for i := range raw {
		l := &raw[i]
		dur := time.Duration(float64(max(1, len(strings.Fields(l.u.Text)))) / estWordsPerSecond * float64(time.Second)).Round(time.Millisecond)
		switch {
		case !l.hasStart && l.hasEnd:
			l.u.Start = max(0, l.u.End-dur)
		case !l.hasStart:
			l.u.Start = cursor
		}
		if !l.hasEnd {
			l.u.End = l.u.Start + dur
			if i+1 < len(raw) && raw[i+1].hasStart && raw[i+1].u.Start > l.u.Start {
				l.u.End = min(l.u.End, raw[i+1].u.Start)
			}
		}
		t.Estimated = t.Estimated || !l.hasStart || !l.hasEnd
		cursor = l.u.End + estGap
		t.Lines = append(t.Lines, l.u)
	}
	return t, nil
}

// parseSeconds checks a time in seconds from a JSON file.
func parseSeconds(line int, name string, f float64) (time.Duration, error) {
	if math.IsNaN(f) || f < 0 || f > maxTranscriptTime.Seconds() {
		return 0, transcriptErr(line, "%s %v: want seconds from the start of the call, 0 to %d", name, f, int(maxTranscriptTime.Seconds()))
	}
	return time.Duration(f * float64(time.Second)).Round(time.Millisecond), nil
}

func fmtSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

// speakerOf maps a speaker name to learner or persona ("" if unknown).
func speakerOf(name string) string {
	return fileSpeakers[strings.ToLower(strings.TrimSpace(name))]
}

// JSON format.

// jsonLine is one line of a JSON transcript.
type jsonLine struct {
	Speaker    string   `json:"speaker"`
	Text       string   `json:"text"`
	Start      *float64 `json:"start"`
	End        *float64 `json:"end"`
	Confidence *float64 `json:"confidence"`
	// Truncated marks a line cut off by the other side.
	Truncated bool `json:"truncated"`
}

// jsonEvent is one entry of a JSON transcript's "events".
type jsonEvent struct {
	At      float64 `json:"at"`
	Kind    string  `json:"kind"`
	Speaker string  `json:"speaker"` // barge_in: who cut in
	Mood    *int    `json:"mood"`
	Stage   string  `json:"stage"`
}

// readJSON reads {"scenario": ..., "lines": [...], "goal", "end_reason", "events"} or a bare
// array of lines. The file must be valid JSON; unknown fields are errors (a misspelt "start"
// would otherwise be estimated without a word).
func readJSON(data []byte) (*TranscriptFile, error) {
	var syntax any
	if err := json.Unmarshal(data, &syntax); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, transcriptErr(lineAt(data, se.Offset), "not valid JSON: %s", strings.TrimPrefix(se.Error(), "json: "))
		}
		return nil, transcriptErr(0, "not valid JSON: %v", err)
	}
	t := &TranscriptFile{Format: TranscriptJSON}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var raw []fileLine
	var err error
	if _, ok := syntax.([]any); ok {
		raw, err = jsonLines(dec, data)
		if err != nil {
			return nil, err
		}
		return finishTranscript(t, raw)
	}
	if _, ok := syntax.(map[string]any); !ok {
		return nil, transcriptErr(lineAt(data, 0), "want an object with \"lines\" or an array of lines")
	}
	dec.Token() // {
	seenLines := false
	for dec.More() {
		keyAt := dec.InputOffset()
		tok, _ := dec.Token()
		key, _ := tok.(string)
		line := lineAt(data, skipJSONSpace(data, keyAt))
		switch key {
		case "lines":
			raw, err = jsonLines(dec, data)
			seenLines = true
		case "scenario":
			err = decodeField(dec, line, key, &t.Scenario)
		case "goal":
			err = decodeField(dec, line, key, &t.Goal)
		case "end_reason":
			err = decodeField(dec, line, key, &t.EndReason)
		case "events":
			err = jsonEvents(dec, data, t)
		default:
			return nil, transcriptErr(line, "unknown field %q: want scenario, lines, goal, end_reason or events", key)
		}
		if err != nil {
			return nil, err
		}
	}
	if !seenLines {
		return nil, transcriptErr(0, "no \"lines\": want {\"lines\": [{\"speaker\": \"learner\", \"text\": \"...\"}, ...]}")
	}
	return finishTranscript(t, raw)
}

func decodeField(dec *json.Decoder, line int, key string, v any) error {
	if err := dec.Decode(v); err != nil {
		return transcriptErr(line, "%s: %s", key, jsonMsg(err))
	}
	return nil
}

// jsonMsg says what was wrong with a value in plain words.
func jsonMsg(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := map[reflect.Kind]string{reflect.Float64: "a number", reflect.Int: "a whole number",
			reflect.String: "a string", reflect.Bool: "true or false", reflect.Struct: "an object"}[te.Type.Kind()]
		want = cmp.Or(want, te.Type.String())
		if te.Field != "" {
			return fmt.Sprintf("%s: want %s, not %s", te.Field, want, te.Value)
		}
		return fmt.Sprintf("want %s, not %s", want, te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonElements walks the array dec is at, calling each with the element's line in data.
func jsonElements(dec *json.Decoder, data []byte, name string, each func(line int) error) error {
	at := dec.InputOffset()
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '[' {
		return transcriptErr(lineAt(data, skipJSONSpace(data, at)), "%s: want an array", name)
	}
	for dec.More() {
		if err := each(lineAt(data, skipJSONSpace(data, dec.InputOffset()))); err != nil {
			return err
		}
	}
	dec.Token() // ]
	return nil
}

func jsonLines(dec *json.Decoder, data []byte) ([]fileLine, error) {
	var out []fileLine
	n := 0
	err := jsonElements(dec, data, "lines", func(line int) error {
		n++
		var jl jsonLine
		if err := dec.Decode(&jl); err != nil {
			return transcriptErr(line, "line %d of the transcript: %s", n, jsonMsg(err))
		}
		l := fileLine{line: line, u: dialog.Utterance{Text: validText(jl.Text), Truncated: jl.Truncated}}
		if l.u.Speaker = speakerOf(jl.Speaker); l.u.Speaker == "" {
			if jl.Speaker == "" {
				return transcriptErr(line, "no speaker: give \"speaker\": \"learner\" or \"persona\"")
			}
			return transcriptErr(line, "unknown speaker %q: want learner or persona (or agent, rep, customer, caller, prospect)", jl.Speaker)
		}
		var err error
		if l.hasStart = jl.Start != nil; l.hasStart {
			if l.u.Start, err = parseSeconds(line, "start", *jl.Start); err != nil {
				return err
			}
		}
		if l.hasEnd = jl.End != nil; l.hasEnd {
			if l.u.End, err = parseSeconds(line, "end", *jl.End); err != nil {
				return err
			}
		}
		if c := jl.Confidence; c != nil {
			if math.IsNaN(*c) || *c < 0 || *c > 1 {
				return transcriptErr(line, "confidence %v: want 0 to 1", *c)
			}
			l.u.Confidence = *c
		}
		out = append(out, l)
		return nil
	})
	return out, err
}

func jsonEvents(dec *json.Decoder, data []byte, t *TranscriptFile) error {
	return jsonElements(dec, data, "events", func(line int) error {
		var je jsonEvent
		if err := dec.Decode(&je); err != nil {
			return transcriptErr(line, "event: %s", jsonMsg(err))
		}
		at, err := parseSeconds(line, "at", je.At)
		if err != nil {
			return err
		}
		e := dialog.Event{At: at}
		switch je.Kind {
		case "mood":
			if je.Mood == nil {
				return transcriptErr(line, "a mood event needs \"mood\"")
			}
			e.Kind, e.Mood = dialog.EventMood, *je.Mood
		case "stage":
			if je.Stage == "" {
				return transcriptErr(line, "a stage event needs \"stage\"")
			}
			e.Kind, e.Stage = dialog.EventStage, je.Stage
		case "barge_in":
			if e.Speaker = speakerOf(je.Speaker); e.Speaker == "" {
				return transcriptErr(line, "a barge_in event needs \"speaker\": who cut in, learner or persona")
			}
			e.Kind = dialog.EventBargeIn
		case "silence":
			e.Kind = dialog.EventSilence
		default:
			return transcriptErr(line, "event kind %q: want mood, stage, barge_in or silence", je.Kind)
		}
		t.Events = append(t.Events, e)
		return nil
	})
}

// skipJSONSpace returns the offset of the first byte at or after off that is not JSON
// whitespace or a comma: where the next key or element starts.
func skipJSONSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
		off++
	}
	return off
}

// lineAt is the 1-based line holding byte off of data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// Plain text format.

// A time: seconds (12.5), m:ss or h:mm:ss, with a fraction and an "s" allowed.
const tsPat = `\d{1,6}(?::\d{1,2}){0,2}(?:\.\d+)?s?`

// rangePat is a time or a range of two ("00:12-00:15", "00:12 --> 00:15", "12 to 15").
const rangePat = `(` + tsPat + `)(?:\s*(?:-->|-|–|—|to)\s*(` + tsPat + `))?`

var (
	// reBracketTime is a bracketed time or range at the start of a line: [00:12], (12.5).
	reBracketTime = regexp.MustCompile(`^[\[(]\s*` + rangePat + `\s*[\])]\s*`)
	// reBareTime is an unbracketed time or range at the start of a line, before a speaker.
	reBareTime = regexp.MustCompile(`^` + rangePat + `\s+`)
	// reSpeaker is a speaker label ("Learner:", "Customer [00:12]:"), which is one or two
	// words, optionally followed by a bracketed time.
	reSpeaker = regexp.MustCompile(`^([A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*)?)\s*(?:[\[(]\s*` + rangePat + `\s*[\])])?\s*:(?:\s+|$)`)
)

// readText reads "Speaker: text" lines (see docs/SCORING.md): a time or range may come
// before the speaker or in brackets after it; blank lines and # comments are skipped; a line
// with no speaker continues the line above.
func readText(data []byte) (*TranscriptFile, error) {
	t := &TranscriptFile{Format: TranscriptText}
	var raw []fileLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, MaxTranscriptBytes+1)
	n := 0
	for sc.Scan() {
		n++
		s := strings.TrimSpace(validText(sc.Text()))
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		l, ok, err := textLine(n, s)
		if err != nil {
			return nil, err
		}
		if !ok { // no speaker: the line above goes on
			if len(raw) == 0 {
				return nil, transcriptErr(n, "no speaker: %s", speakerHelp)
			}
			u := &raw[len(raw)-1].u
			u.Text = strings.TrimSpace(u.Text + " " + s)
			continue
		}
		raw = append(raw, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrTranscript, err)
	}
	return finishTranscript(t, raw)
}

// textLine reads one non-blank line. ok is false for a line with no time and no speaker
// label: it continues the line above.
func textLine(n int, s string) (l fileLine, ok bool, err error) {
	l.line = n
	rest := s
	var times []string
	timed := false
	if m := reBracketTime.FindStringSubmatch(rest); m != nil {
		times, timed, rest = m[1:3], true, rest[len(m[0]):]
	} else if m := reBareTime.FindStringSubmatch(rest); m != nil && knownLabel(rest[len(m[0]):]) {
		// "12.5 Learner: ..."; without a known speaker after it, a leading number is
		// words ("3 days is fine").
		times, timed, rest = m[1:3], true, rest[len(m[0]):]
	}
	m := reSpeaker.FindStringSubmatch(rest)
	if m == nil {
		if timed {
			return l, false, transcriptErr(n, "a time but no speaker: %s", speakerHelp)
		}
		return l, false, nil
	}
	if l.u.Speaker = speakerOf(m[1]); l.u.Speaker == "" {
		return l, false, transcriptErr(n, "unknown speaker %q: %s", m[1], speakerHelp)
	}
	if m[2] != "" {
		if timed {
			return l, false, transcriptErr(n, "two times: give the time once, before the speaker or after it")
		}
		times = m[2:4]
	}
	rest = rest[len(m[0]):]
	l.u.Text = strings.TrimSpace(rest)
	if len(times) > 0 && times[0] != "" {
		if l.u.Start, err = parseFileTime(n, times[0]); err != nil {
			return l, false, err
		}
		l.hasStart = true
		if times[1] != "" {
			if l.u.End, err = parseFileTime(n, times[1]); err != nil {
				return l, false, err
			}
			l.hasEnd = true
		}
	}
	return l, true, nil
}

// knownLabel reports whether s starts with a known speaker's label.
func knownLabel(s string) bool {
	m := reSpeaker.FindStringSubmatch(s)
	return m != nil && speakerOf(m[1]) != ""
}

// parseFileTime reads 12.5, 12.5s, 1:02, 1:02.5 or 1:01:02.5.
func parseFileTime(n int, s string) (time.Duration, error) {
	parts := strings.Split(strings.TrimSuffix(s, "s"), ":")
	var secs float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || (i > 0 && f >= 60) {
			return 0, transcriptErr(n, "time %q: want seconds (12.5), m:ss (1:02) or h:mm:ss (1:01:02)", s)
		}
		secs = secs*60 + f
	}
	if secs > maxTranscriptTime.Seconds() {
		return 0, transcriptErr(n, "time %q is more than a day into the call", s)
	}
	return time.Duration(secs * float64(time.Second)).Round(time.Millisecond), nil
}

// validText makes a file's text valid UTF-8.
func validText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// Scoring a transcript file.

// Call builds the Call a judge sees for t scored as a call of the rubric's scenario (sc may
// be nil): the sealed record and the timeline the engine would have written, with a
// speech.start and learner.said per learner line, a persona.heard per persona line, the
// file's events, and a barge_in for each line that cut the other side off (when the file
// gives no barge_in events of its own). id names the card.
func (t *TranscriptFile) Call(id string, sc *scenario.Scenario, r *Rubric) *Call {
	tr := slices.Clone(t.Lines)
	events := []dialog.Event{{Kind: dialog.EventCallStart, Detail: "file"}}
	extra := slices.Clone(t.Events)
	if !slices.ContainsFunc(extra, func(e dialog.Event) bool { return e.Kind == dialog.EventBargeIn }) {
		extra = append(extra, fileOverlaps(tr)...)
	}
	rec := &store.Record{ID: id, Scenario: r.Scenario, Transport: "file", Status: store.StatusSealed,
		Goal: t.Goal, EndReason: t.EndReason}
	for _, u := range tr {
		if u.Speaker == dialog.SpeakerLearner {
			events = append(events, learnerEvents(u)...)
			rec.Turns++
		} else {
			events = append(events, dialog.Event{Kind: dialog.EventPersonaHeard, Speaker: u.Speaker, At: u.Start, Dur: u.End - u.Start, Text: u.Text})
		}
		rec.Transcript = append(rec.Transcript, u)
		rec.Duration = max(rec.Duration, u.End+time.Second)
	}
	for _, e := range extra {
		switch e.Kind {
		case dialog.EventMood:
			rec.FinalMood = e.Mood
		case dialog.EventStage:
			rec.FinalStage = e.Stage
		}
		events = append(events, e)
	}
	slices.SortStableFunc(events, func(a, b dialog.Event) int { return cmp.Compare(a.At, b.At) })
	events = append(events, dialog.Event{Kind: dialog.EventCallEnd, At: rec.Duration, Detail: rec.EndReason})
	c := &Call{Record: rec, Events: events, Scenario: sc, Rubric: r}
	c.Metrics = Compute(c)
	return c
}

// learnerEvents are the timeline events the engine writes for a learner line: speech.start
// and learner.said, with the recognizer's confidence when it gave one.
func learnerEvents(u dialog.Utterance) []dialog.Event {
	said := dialog.Event{Kind: dialog.EventLearnerSaid, Speaker: u.Speaker, At: u.End, Dur: u.End - u.Start, Text: u.Text}
	if u.Confidence > 0 {
		said.Data = map[string]string{dialog.DataConfidence: dialog.FormatConfidence(u.Confidence)}
	}
	return []dialog.Event{{Kind: dialog.EventSpeechStart, Speaker: u.Speaker, At: u.Start}, said}
}

// fileOverlaps returns a barge_in for each line that starts at least overlapMin before the
// other side's last line ended, and marks a persona line the learner cut off truncated (its
// pause does not count as a response latency).
func fileOverlaps(tr []dialog.Utterance) []dialog.Event {
	var out []dialog.Event
	last := map[string]int{} // speaker -> index of their latest line
	for i, u := range tr {
		other := dialog.SpeakerPersona
		if u.Speaker == dialog.SpeakerPersona {
			other = dialog.SpeakerLearner
		}
		if j, ok := last[other]; ok && tr[j].End-u.Start >= overlapMin && len(strings.Fields(u.Text)) > backchannelWords {
			out = append(out, dialog.Event{Kind: dialog.EventBargeIn, Speaker: u.Speaker, At: u.Start})
			if other == dialog.SpeakerPersona {
				tr[j].Truncated = true
			}
		}
		last[u.Speaker] = i
	}
	return out
}

// Annotate adds to a card scored from t what the file implies: FlagEstimatedTimes, with its
// note, when some times were estimated.
func (t *TranscriptFile) Annotate(card *Scorecard) {
	if !t.Estimated || slices.Contains(card.Flags, FlagEstimatedTimes) {
		return
	}
	card.Flags = append(card.Flags, FlagEstimatedTimes)
	card.Notes = append(card.Notes, EstimatedTimesNote)
}
