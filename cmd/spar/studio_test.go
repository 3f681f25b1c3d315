package main

import (
	"log/slog"
	"testing"

	"github.com/sparlab/spar/dialog/llm"
	"github.com/sparlab/spar/dialog/studio"
	"github.com/sparlab/spar/dialog/studio/draft"
)

// TestNewDrafter: the offline drafter stays the default; a configured LLM drafts instead.
func TestNewDrafter(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	if d, err := newDrafter(Config{}, studio.Linter{}, log); err != nil || d != nil {
		t.Errorf("no LLM: drafter %v, %v; want none (the console's offline one)", d, err)
	}
	cfg := Config{}
	cfg.Providers.LLM = &llm.Config{BaseURL: "http://127.0.0.1:11434", Model: "llama3"}
	d, err := newDrafter(cfg, studio.Linter{}, log)
	if _, ok := d.(*draft.LLM); err != nil || !ok {
		t.Errorf("with an LLM: drafter %T, %v; want *draft.LLM", d, err)
	}
}
