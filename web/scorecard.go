package web

import (
	"context"
	"net/http"

	"github.com/sparlab/spar/scoring"
)

// Scorecards reads the scorecards the scoring workers store.
type Scorecards interface {
	Get(ctx context.Context, id string) (*scoring.Scorecard, error)
}

// getScorecard answers 404 {"status":"pending"} until the call has been scored.
func (s *Server) getScorecard(w http.ResponseWriter, r *http.Request) {
	card, err := s.cards.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, card)
}
