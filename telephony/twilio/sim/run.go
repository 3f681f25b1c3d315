package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// sseGrace is how long the live transcript may keep reading after the stream ends, to show
// the server's last events (call.end).
const sseGrace = time.Second

// Run places one simulated call and returns what happened. It returns ErrRefused (with
// Result.Refused set) when the server does not connect a stream; a server that closes the
// stream is the persona hanging up, not an error. If ctx ends first the caller hangs up and
// Run returns the partial Result with ctx's cause.
func Run(ctx context.Context, cfg Config, synth Synthesizer, log *slog.Logger) (*Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	script := cfg.Script
	if len(script) == 0 || !script[len(script)-1].Hangup {
		script = append(script[:len(script):len(script)], Step{Hangup: true})
	}
	clips, err := prepareClips(ctx, script, synth, cfg.Voice)
	if err != nil {
		return nil, err
	}
	ids := callIDs{CallSid: newSid("CA"), AccountSid: newSid("AC"), StreamSid: newSid("MZ")}
	log = log.With("call_sid", ids.CallSid)
	p := &printer{out: cfg.Out}
	res := &Result{CallSid: ids.CallSid, AccountSid: ids.AccountSid, CallID: ids.CallSid, Started: time.Now()}
	defer func() { res.Ended = time.Now() }()

	st, refused, err := answerCall(ctx, cfg, ids, p)
	if err != nil {
		return res, err
	}
	if st == nil {
		res.Refused = refused
		p.printf("(call refused)")
		return res, fmt.Errorf("%w: %q", ErrRefused, refused)
	}
	res.Params, res.StreamSid = st.Params, ids.StreamSid
	if id := st.Params["call"]; id != "" {
		res.CallID = id
	}
	log = log.With("call_id", res.CallID)

	conn, err := dialStream(ctx, cfg, st.URL, log)
	if err != nil {
		return res, err
	}
	rec, err := newRecorder(cfg.Record, cfg.RecordStereo)
	if err != nil {
		conn.Close()
		return res, err
	}
	stopEvents := followTimeline(ctx, cfg, res.CallID, p, log)
	s := &session{
		conn: conn, ids: ids, res: res, log: log, p: p, keep: !cfg.DiscardAudio, rec: rec,
		dir: director[byte]{steps: script, clips: clips, silence: mulawSilence,
			greetTimeout: cfg.GreetTimeout, replyTimeout: cfg.ReplyTimeout, print: p.printf},
	}
	p.printf("connected: call %s, stream %s", res.CallID, st.URL)
	err = s.run(ctx, st.Params)
	res.Duration = s.now()
	res.Heard, res.LearnerTurns = s.heard.segs, s.dir.turns
	stopEvents()
	if rec != nil {
		err = errors.Join(err, rec.close())
	}
	log.Info("simulated call ended", "duration", res.Duration, "frames_sent", res.FramesSent,
		"frames_received", res.FramesReceived, "marks", res.Marks, "clears", res.Clears,
		"malformed", res.Malformed, "server_closed", res.ServerClosed)
	return res, err
}

// followTimeline starts printing the server's timeline when cfg asks for it. The returned
// function waits up to sseGrace for the call.end event, then stops the follower.
func followTimeline(ctx context.Context, cfg Config, callID string, p *printer, log *slog.Logger) (stop func()) {
	if cfg.EventsURL == nil || cfg.Out == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := followEvents(ctx, cfg.HTTPClient, cfg.EventsURL(callID), p); err != nil && ctx.Err() == nil {
			log.Warn("live transcript unavailable", "err", err)
			p.printf("(live transcript unavailable: %v)", err)
		}
	}()
	return func() {
		t := time.NewTimer(sseGrace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		}
		cancel()
		<-done
	}
}
