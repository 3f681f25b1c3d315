package console

import (
	"context"
	"net/url"
	"slices"

	"github.com/sparlab/spar/web/account"
)

// talkTrackMetrics are the figures the replay's talk-track panel sets beside the typical
// range of the calls its viewer can see (scoring's metric names).
var talkTrackMetrics = []string{"talk_ratio", "longest_monologue_s", "learner_interruptions",
	"persona_interruptions", "words_per_minute", "fillers_per_100", "latency_mean_s", "questions"}

const (
	typicalCalls = 50 // the most recent scored calls of the scenario a range is taken from
	typicalMin   = 3  // fewer calls than this give no range
)

// typicalRange is the middle half (25th to 75th percentile) of a figure over N calls.
type typicalRange struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	N    int     `json:"n"`
}

// typical returns, per talk-track figure, its middle half over the most recent scored calls
// of scenario that u may see (a trainer's team, a learner's own reps), the call shown
// included. Figures with fewer than typicalMin calls are left out.
func (c *Console) typical(ctx context.Context, u *account.User, scenario string) (map[string]typicalRange, error) {
	q, err := parseListQuery(url.Values{"scenario": {scenario}})
	if err != nil {
		return nil, err
	}
	q.noTrials = true
	rows, _, err := c.listRows(ctx, u, q, typicalCalls)
	if err != nil {
		return nil, err
	}
	out := map[string]typicalRange{}
	for _, name := range talkTrackMetrics {
		var vs []float64
		for _, rw := range rows {
			if rw.Card == nil {
				continue
			}
			if v, ok := rw.Card.Metrics.Value(name); ok {
				vs = append(vs, v)
			}
		}
		if len(vs) < typicalMin {
			continue
		}
		slices.Sort(vs)
		out[name] = typicalRange{Low: quantile(vs, 0.25), High: quantile(vs, 0.75), N: len(vs)}
	}
	return out, nil
}

// quantile interpolates the q-th quantile of sorted vs.
func quantile(vs []float64, q float64) float64 {
	pos := q * float64(len(vs)-1)
	i := int(pos)
	if i+1 >= len(vs) {
		return vs[len(vs)-1]
	}
	return vs[i] + (pos-float64(i))*(vs[i+1]-vs[i])
}
