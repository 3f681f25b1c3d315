package llm

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sparlab/spar/configs"
	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/persona"
	"github.com/sparlab/spar/dialog/scenario"
)

func shipped(t *testing.T, id string) *scenario.Scenario {
	t.Helper()
	cat, err := scenario.Load(configs.Scenarios, "scenarios")
	if err != nil {
		t.Fatal(err)
	}
	sc, ok := cat.Get(id)
	if !ok {
		t.Fatalf("no scenario %q", id)
	}
	return sc
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// echoBeat answers with the note's text split at odd places, so the test can see the beat
// reached the model.
func reply(text string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		sseHeader(w)
		var pieces []string
		for i := 0; i < len(text); i += 5 {
			pieces = append(pieces, text[i:min(i+5, len(text))])
		}
		writeSplit(w, deltas(pieces...), 11)
	}
}

func TestPersonaStreamsSentences(t *testing.T) {
	sc := shipped(t, "double-charge")
	f, srv := newFakeChat(t, reply("Dana Reyes: Hi. I was charged twice this morning! Can you *sighs* fix it?"))
	var first time.Duration
	p := NewPersona(testClient(t, srv.URL, nil), sc, 7, quiet, Hooks{FirstToken: func(d time.Duration) { first = d }})
	var said []string
	st, err := p.Respond(context.Background(), dialog.Input{Kind: dialog.InputAnswer}, func(s string) error {
		said = append(said, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Hi.", "I was charged twice this morning!", "Can you fix it?"}
	if !slices.Equal(said, want) {
		t.Errorf("said %q, want %q", said, want)
	}
	if first <= 0 {
		t.Error("first-token hook not called")
	}
	sys := f.last().Messages[0]
	for _, must := range []string{"You are Dana Reyes", "bakery", "Get the duplicate refunded", "Do not cave at the first push", "Stay in character", "stage \"" + st.Stage + "\"", "Note for your next reply"} {
		if sys.Role != "system" || !strings.Contains(sys.Content, must) {
			t.Errorf("system prompt lacks %q:\n%s", must, sys.Content)
		}
	}
}

// TestPersonaKeepsScriptedState: the model words the replies, the scripted engine decides
// the state, turn for turn, the same as a scripted persona with the same seed.
func TestPersonaKeepsScriptedState(t *testing.T) {
	sc := shipped(t, "double-charge")
	f, srv := newFakeChat(t, reply("Fine. Go on."))
	p := NewPersona(testClient(t, srv.URL, nil), sc, 3, quiet, Hooks{})
	ref := persona.NewScripted(sc, 3)
	inputs := []dialog.Input{
		{Kind: dialog.InputAnswer},
		{Kind: dialog.InputSpeech, Text: "thank you for calling, how can I help"},
		{Kind: dialog.InputSpeech, Text: "I'm so sorry you were charged twice, that must be stressful. That is our mistake."},
		{Kind: dialog.InputSilence, Silences: 1},
	}
	var beat []string
	for i, in := range inputs {
		got, err := p.Respond(context.Background(), in, func(string) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		beat = beat[:0]
		want, _ := ref.Respond(context.Background(), in, func(s string) error { beat = append(beat, s); return nil })
		if got != want {
			t.Errorf("turn %d: state %+v, scripted %+v", i, got, want)
		}
		sys := f.last().Messages[0].Content
		if len(beat) > 0 && !strings.Contains(sys, beat[0]) {
			t.Errorf("turn %d: beat %q missing from the prompt", i, beat[0])
		}
	}
	msgs := f.last().Messages
	if len(msgs) != 1+2*len(inputs)-1 || msgs[3].Content != inputs[1].Text || msgs[4].Content != "Fine. Go on." || msgs[len(msgs)-1].Role != "user" {
		t.Errorf("history not sent in order: %+v", msgs)
	}
}

func TestPersonaRecovers(t *testing.T) {
	cases := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request)
		kind  string
		whole bool // the scripted beat is said; otherwise only the model's first sentence
	}{
		{"slow first byte", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, "timeout", true},
		{"500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			io.WriteString(w, `{"error":{"message":"boom","type":"server_error"}}`)
		}, "server", true},
		{"empty reply", reply("*sighs*"), "empty", true},
		{"disconnect after a sentence", func(w http.ResponseWriter, r *http.Request) {
			sseHeader(w)
			io.WriteString(w, `data: {"choices":[{"delta":{"content":"Look, I need this fixed. And "}}]}`+"\n\n")
		}, "disconnect", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := shipped(t, "double-charge")
			_, srv := newFakeChat(t, tc.serve)
			var kinds []string
			// Only the slow server needs the first-token timeout to fire; the others answer at
			// once, so a busy machine must not turn them into timeouts.
			first := 5 * time.Second
			if tc.kind == "timeout" {
				first = 30 * time.Millisecond
			}
			c := testClient(t, srv.URL, func(c *Config) { c.FirstTokenTimeout = first })
			p := NewPersona(c, sc, 5, quiet, Hooks{Error: func(k string) { kinds = append(kinds, k) }})
			var said []string
			_, err := p.Respond(context.Background(), dialog.Input{Kind: dialog.InputAnswer}, func(s string) error {
				said = append(said, s)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(kinds, []string{tc.kind}) {
				t.Errorf("error kinds %q, want %q", kinds, tc.kind)
			}
			greeting := strings.Join(said, " ")
			if tc.whole && !slices.ContainsFunc(sc.Lines.Greeting, func(g string) bool { return strings.TrimSpace(g) == greeting }) {
				t.Errorf("said %q, want a scripted greeting", greeting)
			}
			if !tc.whole && greeting != "Look, I need this fixed." {
				t.Errorf("said %q, want only the first sentence", greeting)
			}
		})
	}
}

// TestPersonaBargeIn: cancelling the turn after the first sentence closes the request, says
// nothing more, and the next turn's history holds only what the learner heard.
func TestPersonaBargeIn(t *testing.T) {
	sc := shipped(t, "double-charge")
	calls := 0
	f, srv := newFakeChat(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		sseHeader(w)
		if calls == 1 {
			writeSplit(w, `data: {"choices":[{"delta":{"content":"I have been waiting for ages. "}}]}`+"\n\n", 9)
			<-r.Context().Done()
			return
		}
		writeSplit(w, deltas("Fine."), 100)
	})
	p := NewPersona(testClient(t, srv.URL, nil), sc, 1, quiet, Hooks{})
	ctx, cancel := context.WithCancelCause(context.Background())
	var said []string
	_, err := p.Respond(ctx, dialog.Input{Kind: dialog.InputAnswer}, func(s string) error {
		said = append(said, s)
		cancel(dialog.ErrBargeIn)
		return nil
	})
	if !errors.Is(err, context.Canceled) || len(said) != 1 {
		t.Fatalf("err %v said %q; want cancelled after one sentence", err, said)
	}
	<-f.closed
	if _, err := p.Respond(context.Background(), dialog.Input{Kind: dialog.InputSpeech, Text: "sorry", Interrupted: true, Heard: "I have been"}, func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	msgs := f.last().Messages
	if a := msgs[len(msgs)-2]; a.Role != "assistant" || a.Content != "I have been —" {
		t.Errorf("history kept %+v, want what was heard", a)
	}
}

func TestPersonaFaultSkipsModel(t *testing.T) {
	sc := shipped(t, "double-charge")
	f, srv := newFakeChat(t, reply("Never."))
	p := NewPersona(testClient(t, srv.URL, nil), sc, 1, quiet, Hooks{})
	var said []string
	if _, err := p.Respond(context.Background(), dialog.Input{Kind: dialog.InputFault}, func(s string) error { said = append(said, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(f.requests) != 0 || len(said) == 0 {
		t.Errorf("requests %d, said %q: want the scripted repair line and no request", len(f.requests), said)
	}
}

// TestPersonaHangup: when the scripted engine ends the call, the model is told this is the
// last line, and the state says hang up.
func TestPersonaHangup(t *testing.T) {
	sc := shipped(t, "double-charge")
	f, srv := newFakeChat(t, reply("I'm done. Goodbye."))
	p := NewPersona(testClient(t, srv.URL, nil), sc, 1, quiet, Hooks{})
	nop := func(string) error { return nil }
	if _, err := p.Respond(context.Background(), dialog.Input{Kind: dialog.InputAnswer}, nop); err != nil {
		t.Fatal(err)
	}
	st, err := p.Respond(context.Background(), dialog.Input{Kind: dialog.InputSpeech, Text: "calm down, it's our policy"}, nop)
	if err != nil || !st.Hangup {
		t.Fatalf("state %+v err %v, want hang-up", st, err)
	}
	if sys := f.last().Messages[0].Content; !strings.Contains(sys, "This is your last line") {
		t.Errorf("prompt does not end the call:\n%s", sys)
	}
	n := len(f.requests)
	if _, err := p.Respond(context.Background(), dialog.Input{Kind: dialog.InputSpeech, Text: "hello?"}, nop); err != nil || len(f.requests) != n {
		t.Errorf("after hang-up: err %v, %d requests (want none)", err, len(f.requests)-n)
	}
}

// TestPersonaResumed: a reply dropped because the learner went on with the line (its turn
// cancelled after the first sentence) leaves no trace in the history once the whole line
// comes (Input.Resumed): the model sees the whole line once, after the greeting.
func TestPersonaResumed(t *testing.T) {
	sc := shipped(t, "double-charge")
	calls := 0
	f, srv := newFakeChat(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		sseHeader(w)
		if calls == 2 {
			writeSplit(w, `data: {"choices":[{"delta":{"content":"Oh, right. "}}]}`+"\n\n", 9)
			<-r.Context().Done()
			return
		}
		writeSplit(w, deltas("Hi there."), 100)
	})
	p := NewPersona(testClient(t, srv.URL, nil), sc, 1, quiet, Hooks{})
	nop := func(string) error { return nil }
	if _, err := p.Respond(context.Background(), dialog.Input{Kind: dialog.InputAnswer}, nop); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	_, err := p.Respond(ctx, dialog.Input{Kind: dialog.InputSpeech, Text: "I called last week"}, func(string) error {
		cancel(dialog.ErrLearnerContinued)
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want the dropped reply cancelled", err)
	}
	<-f.closed
	whole := "I called last week and nobody helped me at all"
	if _, err := p.Respond(context.Background(), dialog.Input{Kind: dialog.InputSpeech, Text: whole, Resumed: true}, nop); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range f.last().Messages[2:] { // the system prompt, the call connecting
		got = append(got, m.Role+": "+m.Content)
	}
	if want := []string{"assistant: Hi there.", "user: " + whole}; !slices.Equal(got, want) {
		t.Errorf("history %q, want %q", got, want)
	}
}
