package dialog

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony"
)

// run is the conversation loop: the one goroutine that owns the turn-taking state.
func (c *conv) run(cancel context.CancelCauseFunc) Result {
	c.hangover = c.s.Turns.EndSilence
	c.expectEnd("", false)
	c.line.Listen(c)
	playCtx, stopPlay := context.WithCancel(context.WithoutCancel(c.ctx))
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.play.Run(playCtx, media.WriterFunc(c.sendFrame)) })

	c.log(Event{Kind: EventCallStart, Detail: c.s.Transport})
	c.startTurn(Input{Kind: InputAnswer}, false, time.Time{}, time.Time{}, 0)

	maxT := time.NewTimer(c.s.Turns.MaxDuration)
	defer maxT.Stop()
	silenceT := time.NewTimer(time.Hour)
	silenceT.Stop()
	silenceArmed := false
	finalT := time.NewTimer(time.Hour)
	finalT.Stop()
	c.finalT = finalT
	results := c.stream.Results()
	var flushC <-chan time.Time
	if c.s.Recording != nil {
		flushT := time.NewTicker(recordingFlushEvery)
		defer flushT.Stop()
		flushC = flushT.C
	}

	for c.endReason == "" {
		select {
		case <-c.ctx.Done():
			c.endReason = causeText(context.Cause(c.ctx))
		case <-flushC:
			c.flushRecording()
		case ev := <-c.events:
			c.onInput(ev)
		case tr, ok := <-results:
			if !ok {
				results = nil
				c.log(Event{Kind: EventFault, Detail: "stt: recognition stream closed"})
				continue
			}
			c.onTranscript(tr)
		case t := <-c.turnDone:
			c.onTurnDone(t)
		case <-silenceT.C:
			silenceArmed = false
			c.onSilence()
		case <-maxT.C:
			c.endReason = ErrMaxDuration.Error()
		case <-finalT.C:
			c.onFinalTimeout()
		}
		idle := !c.personaActive() && len(c.utts) == 0
		switch {
		case idle && !silenceArmed:
			silenceT.Reset(c.s.Turns.SilenceTimeout)
			silenceArmed = true
		case !idle && silenceArmed:
			silenceT.Stop()
			silenceArmed = false
		}
	}
	silenceT.Stop()
	finalT.Stop()

	// Wind down: stop the turn, let a sentence the learner was finishing be recognised,
	// then stop playout and recognition.
	if c.turn != nil {
		c.turn.cancel(ErrCallOver)
	}
	c.drainFinals(results)
	for c.running > 0 {
		c.onTurnDone(<-c.turnDone)
	}
	c.inMu.Lock() // after a frame the reader may be delivering, no more reach the stream
	c.closed = true
	c.inMu.Unlock()
	stopPlay()
	wg.Wait()
	_ = c.stream.Close()
	end := c.now()
	if c.s.Recording != nil {
		// To the end of what was heard or played (the playout goroutine has stopped, so
		// rightPos is settled): no trailing silence past the call.
		_ = c.s.Recording.Flush(max(c.inPos.Load(), c.rightPos))
	}
	frame := int64(media.Samples(rate, media.FrameDuration))
	var discarded int64 // learner frames the transport could not use
	if d, ok := c.line.(interface{ Discarded() int64 }); ok {
		discarded = d.Discarded()
	}
	c.log(Event{Kind: EventCallEnd, Detail: c.endReason, At: end, Data: map[string]string{
		"turns": strconv.Itoa(c.turns), "dropped_notices": strconv.FormatInt(c.dropped.Load(), 10),
		"frames_in": strconv.FormatInt(c.inPos.Load()/frame, 10), "frames_out": strconv.FormatInt(c.sinkCount.Load()/frame, 10),
		"frames_discarded_in": strconv.FormatInt(discarded, 10), "frames_late_out": strconv.FormatInt(c.play.Late(), 10),
	}})
	cancel(ErrCallOver)
	return Result{
		EndReason: c.endReason, Duration: end, Transcript: c.transcript.Transcript(),
		FinalMood: c.state.Mood, FinalStage: c.state.Stage, Goal: c.goal, Turns: c.turns,
		Latency: c.latency,
	}
}

