package twilio

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/sparlab/spar/telephony"
)

// FuzzDecodeMessage feeds untrusted socket bytes to the parser and, when accepted, through
// the inbound audio chain. Corpus: testdata/fuzz/FuzzDecodeMessage.
func FuzzDecodeMessage(f *testing.F) {
	f.Add([]byte(`{"event":"media","sequenceNumber":"4","media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"//8A"},"streamSid":"MZ1"}`))
	known := []string{EventConnected, EventStart, EventMedia, EventDTMF, EventMark, EventStop, EventClear}
	call := telephony.NewCall(telephony.Info{}, nil, func(error) {})
	in, err := newInbound(call, steppingClock(time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	var m Message
	f.Fuzz(func(t *testing.T, data []byte) {
		err := DecodeMessage(data, &m)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if !slices.Contains(known, m.Event) {
			t.Fatalf("accepted unknown event %q", m.Event)
		}
		parts := map[string]bool{EventStart: m.Start != nil, EventMedia: m.Media != nil, EventDTMF: m.DTMF != nil, EventMark: m.Mark != nil, EventStop: m.Stop != nil}
		for ev, set := range parts {
			if set && ev != m.Event {
				t.Fatalf("%s message carries a %s part", m.Event, ev)
			}
		}
		if m.Event == EventMedia {
			before := in.pos
			err := in.media(m.Media)
			if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, errOutOfOrder) {
				t.Fatalf("inbound error %v", err)
			}
			if in.pos < before {
				t.Fatalf("media clock went back: %d -> %d", before, in.pos)
			}
		}
	})
}

// FuzzWebhook posts arbitrary forms to the voice webhook: it must answer TwiML, 403 or 400,
// and never panic. Corpus: testdata/fuzz/FuzzWebhook.
func FuzzWebhook(f *testing.F) {
	f.Add("From=%2B14155550100&To=%2B15550001111&CallSid=CA1", "", true)
	cfg := withMenu(testConfig(public))
	cfg.Numbers = map[string]string{"+15550001111": "angry-double-charge"}
	s := newTestServer(f, cfg, func(context.Context, *telephony.Call) error { return nil })
	f.Fuzz(func(t *testing.T, body, attempt string, signIt bool) {
		path := PathVoice
		if attempt != "" {
			path += "?attempt=" + url.QueryEscape(attempt)
		}
		r := postBody(public+path, body)
		form, parseErr := url.ParseQuery(body)
		if signIt && parseErr == nil {
			r.Header.Set("X-Twilio-Signature", sign(testToken, public+path, form))
		}
		w := serve(s, r)
		switch w.Code {
		case http.StatusOK:
			tree, err := parseXML(w.Body.String())
			if err != nil || tree.Name != "Response" || len(tree.Children) == 0 {
				t.Fatalf("200 without TwiML (%v): %q", err, w.Body)
			}
		case http.StatusForbidden:
			if signIt && parseErr == nil && len(body) < maxFormBytes {
				t.Fatalf("signed form refused: %q", body)
			}
		case http.StatusBadRequest:
		default:
			t.Fatalf("status %d: %q", w.Code, w.Body)
		}
	})
}
