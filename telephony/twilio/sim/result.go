package sim

import (
	"fmt"
	"io"
	"time"
)

// Result is what happened on one simulated call. Times in Segment and Turn are media time:
// from the start message, 20 ms per frame.
type Result struct {
	CallID     string // Spar's call ID (the "call" stream parameter), else the CallSid
	CallSid    string
	AccountSid string
	StreamSid  string
	Params     map[string]string // the <Stream> <Parameter>s, as sent in start.customParameters
	Refused    string            // what the server said when it refused the call
	Started    time.Time         // webhook posted
	Ended      time.Time
	Duration   time.Duration // media time the stream lasted

	FramesSent     int // inbound media messages sent
	FramesReceived int // outbound media messages received
	BytesReceived  int // outbound mu-law bytes received
	Marks          int // marks echoed
	Clears         int // clear messages received
	Malformed      int // messages from the server Twilio would reject (bad JSON, payload, streamSid)

	Heard        []Segment // stretches of persona speech as played to the caller
	HeardAudio   []int16   // what the caller heard, 8 kHz, one sample per media tick (empty with DiscardAudio)
	LearnerTurns []Turn    // what the script did and when
	ServerClosed bool      // the server closed the socket first: the persona hung up
}

// Segment is a stretch of persona speech heard by the caller.
type Segment struct {
	Start, End time.Duration
	Cleared    bool // a clear cut it short
}

// Turn is one script step the caller acted out.
type Turn struct {
	Step       int    // index in the script
	Kind       string // say, wav, dtmf or wait
	Text       string // the line, file or digits
	Start, End time.Duration
	Barged     bool // persona speech was playing when it started
}

// Summary writes a short human-readable account of the call.
func (r *Result) Summary(w io.Writer) {
	if r.Refused != "" {
		fmt.Fprintf(w, "call %s refused: %q\n", r.CallSid, r.Refused)
		return
	}
	var heard time.Duration
	cleared := 0
	for _, s := range r.Heard {
		heard += s.End - s.Start
		if s.Cleared {
			cleared++
		}
	}
	by := "caller hung up"
	if r.ServerClosed {
		by = "persona hung up"
	}
	fmt.Fprintf(w, "call %s (%s): %s, %s\n", r.CallID, r.CallSid, r.Duration.Round(10*time.Millisecond), by)
	fmt.Fprintf(w, "  frames sent %d, received %d; marks echoed %d; clears %d; malformed %d\n",
		r.FramesSent, r.FramesReceived, r.Marks, r.Clears, r.Malformed)
	fmt.Fprintf(w, "  learner turns %d; persona spoke %d times for %s (%d cut short)\n",
		len(r.LearnerTurns), len(r.Heard), heard.Round(10*time.Millisecond), cleared)
}