// The recording is flushed every recordingFlushEvery up to recordingLag behind the learner's
// audio. Nothing is placed further back than that: learner frames land at the input position
// and persona frames at most 100 ms behind it and, as the playout sends them, its lead ahead
// (sendFrame: the line's send-ahead, or lead_frames).
const (
	recordingFlushEvery = 250 * time.Millisecond
	recordingLag        = 250 * time.Millisecond
)

// RecordingSpan is how much audio a call's recording holds unflushed, besides the line's
// send-ahead: the flush lag and interval above, plus 150 ms for the engine's own lead of a
// few frames and slack. Size the recorder with it (media.NewRecorder with RecordingSpan plus
// telephony.Call.SendAhead) and its pending buffer never has to grow.
const RecordingSpan = recordingLag + recordingFlushEvery + 150*time.Millisecond

// flushRecording writes the recording to disk up to recordingLag behind the learner's audio,
// from the loop rather than the transport's reader, so disk writes never delay a frame. The
// first error is a fault event.
func (c *conv) flushRecording() {
	pos, lag := c.inPos.Load(), int64(media.Samples(rate, recordingLag))
	if pos <= lag {
		return
	}
	if err := c.s.Recording.Flush(pos - lag); err != nil && !c.recFaulted {
		c.recFaulted = true
		c.log(Event{Kind: EventFault, Detail: "recording: flush: " + err.Error()})
	}
}

// drainFinals waits briefly for transcripts of speech that ended as the call did.
func (c *conv) drainFinals(results <-chan Transcript) {
	if len(c.utts) == 0 || results == nil {
		return
	}
	if u := c.lastOpen(); u != nil {
		c.inMu.Lock()
		c.streaming = false
		_ = c.stream.Flush()
		c.inMu.Unlock()
		u.end = c.now()
	}
	t := time.NewTimer(c.e.cfg.FinalTimeout / 2)
	defer t.Stop()
	for len(c.utts) > 0 {
		select {
		case tr, ok := <-results:
			if !ok {
				return
			}
			if tr.Final {
				c.record(c.popUtt(), tr.Text, tr.Confidence)
			}
		case <-t.C:
			return
		}
	}
}

func (c *conv) personaActive() bool { return c.turn != nil && !c.turn.over }

func (c *conv) onInput(ev inEvent) {
	switch ev.kind {
	case inSpeechStart:
		c.silences, c.speechFor = 0, 0 // the last utterance's length is not this one's
		c.expectEnd("", false)
		u := &utterance{start: ev.at}
		u.after, u.afterByWords = c.resumes(ev.at)
		if t := c.turn; t != nil && !t.over {
			switch {
			case t.audible(c):
				// A barge-in, or, going on with the line t answers, its withdrawal (maybeBargeIn).
				u.overPersona = !t.noBargeIn
			case t.in.Kind == InputSpeech:
				// The persona had not spoken yet: the learner was pausing, not done.
				c.withdraw(t, u)
			}
		} else {
			u.joined = u.after != nil // no reply yet: the line waits for its final transcript
		}
		c.utts = append(c.utts, u)
		c.log(Event{Kind: EventSpeechStart, Speaker: SpeakerLearner, At: ev.at})
	case inSpeechStop:
		if u := c.lastOpen(); u != nil {
			u.end, u.endWall, u.hangover, u.wanted = ev.at, ev.wall, c.hangover, c.wanted
			if u == c.utts[0] {
				c.armFinal() // the oldest utterance waiting for its transcript sets the deadline
			}
		}
		c.log(Event{Kind: EventSpeechStop, Speaker: SpeakerLearner, At: ev.at, Dur: ev.dur,
			Detail: "end silence " + ms(c.hangover) + "ms"})
		c.matchFinals()
	case inSpeechFor:
		c.speechFor = ev.dur
		c.maybeBargeIn()
		if c.s.Turns.PersonaBargeIn && ev.dur == c.s.Turns.AfterTalk {
			c.personaCutIn("learner talked for " + ms(ev.dur) + "ms without a break")
		}
	case inTransport:
		switch ev.ev.Kind {
		case telephony.EventDTMF:
			c.log(Event{Kind: EventDTMF, Detail: ev.ev.Detail, At: ev.at})
		case telephony.EventMalformed:
			c.log(Event{Kind: EventTransport, Detail: ev.ev.Detail, At: ev.at})
		}
	}
}

