package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/tts/flite"
	"github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/web/webtest"
)

// fakeOpenAI serves /v1/chat/completions (SSE, one word every 60 ms, like a slow model) and
// /v1/audio/speech (raw 24 kHz PCM streamed in real time, like a streaming TTS). It counts
// requests the client abandoned before the response was complete.
type fakeOpenAI struct {
	chats, chatsCut     atomic.Int32
	speeches, speechCut atomic.Int32
}

const fakeReply = "Look, I have been on hold for twenty minutes and I was charged twice this morning, " +
	"so I really need you to tell me what you are going to do about it. Right now, please. " +
	"Because this is my rent money and I cannot wait another week for it."

func (f *fakeOpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fl := w.(http.Flusher)
	switch r.URL.Path {
	case "/v1/chat/completions":
		f.chats.Add(1)
		var req struct {
			Stream   bool              `json:"stream"`
			Messages []json.RawMessage `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !req.Stream || len(req.Messages) == 0 {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, word := range strings.Fields(fakeReply) {
			chunk, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{
				"index": 0, "delta": map[string]string{"content": word + " "}, "finish_reason": nil}}})
			if _, err := fmt.Fprintf(w, "data: %s\n\n", chunk); err != nil {
				f.chatsCut.Add(1)
				return
			}
			fl.Flush()
			select {
			case <-r.Context().Done():
				f.chatsCut.Add(1)
				return
			case <-time.After(150 * time.Millisecond):
			}
		}
		fmt.Fprint(w, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
	case "/v1/audio/speech":
		f.speeches.Add(1)
		var req struct {
			Input  string `json:"input"`
			Format string `json:"response_format"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Format != "pcm" {
			http.Error(w, `{"error":{"message":"want response_format pcm"}}`, http.StatusBadRequest)
			return
		}
		// 250 ms of audio per word, sent in 100 ms chunks at real-time pace.
		total := 24000 / 4 * len(strings.Fields(req.Input))
		buf := make([]byte, 2*2400)
		for sent := 0; sent < total; sent += 2400 {
			for i := 0; i < 2400; i++ {
				v := int16(6000 * math.Sin(2*math.Pi*220*float64(sent+i)/24000))
				binary.LittleEndian.PutUint16(buf[2*i:], uint16(v))
			}
			if _, err := w.Write(buf); err != nil {
				f.speechCut.Add(1)
				return
			}
			fl.Flush()
			select {
			case <-r.Context().Done():
				f.speechCut.Add(1)
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	default:
		http.NotFound(w, r)
	}
}

// TestEndToEndBargeInCancelsProviders places a phone call whose persona is an LLM with a
// streaming TTS (both in-process fakes speaking the OpenAI wire format) and barges in: the
// in-flight chat and speech requests must be abandoned.
func TestEndToEndBargeInCancelsProviders(t *testing.T) {
	fake := &fakeOpenAI{}
	api := httptest.NewServer(fake)
	defer api.Close()
	e := newEnv(t)
	extra := fmt.Sprintf("providers:\n  persona: llm\n  tts: openai\n  llm:\n    base_url: %s\n    model: fake-model\n    api_key_env: SPAR_E2E_KEY\n  openai_tts:\n    base_url: %s\n    api_key_env: SPAR_E2E_KEY\n", api.URL, api.URL)
	f, err := os.OpenFile(e.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(extra)
	f.Close()
	t.Setenv("SPAR_E2E_KEY", "test-key")
	srv := e.start(t)

	script, err := sim.ParseScript(strings.NewReader(`
- say: "Thank you for calling Brightwave billing, my name is Sam. How can I help you today?"
- say: "I am so sorry about that, let me fix it for you right now."
  barge: 2s
- hangup: true
`))
	if err != nil {
		t.Fatal(err)
	}
	synth, err := flite.New(flite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	res, err := sim.Run(ctx, sim.Config{BaseURL: srv.base, AuthToken: e2eToken, Script: script}, synth, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if res.Clears < 1 {
		t.Errorf("no clear: the barge-in did not interrupt the persona (%+v)", res.Heard)
	}
	if fake.chats.Load() < 2 || fake.speeches.Load() < 2 {
		t.Fatalf("providers not used: %d chats, %d speech requests", fake.chats.Load(), fake.speeches.Load())
	}
	if fake.chatsCut.Load() < 1 {
		t.Errorf("no chat completion was cancelled by the barge-in (%d requests)", fake.chats.Load())
	}
	if fake.speechCut.Load() < 1 {
		t.Errorf("no speech request was cancelled by the barge-in (%d requests)", fake.speeches.Load())
	}

	st := openStore(t, e)
	var rec *store.Record
	webtest.Poll(t, "the sealed record", 30*time.Second, func() bool {
		rec, err = st.Get(t.Context(), res.CallID)
		return err == nil
	})
	if len(rec.Latency) == 0 {
		t.Errorf("record keeps no per-turn latency")
	}
	events, err := st.Timeline(t.Context(), res.CallID)
	if err != nil {
		t.Fatal(err)
	}
	barged := false
	for _, ev := range events {
		barged = barged || (ev.Kind == dialog.EventBargeIn && ev.Speaker == dialog.SpeakerLearner)
		if ev.Kind == dialog.EventFault && !strings.Contains(ev.Detail, "stt") {
			t.Errorf("provider fault on the timeline: %s", ev.Detail)
		}
	}
	if !barged {
		t.Errorf("no learner barge-in on the timeline")
	}
	_, metricsText := httpGet(t, srv.base+"/metrics")
	if !strings.Contains(metricsText, `spar_turn_stage_seconds_count{stage="llm_first_token"}`) {
		t.Errorf("/metrics has no LLM first-token latency")
	}
}
