package scenario_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sparlab/spar/dialog/scenario"
)

// minimalFile is a valid scenario of 25 lines; the cases append a providers block at line 26.
const minimalFile = `id: minimal
title: Minimal
category: support
difficulty: medium
situation: A caller.
learner_goal: Help them.
persona:
  name: Pat
  voice: slt
  goal: A refund.
behaviours:
  apologize:
    phrases: [sorry]
    mood: -1
stages:
  - name: opening
  - name: close
    advance: {all: [apologize]}
lines:
  greeting: ["Hello."]
  silence: ["Hello?"]
  hangup_angry: ["Bye."]
  goodbye_resolved: ["Thanks, bye."]
  repair: ["Sorry?"]
  interrupted: ["Hang on."]
`

// serverHas stands in for a server config with an llm persona and an elevenlabs tts.
func serverHas(p scenario.Providers, key string) error {
	value := p.Get(key)
	known := map[string][]string{"persona": {"scripted", "llm"}, "stt": {"sphinx"}, "tts": {"flite", "elevenlabs"}}
	if key == "voice" || slices.Contains(known[key], value) {
		return nil
	}
	return errors.New("no such provider: add it to spar.yaml")
}

func TestProvidersBlock(t *testing.T) {
	tests := []struct {
		name, block string
		want        scenario.Providers
		lint        []string // problems with the server's names checked, as file:line:col: msg
	}{
		{"unset", "", scenario.Providers{}, nil},
		{"empty block", "providers:\n", scenario.Providers{}, nil},
		{"all set", "providers:\n  persona: llm\n  stt: sphinx\n  tts: elevenlabs\n  voice: 21m00Tcm4TlvDq8ikWAM\n",
			scenario.Providers{Persona: "llm", STT: "sphinx", TTS: "elevenlabs", Voice: "21m00Tcm4TlvDq8ikWAM"}, nil},
		{"unknown key", "providers:\n  persona: llm\n  speech: flite\n", scenario.Providers{Persona: "llm"},
			[]string{`s.yaml:28:3: unknown key "speech" in providers (known: persona, stt, tts, voice)`}},
		{"unknown provider name", "providers:\n  persona: llm\n  tts: polly\n", scenario.Providers{Persona: "llm", TTS: "polly"},
			[]string{`s.yaml:28:8: providers.tts "polly": no such provider: add it to spar.yaml`}},
		{"bad name shape", "providers:\n  stt: Deep Gram\n", scenario.Providers{STT: "Deep Gram"},
			[]string{
				`s.yaml:27:8: providers.stt "Deep Gram": a provider name is lower-case letters, digits, - and _`,
				`s.yaml:27:8: providers.stt "Deep Gram": no such provider: add it to spar.yaml`,
			}},
		{"not a mapping", "providers: llm\n", scenario.Providers{},
			[]string{`s.yaml:26:12: providers: expected a mapping`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(minimalFile + tc.block)
			s, err := scenario.Parse("s.yaml", data)
			schemaOK := err == nil
			if schemaOK && s.Providers != tc.want {
				t.Errorf("Providers = %+v, want %+v", s.Providers, tc.want)
			}
			fsys := fstest.MapFS{"s.yaml": {Data: data}}
			var got []string
			for _, p := range (scenario.Linter{Providers: serverHas}).Lint(fsys, "s.yaml") {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tc.lint) {
				t.Errorf("lint with the server's names:\ngot  %q\nwant %q", got, tc.lint)
			}
			// Without a server to ask, only the file's own shape is checked.
			for _, p := range scenario.Lint(fsys, "s.yaml") {
				if strings.Contains(p.Msg, "no such provider") {
					t.Errorf("plain Lint asked a server: %v", p)
				}
			}
		})
	}
}

// TestCheckProvidersOrder: every key is asked about once, in file order, with its value.
func TestCheckProvidersOrder(t *testing.T) {
	s, err := scenario.Parse("s.yaml", []byte(minimalFile+"providers:\n  voice: v1\n  tts: t1\n  persona: p1\n"))
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	probs := s.CheckProviders(func(p scenario.Providers, k string) error {
		asked = append(asked, k+"="+p.Get(k))
		return errors.New("no")
	})
	if want := []string{"persona=p1", "tts=t1", "voice=v1"}; !slices.Equal(asked, want) {
		t.Errorf("asked %v, want %v", asked, want)
	}
	if len(probs) != 3 || probs[0].Line != 27 || probs[2].Line != 29 {
		t.Errorf("problems %v: want three, sorted by line 27..29", probs)
	}
}