// lastOpen is the utterance still being spoken, if any.
func (c *conv) lastOpen() *utterance {
	if n := len(c.utts); n > 0 && c.utts[n-1].end == 0 {
		return c.utts[n-1]
	}
	return nil
}

func (c *conv) popUtt() *utterance {
	u := c.utts[0]
	c.utts = c.utts[1:]
	return u
}

// expectEnd sets the end silence a line that so far reads text asks for (wanted) and the one
// the endpointer waits for (the hangover), which is shorter when the final decides.
func (c *conv) expectEnd(text string, stale bool) {
	c.wanted = c.s.Turns.endSilenceAfter(text, stale)
	if d := c.s.Turns.endpointFor(c.wanted, stale); d != c.hangover {
		c.hangover = d
		c.ep.SetHangover(d) // safe from any goroutine
	}
}

// maybeBargeIn interrupts the persona when the learner has talked over it long enough with
// something other than a backchannel.
func (c *conv) maybeBargeIn() {
	u := c.lastOpen()
	t := c.turn
	if u == nil || !u.overPersona || u.bargedIn || t == nil || t.over || !t.audible(c) {
		return
	}
	bc := isBackchannel(c.interim, c.s.Turns.Backchannels)
	switch {
	case c.speechFor >= c.s.Turns.MinBargeIn && c.interim != "" && !bc:
	case c.speechFor >= bargeForce(c.s.Turns.MinBargeIn) && !bc:
	default:
		return
	}
	if u.after != nil && t.answers == u.after && c.goesOn(u, t) {
		c.withdraw(t, u) // the learner went on with the line t answers: not an interruption
		return
	}
	u.bargedIn = true
	heard, _ := c.heardOf(t)
	full := t.fullText()
	c.cancelTurn(t, ErrBargeIn)
	c.clearLine()
	c.interrupted, c.heard = true, heard
	c.log(Event{Kind: EventBargeIn, Speaker: SpeakerLearner, Detail: "learner talked over the persona",
		Data: map[string]string{"speech_ms": ms(c.speechFor), "interim": c.interim}})
	start := t.startedAt()
	c.logAt(Event{Kind: EventPersonaHeard, Speaker: SpeakerPersona, Text: heard, At: start, Dur: c.now() - start,
		Data: t.data("truncated", "true", "said", full)})
}

// clearLine drops persona audio the far end holds. Persona audio sent ahead of its playout
// (Twilio's send-ahead) past this moment was dropped by the clear, unheard: it leaves the
// recording too.
func (c *conv) clearLine() {
	_ = c.line.Clear()
	if r, ok := c.s.Recording.(interface{ ClearRight(from int64) }); ok {
		r.ClearRight(c.inPos.Load())
	}
}

// resumeHeard is how much of the persona's reply the learner may have heard when they go on
// with their line and still be finishing it rather than answering the reply: a word or two,
// less than it takes to hear what the reply says and begin to answer it.
const resumeHeard = 600 * time.Millisecond

// resumeWordsHeard is how much of the reply the learner may have heard and still go on with
// their line when their first words continue its sentence ("and", "because", "which"...;
// goesOn): about the time it takes to plan what one says, so speech begun by then was
// planned before the reply could be understood and answered.
const resumeWordsHeard = time.Second

