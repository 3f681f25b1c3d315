package scoring

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
)

// maxPractice bounds the things to practise next.
const maxPractice = 3

// strongAt is the criterion score from which it counts as a strength.
const strongAt = 0.75

// assemble turns a judge's results into a scorecard: every quote checked against the
// transcript, criteria in rubric order (a criterion the judge skipped scores zero,
// low-confidence), the weighted overall, pass, flags with their notes, strengths, practice
// and winning lines.
func assemble(c *Call, results []CriterionResult) *Scorecard {
	rec, r := c.Record, c.Rubric
	card := &Scorecard{
		CallID: rec.ID, Scenario: rec.Scenario, Learner: rec.Learner, Rubric: r.Title,
		PassMark: int(math.Round(r.PassMark)), Metrics: c.Metrics,
	}
	byID := map[string]CriterionResult{}
	for _, res := range results {
		byID[res.ID] = res
	}
	tr := sortedTranscript(rec.Transcript)
	var sum, weights float64
	pass, low := true, false
	for _, cr := range r.Criteria {
		res, ok := byID[cr.ID]
		if !ok {
			res = CriterionResult{Rationale: "the judge gave no result for this criterion", LowConfidence: true}
		}
		res.ID, res.Name, res.Weight, res.Required = cr.ID, cr.Name, cr.Weight, cr.Required
		res.Score = round3(clamp01(res.Score))
		if res.Better == "" {
			res.Better = cr.Better[0]
		}
		checkEvidence(tr, &res)
		low = low || res.LowConfidence
		sum += cr.Weight * res.Score
		weights += cr.Weight
		if cr.Required && !Holds(res.Score) {
			pass = false
		}
		card.Criteria = append(card.Criteria, res)
	}
	card.Overall = int(math.Round(100 * sum / weights))
	card.Pass = pass && float64(card.Overall) >= r.PassMark
	card.Strengths = strengths(card.Criteria)
	card.PractiseNext = practise(card.Criteria)
	card.WinningLines = winningLines(card.Criteria)
	for _, f := range callFlags(c) {
		card.AddFlag(f)
	}
	if low {
		card.AddFlag(FlagLowConfidence)
	}
	if showsMisheard(card.Criteria) {
		card.AddFlag(FlagMisheard)
	}
	return card
}

// unverified is the rationale of a criterion none of whose evidence verified.
const unverified = "The evidence the judge gave for this could not be found in the learner's lines of the transcript, so it gets no credit."

// checkEvidence keeps the quotes of res that verify (verifyQuote) and marks res
// low-confidence when one does not. A criterion that came with evidence and kept none gets
// no credit from the judge: its score would rest on words nobody said. Nor does one whose
// positive quotes, the ones credit rests on, all failed: a real anti-pattern quote beside an
// invented good line earns nothing.
func checkEvidence(tr []dialog.Utterance, res *CriterionResult) {
	kept := res.Evidence[:0:0]
	var pos, posKept int
	for _, q := range res.Evidence {
		if q.Positive {
			pos++
		}
		v, ok := verifyQuote(tr, q)
		if !ok {
			res.LowConfidence = true
			continue
		}
		kept = append(kept, v)
		if q.Positive {
			posKept++
		}
	}
	if (len(res.Evidence) > 0 && len(kept) == 0) || (pos > 0 && posKept == 0 && res.Score > 0) {
		res.Score, res.Rationale = 0, unverified
	}
	res.Evidence = kept
}

// showsMisheard reports whether the card shows a misheard quote (as evidence, and so perhaps
// as a strength).
func showsMisheard(cs []CriterionResult) bool {
	for _, c := range cs {
		for _, q := range c.Evidence {
			if q.Misheard {
				return true
			}
		}
	}
	return false
}

// callFlags qualifies a score by how complete the call's record is.
func callFlags(c *Call) []string {
	var f []string
	if c.Record.Status == store.StatusInterrupted {
		f = append(f, FlagInterrupted)
	}
	if c.Record.Dropped > 0 {
		f = append(f, FlagTimelineGaps)
	}
	if len(c.Events) == 0 {
		f = append(f, FlagNoTimeline)
	}
	if c.Metrics.LearnerTurns < 3 {
		f = append(f, FlagShortCall)
	}
	return f
}

// Evidence rules (verifyQuote).
const (
	// minQuoteWords is the fewest words a quote may have: "okay" or "yes" is in most
	// calls and says nothing about which moment the judge means. A learner line shorter
	// than this may still be quoted whole.
	minQuoteWords = 3
	// quoteSlack is how far from its line's span a quote's timestamp may be.
	quoteSlack = 2 * time.Second
	// misheardBelow is the recognizer confidence under which a quoted line is marked
	// misheard (0 is a recognizer that gives none).
	misheardBelow = 0.6
)

