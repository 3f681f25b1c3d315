package scoring

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
)

// Deterministic is the offline judge: each criterion's phrase detectors run over the
// learner's lines and its metric thresholds over the call's metrics. The same call always
// gets the same score.
type Deterministic struct{}

var _ Judge = Deterministic{}

// maxQuotes bounds the evidence kept per criterion and side (positive, anti-pattern).
const maxQuotes = 3

// quoteWords bounds a quote's length; longer lines are cut at a word boundary.
const quoteWords = 30

// line is one learner line with its tokens and the scenario behaviours found in it.
type line struct {
	u     dialog.Utterance
	toks  []string
	found map[string]bool
}

// Judge scores every criterion of c.Rubric.
func (Deterministic) Judge(_ context.Context, c *Call) ([]CriterionResult, error) {
	var det *scenario.Detector
	if c.Scenario != nil {
		det = c.Scenario.Detector()
	}
	var lines []line
	for _, u := range sortedTranscript(c.Record.Transcript) {
		if u.Speaker != dialog.SpeakerLearner {
			continue
		}
		l := line{u: u, toks: scenario.Tokenize(u.Text), found: map[string]bool{}}
		if det != nil {
			for _, b := range det.DetectTokens(l.toks) {
				l.found[b] = true
			}
		}
		lines = append(lines, l)
	}
	out := make([]CriterionResult, 0, len(c.Rubric.Criteria))
	for i := range c.Rubric.Criteria {
		out = append(out, judgeCriterion(&c.Rubric.Criteria[i], lines, c.Metrics))
	}
	return out, nil
}

func judgeCriterion(cr *Criterion, lines []line, m Metrics) CriterionResult {
	res := CriterionResult{ID: cr.ID, Better: cr.Better[0]}
	var why []string
	var parts []float64
	hasPos := len(cr.pos)+len(cr.Behaviours) > 0
	distinct := map[int]bool{} // which positive detectors were heard, over the whole call
	pos, neg := 0, 0
	for _, l := range lines {
		if hits := l.hits(cr.pos, cr.Behaviours); len(hits) > 0 {
			pos++
			for _, h := range hits {
				distinct[h] = true
			}
			if pos <= maxQuotes {
				res.Evidence = append(res.Evidence, quoteOf(l.u, true, cr.Name))
			}
		}
		if len(l.hits(cr.neg, cr.AvoidBehaviours)) > 0 {
			neg++
			if neg <= maxQuotes {
				res.Evidence = append(res.Evidence, quoteOf(l.u, false, "costs credit: "+cr.Name))
			}
		}
	}
	if hasPos {
		parts = append(parts, clamp01(float64(len(distinct))/float64(cr.Want)))
		why = append(why, fmt.Sprintf("%d of %d wanted detector(s) heard, in %d line(s)", min(len(distinct), cr.Want), cr.Want, pos))
	}
	for _, t := range cr.Metrics {
		v, _ := m.Value(t.Metric)
		credit := t.Credit(v)
		parts = append(parts, credit)
		why = append(why, fmt.Sprintf("%s %s (full credit at %s, none at %s)", t.Metric, fmtNum(v), fmtNum(t.Full), fmtNum(t.Zero)))
	}
	score := 1.0
	if len(parts) > 0 {
		score = 0
		for _, p := range parts {
			score += p
		}
		score /= float64(len(parts))
	}
	if neg > 0 {
		score -= cr.Penalty * float64(neg)
		why = append(why, fmt.Sprintf("%d line(s) with an anti-pattern", neg))
	}
	if cr.Max > 0 && pos > cr.Max {
		score -= cr.Penalty / 2 * float64(pos-cr.Max)
		why = append(why, fmt.Sprintf("repeated %d times (once or twice sounds sincere)", pos))
	}
	res.Score = round3(clamp01(score))
	if len(why) == 0 {
		why = append(why, "no anti-pattern heard")
	}
	res.Rationale = strings.Join(why, "; ")
	return res
}

// hits returns the indexes of the detectors heard in the line: behaviours first, then
// phrases.
func (l line) hits(ps []scenario.Phrase, behaviours []string) []int {
	var out []int
	for i, b := range behaviours {
		if l.found[b] {
			out = append(out, i)
		}
	}
	for i, p := range ps {
		if p.Match(l.toks) {
			out = append(out, len(behaviours)+i)
		}
	}
	return out
}

// quoteOf quotes a learner line, cut to quoteWords words.
func quoteOf(u dialog.Utterance, positive bool, note string) Quote {
	words := strings.Fields(u.Text)
	text := strings.Join(words[:min(len(words), quoteWords)], " ")
	return Quote{Speaker: u.Speaker, At: u.Start, Text: text, Positive: positive, Note: note}
}

func fmtNum(f float64) string {
	return strconv.FormatFloat(float64(int64(f*100+0.5*sign(f)))/100, 'f', -1, 64)
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}