// resumes returns the learner line that speech starting at media time at goes on with, if
// any: one the engine ended (its endpoint) at most Turns.ResumeWithin before, that the
// persona's reply has not answered beyond its first resumeHeard (as played when the
// learner started), or that still waits for its final transcript with no reply begun.
// byWords is true when the reply had played past resumeHeard but at most resumeWordsHeard
// (unless Turns.ResumeByTimeOnly): the speech goes on with the line only if its first
// words continue the line's sentence (goesOn).
func (c *conv) resumes(at time.Duration) (p *utterance, byWords bool) {
	if c.s.Turns.ResumeWithin <= 0 {
		return nil, false
	}
	if t := c.turn; t != nil && !t.over {
		heard := media.Duration(rate, int(c.played(t))) - (c.now() - at)
		switch {
		case heard <= resumeHeard:
		case !c.s.Turns.ResumeByTimeOnly && heard <= resumeWordsHeard:
			byWords = true
		default:
			return nil, false
		}
		p = t.answers
	} else if n := len(c.utts); n > 0 {
		p = c.utts[n-1]
		if p.end == 0 || p.answered || p.overPersona && !p.bargedIn {
			return nil, false // still open, cut in on, or said over the persona without taking the floor
		}
	}
	if p == nil || at-(p.end+p.hangover+p.hold) > c.s.Turns.ResumeWithin {
		return nil, false
	}
	return p, byWords
}

// goesOn reports whether u, said over t, the playing reply to the line u may go on with
// (u.after), does go on with that line. Within resumeHeard of the reply the time alone
// decides: too little of it was heard to answer. Past it (u.afterByWords), only when u's
// first words (the interim transcript) continue the line's sentence ("and", "because",
// "up on the system"...) or at least do not begin a turn of their own ("...went out on",
// "...either"), and no sentence of the reply the learner began to hear asks them something;
// words that begin like a turn ("yes", "okay", "I can", "is it", a backchannel) or none yet
// are a new line.
func (c *conv) goesOn(u *utterance, t *turn) bool {
	if !u.afterByWords {
		return true
	}
	return (continuesLine(c.interim) || !beginsTurn(c.interim)) && !c.asks(t)
}

// withdraw drops the persona's reply t because the learner went on talking: before t was
// heard, or, going on with the line t answers (u.after), within its first moments. It is
// a cancellation like a barge-in, but not an interruption: the reply is logged as
// turn.cancelled, not heard; the persona takes back t's input (Input.Resumed, with t's own
// Interrupted and Heard) and answers the whole line once u's final transcript is in; and
// when u goes on with t's line the transcript shows the two as one (record).
func (c *conv) withdraw(t *turn, u *utterance) {
	d, why, audible := t.data(), "learner went on talking before the persona spoke", t.audible(c)
	if audible {
		d["played_ms"] = ms(media.Duration(rate, int(c.played(t))))
		why = "learner went on with the line the persona was answering"
	}
	c.cancelTurn(t, ErrLearnerContinued)
	if audible {
		c.clearLine()
	}
	c.carry = strings.TrimSpace(c.carry + " " + t.in.Text)
	c.interrupted, c.heard = t.in.Interrupted, t.in.Heard
	c.withdrawn = t
	c.turns--
	u.joined, u.overPersona = u.after != nil, false
	c.log(Event{Kind: EventTurnCancelled, Detail: why, Data: d})
}

// personaCutIn lets a scenario's persona talk over a learner who lectures or provokes.
func (c *conv) personaCutIn(why string) {
	u := c.lastOpen()
	if u == nil || u.answered || c.turn != nil {
		return
	}
	u.answered = true
	c.log(Event{Kind: EventBargeIn, Speaker: SpeakerPersona, Detail: why})
	c.turns++
	c.startTurn(Input{Kind: InputSpeech, Text: strings.TrimSpace(c.carry + " " + c.interim),
		TalkTime: c.speechFor, Elapsed: c.now()}, true, time.Now(), time.Now(), 0)
	c.carry = ""
}

