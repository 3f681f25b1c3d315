package llm

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/persona"
	"github.com/sparlab/spar/dialog/scenario"
)

var _ dialog.Persona = (*Persona)(nil)

// Hooks report what the persona measured; nil fields are skipped. cmd points them at the
// Prometheus collectors.
type Hooks struct {
	FirstToken func(d time.Duration) // request sent to first words
	Error      func(kind string)     // see Kind
}

// Persona is one call's persona played by a chat model. A scripted persona runs alongside
// it and keeps deciding the state: it detects the learner's behaviours, moves the mood,
// walks the stages and objections and ends the call. Each reply is the scripted beat put in
// the model's own words; when the model fails or is too slow, the scripted line itself is
// said, so the persona never breaks character. Respond calls are serialized.
type Persona struct {
	client *Client
	sc     *scenario.Scenario
	script *persona.Scripted
	log    *slog.Logger
	hooks  Hooks

	mu      sync.Mutex
	history []Message
	// lastUser is where the last learner turn's message is in history, -1 when none is: an
	// input that takes that turn back (Input.Resumed) cuts the history there.
	lastUser int
}

// NewPersona returns the persona of one call of sc; seed seeds the scripted beat as for
// persona.NewScripted.
func NewPersona(c *Client, sc *scenario.Scenario, seed int64, log *slog.Logger, hooks Hooks) *Persona {
	return &Persona{client: c, sc: sc, script: persona.NewScripted(sc, seed), log: log, hooks: hooks, lastUser: -1}
}

// CutIn reports whether the persona would cut the learner off (the scripted rules).
func (p *Persona) CutIn(text string, talk time.Duration) bool { return p.script.CutIn(text, talk) }

// Respond asks the scripted persona for the state and beat, then streams the model's
// wording of it into say sentence by sentence. Cancelling ctx (barge-in) closes the request
// at once; the state stands alongside ctx's error, as for the scripted persona. An input that
// goes on with the learner's last line (Input.Resumed) first drops that line and the reply
// to it from the history: the model sees the whole line once.
func (p *Persona) Respond(ctx context.Context, in dialog.Input, say func(string) error) (dialog.State, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if in.Kind == dialog.InputSpeech && in.Resumed && p.lastUser >= 0 {
		p.history = p.history[:p.lastUser]
	}
	p.lastUser = -1
	var beat []string
	st, err := p.script.Respond(context.WithoutCancel(ctx), in, func(s string) error {
		beat = append(beat, s)
		return nil
	})
	if err != nil {
		return st, err
	}
	if in.Kind == dialog.InputAnswer {
		p.history = p.history[:0]
	}
	if len(beat) == 0 && st.Hangup && in.Kind != dialog.InputAnswer {
		return st, ctx.Err() // the call was already over
	}
	if in.Kind == dialog.InputFault {
		// A provider failed, maybe this one: the scripted repair line is safest.
		return st, p.speak(ctx, beat, say)
	}
	if in.Interrupted && len(p.history) > 0 {
		if last := &p.history[len(p.history)-1]; last.Role == "assistant" {
			last.Content = strings.TrimSpace(in.Heard) + " —"
		}
	}
	msgs := make([]Message, 0, len(p.history)+2)
	msgs = append(msgs, Message{Role: "system", Content: systemPrompt(p.sc, st, beat, in)})
	msgs = append(msgs, p.history[max(0, len(p.history)-p.client.cfg.History):]...)
	user := Message{Role: "user", Content: userTurn(in)}
	msgs = append(msgs, user)

	var said []string
	var sayErr error // the engine refused a sentence: not the model's fault
	sp := splitter{emit: func(s string) error {
		if len(said) == 0 {
			s = strings.TrimPrefix(s, p.sc.Persona.Name+": ")
		}
		if err := say(s); err != nil {
			sayErr = err
			return err
		}
		said = append(said, s)
		return nil
	}}
	res, err := p.client.Stream(ctx, msgs, 0, sp.write)
	if err == nil {
		err = sp.flush()
	}
	if res.FirstToken > 0 && p.hooks.FirstToken != nil {
		p.hooks.FirstToken(res.FirstToken)
	}
	switch {
	case ctx.Err() != nil:
		p.remember(user, said)
		return st, ctx.Err()
	case sayErr != nil:
		p.remember(user, said)
		return st, sayErr
	case err != nil && len(said) == 0:
		// Nothing heard yet: the scripted beat is the in-character recovery.
		p.fault(err)
		err = p.speak(ctx, beat, say)
		said = beat
	case err != nil:
		// Cut off mid-reply: what was said stands, as if the persona stopped there.
		p.fault(err)
		err = nil
	case len(said) == 0:
		p.fault(errEmpty)
		err = p.speak(ctx, beat, say)
		said = beat
	}
	p.remember(user, said)
	return st, err
}

// errEmpty is a reply with no speakable words.
var errEmpty = errors.New("llm: empty reply")

func (p *Persona) fault(err error) {
	kind := Kind(err)
	if errors.Is(err, errEmpty) {
		kind = "empty"
	}
	p.log.Warn("llm persona: using the scripted line", "kind", kind, "err", err)
	if p.hooks.Error != nil {
		p.hooks.Error(kind)
	}
}

func (p *Persona) speak(ctx context.Context, lines []string, say func(string) error) error {
	for _, s := range lines {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := say(s); err != nil {
			return err
		}
	}
	return nil
}

func (p *Persona) remember(user Message, said []string) {
	p.history = append(p.history, user)
	k := 1 // messages from user on
	if len(said) > 0 {
		p.history = append(p.history, Message{Role: "assistant", Content: strings.Join(said, " ")})
		k++
	}
	if n := p.client.cfg.History; len(p.history) > 2*n {
		p.history = append(p.history[:0], p.history[len(p.history)-n:]...)
	}
	p.lastUser = len(p.history) - k
}
