package webrtc

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
)

// ErrTrialRefused refuses an offer whose trial ticket the TrialFunc did not accept: unknown,
// expired, for another scenario, or from someone who may not try drafts.
var ErrTrialRefused = errors.New("webrtc: trial call refused")

// TrialFunc checks a trial ticket on an offer (Message.Trial): a trainer trying a scenario
// that learners cannot call yet, a draft version. It returns the parameters the call is
// recorded with (which version, that it is a trial), or an error, which refuses the offer.
// scenario is the offer's scenario ID; the ticket must be for it.
type TrialFunc func(r *http.Request, ticket, scenario string) (params map[string]string, err error)

// maxTicket bounds a trial ticket; real ones are 26 characters.
const maxTicket = 128

// trialParams checks req's trial ticket, if it has one. ok reports a trial: the scenario
// need not be in the catalog (a draft is not).
func (s *Server) trialParams(r *http.Request, req offerRequest) (params map[string]string, ok bool, err error) {
	if req.Trial == "" {
		return nil, false, nil
	}
	if len(req.Trial) > maxTicket {
		return nil, false, fmt.Errorf("%w: trial ticket too long", ErrBadRequest)
	}
	if s.Trial == nil {
		return nil, false, fmt.Errorf("%w: this server takes no trial calls", ErrTrialRefused)
	}
	params, err = s.Trial(r, req.Trial, req.Scenario)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrTrialRefused, err)
	}
	return maps.Clone(params), true, nil
}