// cutInner is a persona that judges trigger phrases itself (with its own tolerant matching).
type cutInner interface {
	CutIn(text string, talk time.Duration) bool
}

// triggered reports whether text says something the persona cuts in on.
func (c *conv) triggered(text string) bool {
	if ci, ok := c.s.Persona.(cutInner); ok {
		return ci.CutIn(text, 0)
	}
	for _, trig := range c.s.Turns.Triggers {
		if containsPhrase(text, trig) {
			return true
		}
	}
	return false
}

// cancelTurn stops a turn and drops its queued audio.
func (c *conv) cancelTurn(t *turn, cause error) {
	t.over = true
	c.playMu.Lock()
	c.playGen = -1
	c.play.Flush()
	c.playMu.Unlock()
	t.cancel(cause)
}

// staleInterim is how far an interim may lag the audio written for its utterance and still
// end the turn early: about one interim period of pocketsphinx (300 ms). A recognizer further
// behind (a loaded machine) may not have heard the learner's last words yet.
const staleInterim = 300 * time.Millisecond

func (c *conv) onTranscript(tr Transcript) {
	if !tr.Final {
		if tr.Text == "" || tr.Text == c.interim {
			return
		}
		c.interim = tr.Text
		c.log(Event{Kind: EventInterim, Speaker: SpeakerLearner, Text: tr.Text})
		// Behind the audio, or ahead of it (a late interim of the previous utterance): stale.
		lag := media.Duration(rate, int(c.uttWritten.Load())) - tr.Heard
		stale := tr.Heard > 0 && (lag > staleInterim || lag < 0)
		c.maybeBargeIn() // first: it may find the learner going on with their line (u.joined)
		line := tr.Text
		if u := c.lastOpen(); u != nil && u.joined && u.after != nil && u.after.text != "" {
			line = u.after.text + " " + line // how the line ends reads the whole line: "...the person" + "you spoke to"
		}
		c.expectEnd(line, stale)
		if c.s.Turns.PersonaBargeIn && c.lastOpen() != nil && c.triggered(tr.Text) {
			c.personaCutIn("learner said " + strconv.Quote(tr.Text))
		}
		c.extendFinal()
		return
	}
	c.interim = "" // interims belong to the utterance this final ends
	c.finals = append(c.finals, tr)
	c.matchFinals()
}

// matchFinals pairs final transcripts with ended utterances, in order. A final can overtake
// its utterance's end notice, which travels on another channel.
func (c *conv) matchFinals() {
	for len(c.finals) > 0 && len(c.utts) > 0 && c.utts[0].end != 0 {
		tr := c.finals[0]
		c.finals = c.finals[1:]
		u := c.popUtt()
		c.armFinal()
		c.respond(u, tr, time.Now())
	}
	if len(c.utts) == 0 {
		c.finals = c.finals[:0] // finals for speech never seen: stale
	}
}

// record writes a learner utterance to the transcript and the timeline, with the
// recognizer's confidence when it gave one.
func (c *conv) record(u *utterance, text string, confidence float64) {
	text = strings.TrimSpace(text)
	if text == "" {
		c.log(Event{Kind: EventNoise, Speaker: SpeakerLearner, At: u.start, Dur: u.end - u.start})
		return
	}
	confidence = roundConfidence(confidence)
	e := Event{Kind: EventLearnerSaid, Speaker: SpeakerLearner, At: u.end}
	if p := u.after; u.joined && p != nil && p.text != "" {
		// One line with the one it goes on with, which it replaces in the transcript. Its
		// confidence is the lower: a line half misheard is not heard well.
		text, u.start = p.text+" "+text, p.start
		if p.confidence > 0 && (confidence == 0 || p.confidence < confidence) {
			confidence = p.confidence
		}
		e.Data = map[string]string{DataJoined: "true"}
	}
	u.text, u.confidence = text, confidence
	e.Text, e.Dur = text, u.end-u.start
	if e.Data == nil && (confidence > 0 || u.answered) {
		e.Data = map[string]string{}
	}
	if confidence > 0 {
		e.Data[DataConfidence] = FormatConfidence(confidence)
	}
	if u.answered {
		e.Data["truncated"] = "true" // the persona cut in on it
	}
	c.logAt(e)
}