// verifyQuote finds q among the learner's lines: criteria score the learner, so a persona
// line is no evidence. The quote's words (tokenized like the detectors do, so case and
// punctuation do not matter) must appear in order, contiguously, in one learner line; it must
// have at least minQuoteWords words unless it is that whole line; and when the judge gave a
// timestamp it must fall within the line's span, give or take quoteSlack (a wrong
// timestamp fails the quote rather than moving it). Of several such lines the one nearest
// q.At is taken, and the quote gets that line's start, and Misheard when the recognizer was
// unsure of the line.
func verifyQuote(tr []dialog.Utterance, q Quote) (Quote, bool) {
	if q.Speaker != "" && q.Speaker != dialog.SpeakerLearner {
		return q, false
	}
	want := scenario.Tokenize(q.Text)
	if len(want) == 0 {
		return q, false
	}
	best, bestOff, found := dialog.Utterance{}, time.Duration(0), false
	for _, u := range tr {
		if u.Speaker != dialog.SpeakerLearner {
			continue
		}
		toks := scenario.Tokenize(u.Text)
		if !containsSeq(toks, want) || (len(want) < minQuoteWords && len(want) != len(toks)) {
			continue
		}
		off := time.Duration(0)
		if q.At != AtUnknown {
			if off = offSpan(u, q.At); off > quoteSlack {
				continue
			}
		}
		if !found || off < bestOff {
			best, bestOff, found = u, off, true
		}
	}
	if !found {
		return q, false
	}
	q.Speaker, q.At = best.Speaker, best.Start
	q.Misheard = best.Confidence > 0 && best.Confidence < misheardBelow
	return q, true
}

// offSpan is how far at lies outside u's span (0 inside it).
func offSpan(u dialog.Utterance, at time.Duration) time.Duration {
	end := max(u.End, u.Start)
	switch {
	case at < u.Start:
		return u.Start - at
	case at > end:
		return at - end
	}
	return 0
}

func containsSeq(toks, want []string) bool {
	for i := 0; i+len(want) <= len(toks); i++ {
		if slices.Equal(toks[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

func strengths(cs []CriterionResult) []string {
	var good []CriterionResult
	for _, c := range cs {
		if c.Score >= strongAt {
			good = append(good, c)
		}
	}
	slices.SortStableFunc(good, func(a, b CriterionResult) int { return cmp.Compare(b.Weight*b.Score, a.Weight*a.Score) })
	var out []string
	for _, c := range good[:min(len(good), 3)] {
		s := c.Name
		if q, ok := firstPositive(c.Evidence); ok {
			s += fmt.Sprintf(": %q at %s%s", q.Text, clock(q.At), misheardMark(q))
		}
		out = append(out, s)
	}
	return out
}

// practise picks the one to three criteria that cost the most points (weight times missing
// credit) among those below strongAt; a call strong everywhere still gets its weakest one.
func practise(cs []CriterionResult) []Practice {
	s := slices.Clone(cs)
	slices.SortStableFunc(s, func(a, b CriterionResult) int {
		return cmp.Compare(b.Weight*(1-b.Score), a.Weight*(1-a.Score))
	})
	var out []Practice
	for i, c := range s {
		if len(out) == maxPractice || (i > 0 && c.Score >= strongAt) {
			break
		}
		out = append(out, Practice{Criterion: c.ID, Name: c.Name, Why: c.Rationale, Try: c.Better})
	}
	return out
}

// winningLines ranks the learner lines quoted as positive evidence by the weight of the
// criteria they earned, leaving out any line also quoted as an anti-pattern, any line whose
// criterion does not hold (a line that earned nothing is not one to keep) and
// any line that may be misheard (the learner may not have said it).
func winningLines(cs []CriterionResult) []Quote {
	type cand struct {
		q      Quote
		weight float64
	}
	byKey := map[string]*cand{}
	bad := map[string]bool{}
	var order []string
	for _, c := range cs {
		for _, q := range c.Evidence {
			if q.Speaker != dialog.SpeakerLearner {
				continue
			}
			k := fmt.Sprint(q.At) + "|" + strings.ToLower(q.Text)
			if !q.Positive {
				bad[k] = true
				continue
			}
			if !Holds(c.Score) || q.Misheard {
				continue
			}
			if byKey[k] == nil {
				byKey[k] = &cand{q: Quote{Speaker: q.Speaker, At: q.At, Text: q.Text, Positive: true}}
				order = append(order, k)
			}
			byKey[k].weight += c.Weight
			byKey[k].q.Note = joinNote(byKey[k].q.Note, c.Name)
		}
	}
	var cands []*cand
	for _, k := range order {
		if !bad[k] {
			cands = append(cands, byKey[k])
		}
	}
	slices.SortStableFunc(cands, func(a, b *cand) int { return cmp.Compare(b.weight, a.weight) })
	var out []Quote
	for _, c := range cands[:min(len(cands), 3)] {
		out = append(out, c.q)
	}
	return out
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

func firstPositive(qs []Quote) (Quote, bool) {
	for _, q := range qs {
		if q.Positive {
			return q, true
		}
	}
	return Quote{}, false
}

// misheardMark is what follows a quote that may be misheard wherever it is shown.
func misheardMark(q Quote) string {
	if q.Misheard {
		return " (may be misheard)"
	}
	return ""
}