// minHeardSpeech is the shortest speech the persona answers even when no words were
// recognised ("Sorry, what was that?"): the learner clearly said something.
const minHeardSpeech = 600 * time.Millisecond

// respond handles a learner utterance's final transcript.
func (c *conv) respond(u *utterance, tr Transcript, final time.Time) {
	c.record(u, tr.Text, tr.Confidence)
	text := strings.TrimSpace(tr.Text)
	switch {
	case u.answered:
		return // the persona already cut in on it
	case u.overPersona && !u.bargedIn && (c.personaActive() || isBackchannel(text, c.s.Turns.Backchannels)):
		// Said over the persona without taking the floor: "okay", "right", "mm-hm".
		if text != "" {
			c.log(Event{Kind: EventBackchannel, Speaker: SpeakerLearner, Text: text})
		}
		return
	case text == "" && !u.bargedIn && u.end-u.start < minHeardSpeech && c.carry == "":
		return // a cough or a click (with a line held over, the persona answers that)
	case len(c.utts) > 0:
		// The learner is already talking again: answer the whole thought at once.
		c.carry = strings.TrimSpace(c.carry + " " + text)
		if u.bargedIn {
			c.interrupted = true
		}
		return
	}
	in := Input{Kind: InputSpeech, Text: strings.TrimSpace(c.carry + " " + text),
		Interrupted: c.interrupted, Heard: c.heard, TalkTime: u.end - u.start, Elapsed: c.now()}
	c.carry, c.interrupted, c.heard = "", false, ""
	c.turns++
	// u.text is the whole line when this utterance went on with one before it (record).
	if u.hold = c.s.Turns.holdFor(believedText(u.text, tr.DoubtfulLast), u.hangover, u.wanted); u.hold > 0 {
		// Speech that resumes just before the hold ends is only known once it has lasted
		// the VAD's start duration: the hold covers that, and a frame, so a learner going
		// on never hears the start of a reply they would not have heard before.
		u.hold += c.ep.StartDuration() + media.FrameDuration
	}
	c.startTurn(in, false, u.endWall, final, u.hold)
	c.turn.hangover, c.turn.answers = u.hangover, u
}

// believedText is a final transcript's text without its last word when the recognizer
// doubts that word was spoken (Transcript.DoubtfulLast).
func believedText(text string, doubtfulLast bool) string {
	text = strings.TrimSpace(text)
	if i := strings.LastIndexByte(text, ' '); doubtfulLast && i > 0 {
		return text[:i]
	}
	return text
}

func (c *conv) onFinalTimeout() {
	if len(c.utts) == 0 || c.utts[0].end == 0 {
		return
	}
	c.popUtt()
	c.armFinal()
	c.log(Event{Kind: EventFault, Detail: "stt: no final transcript within " + c.e.cfg.FinalTimeout.String()})
	if c.turn == nil {
		c.startTurn(Input{Kind: InputFault, Elapsed: c.now()}, false, time.Time{}, time.Time{}, 0)
	}
}

// extendFinal gives a recognizer that is still sending words another FinalTimeout for the
// final of the oldest ended utterance, up to 3x FinalTimeout after that speech ended: on a
// loaded machine the offline recognizer runs behind real time, and treating it as failed
// would drop the learner's words (and pair its late final with the next utterance).
func (c *conv) extendFinal() {
	if len(c.utts) == 0 || c.utts[0].end == 0 {
		return
	}
	if time.Since(c.utts[0].endWall) < 2*c.e.cfg.FinalTimeout {
		c.finalT.Reset(c.e.cfg.FinalTimeout)
	}
}

// armFinal runs the final-transcript deadline while the oldest utterance has ended and waits
// for its transcript, and stops it otherwise.
func (c *conv) armFinal() {
	if len(c.utts) > 0 && c.utts[0].end != 0 {
		c.finalT.Reset(c.e.cfg.FinalTimeout)
	} else {
		c.finalT.Stop()
	}
}

func (c *conv) onSilence() {
	c.silences++
	c.log(Event{Kind: EventSilence, Dur: c.s.Turns.SilenceTimeout, Detail: "prompt " + strconv.Itoa(c.silences)})
	c.startTurn(Input{Kind: InputSilence, Silences: c.silences, Elapsed: c.now()}, false, time.Time{}, time.Time{}, 0)
}

func (c *conv) onTurnDone(t *turn) {
	c.running--
	if t != c.turn {
		return // a cancelled turn finishing late
	}
	c.turn = nil
	c.curTurn.Store(nil)
	if t.over {
		if errors.Is(context.Cause(t.ctx), ErrLearnerContinued) {
			return // withdrawn: the persona takes its input back (Input.Resumed)
		}
		if t.err == nil || t.state.Stage != "" {
			c.applyState(t.state, false)
		}
		return
	}
	if text := t.fullText(); text != "" {
		start := t.startedAt()
		c.logAt(Event{Kind: EventPersonaHeard, Speaker: SpeakerPersona, Text: text, At: start, Dur: c.now() - start,
			Data: t.data()})
	}
	c.logLatency(t)
	c.applyState(t.state, true)
}

// liveUpdater is a timeline that also keeps the live call's current mood and stage.
type liveUpdater interface {
	Update(fields map[string]any)
}

func (c *conv) applyState(s State, hangup bool) {
	if s.Stage == "" {
		return
	}
	if s.Mood != c.state.Mood || c.state.Stage == "" {
		c.log(Event{Kind: EventMood, Speaker: SpeakerPersona, Mood: s.Mood, Detail: s.Reason})
	}
	if s.Stage != c.state.Stage {
		c.log(Event{Kind: EventStage, Speaker: SpeakerPersona, Stage: s.Stage, Mood: s.Mood})
	}
	c.state = s
	c.goal = c.goal || s.Goal
	if u, ok := c.s.Timeline.(liveUpdater); ok {
		u.Update(map[string]any{"mood": s.Mood, "stage": s.Stage})
	}
	if hangup && s.Hangup {
		c.endReason = s.EndReason
		if c.endReason == "" {
			c.endReason = "persona hung up"
		}
	}
}

// logLatency writes the turn's per-stage latency: the endpoint's silence window, then each
// provider's share and Spar's own.
func (c *conv) logLatency(t *turn) {
	if t.endpoint.IsZero() {
		return
	}
	at := func(v int64) time.Time { return time.Unix(0, v) }
	fs, fa, ff := t.firstSentence.Load(), t.firstAudio.Load(), t.firstFrame.Load()
	if fs == 0 || fa == 0 || ff == 0 {
		return
	}
	held := time.Duration(t.held.Load())
	l := TurnLatency{
		At:       c.now(),
		Endpoint: t.hangover,
		STT:      t.final.Sub(t.endpoint),
		Persona:  at(fs).Sub(t.final),
		TTS:      at(fa).Sub(at(fs)),
		Hold:     held,
		Playout:  at(ff).Sub(at(fa)) - held,
		Total:    at(ff).Sub(t.endpoint) + t.hangover,
	}
	c.latency = append(c.latency, l)
	d := map[string]string{
		"endpoint_ms": ms(l.Endpoint), "stt_ms": ms(l.STT), "persona_ms": ms(l.Persona),
		"tts_ms": ms(l.TTS), "playout_ms": ms(l.Playout), "total_ms": ms(l.Total),
	}
	if held > 0 {
		d["hold_ms"] = ms(held)
	}
	c.log(Event{Kind: EventLatency, Dur: l.Total, Data: d})
}
