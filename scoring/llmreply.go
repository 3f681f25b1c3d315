package scoring

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog"
)

// judgeReply is the JSON object an LLM judge answers with (replyShape).
type judgeReply struct {
	Criteria []replyCriterion `json:"criteria"`
}

type replyCriterion struct {
	ID        string       `json:"id"`
	Score     *float64     `json:"score"`
	Rationale string       `json:"rationale"`
	Evidence  []replyQuote `json:"evidence"`
	Better    string       `json:"better"`
}

type replyQuote struct {
	Speaker  string `json:"speaker"`
	At       string `json:"at"`
	Text     string `json:"text"`
	Positive *bool  `json:"positive"`
}

// parseReply decodes content strictly: one JSON object, nothing after it, every rubric
// criterion exactly once with a score in 0..1 and a rationale, every quote with a known
// speaker, text and a readable timestamp (or none: AtUnknown). Any problem is ErrJudgeReply.
// Quotes are not checked against the transcript here: Score does that for every judge, and a
// persona quote, well formed, fails there.
func parseReply(content string, r *Rubric) ([]CriterionResult, error) {
	dec := json.NewDecoder(strings.NewReader(content))
	var rep judgeReply
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("%w: not the JSON object asked for: %w", ErrJudgeReply, err)
	}
	if strings.TrimSpace(content[dec.InputOffset():]) != "" {
		return nil, fmt.Errorf("%w: more than one JSON value", ErrJudgeReply)
	}
	want := map[string]bool{}
	for _, cr := range r.Criteria {
		want[cr.ID] = true
	}
	var errs []error
	out := make([]CriterionResult, 0, len(rep.Criteria))
	seen, named := map[string]bool{}, map[string]bool{}
	for i, jc := range rep.Criteria {
		named[jc.ID] = true
		where := fmt.Sprintf("criteria[%d] %q", i, jc.ID)
		switch {
		case !want[jc.ID]:
			errs = append(errs, fmt.Errorf("%s: not a criterion of the rubric", where))
			continue
		case seen[jc.ID]:
			errs = append(errs, fmt.Errorf("%s: given twice", where))
			continue
		case jc.Score == nil || math.IsNaN(*jc.Score) || *jc.Score < 0 || *jc.Score > 1:
			errs = append(errs, fmt.Errorf("%s: score missing or not in 0..1", where))
			continue
		case strings.TrimSpace(jc.Rationale) == "":
			errs = append(errs, fmt.Errorf("%s: no rationale", where))
			continue
		}
		seen[jc.ID] = true
		res := CriterionResult{ID: jc.ID, Score: *jc.Score, Rationale: oneLine(jc.Rationale), Better: oneLine(jc.Better)}
		for k, q := range jc.Evidence {
			quote, err := q.quote()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: evidence[%d]: %w", where, k, err))
				continue
			}
			res.Evidence = append(res.Evidence, quote)
		}
		out = append(out, res)
	}
	for _, cr := range r.Criteria {
		if !named[cr.ID] {
			errs = append(errs, fmt.Errorf("criterion %q missing", cr.ID))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrJudgeReply, errors.Join(errs...))
	}
	return out, nil
}

// unquoted is the rationale of a behaviour criterion the LLM judge gave credit without a quote.
const unquoted = "The judge quoted none of the learner's lines for this, so it gets no credit."

// requireQuotes takes the credit away from each criterion graded on behaviours that the
// judge scored above 0 without quoting a line of the learner's that shows one: such a
// criterion earns nothing when none of its behaviours was heard (Criterion.Behaviours), so
// the judge must say where it heard one. Criteria graded on metrics and anti-patterns alone
// need no quote.
func requireQuotes(results []CriterionResult, r *Rubric) {
	graded := map[string]bool{}
	for _, cr := range r.Criteria {
		graded[cr.ID] = len(cr.Behaviours) > 0
	}
	for i := range results {
		res := &results[i]
		if !graded[res.ID] || res.Score == 0 {
			continue
		}
		if !slices.ContainsFunc(res.Evidence, func(q Quote) bool { return q.Positive }) {
			res.Score, res.Rationale, res.LowConfidence = 0, unquoted, true
		}
	}
}

func (q replyQuote) quote() (Quote, error) {
	if q.Speaker != dialog.SpeakerLearner && q.Speaker != dialog.SpeakerPersona {
		return Quote{}, fmt.Errorf("speaker %q: want learner or persona", q.Speaker)
	}
	if strings.TrimSpace(q.Text) == "" {
		return Quote{}, errors.New("empty text")
	}
	at := AtUnknown // verification then looks in every learner line
	if strings.TrimSpace(q.At) != "" {
		var err error
		if at, err = parseClock(q.At); err != nil {
			return Quote{}, err
		}
	}
	pos := q.Positive == nil || *q.Positive
	return Quote{Speaker: q.Speaker, At: at, Text: oneLine(q.Text), Positive: pos}, nil
}

// parseClock reads "m:ss", "h:mm:ss" (fractions allowed) or plain seconds; "" is 0.
func parseClock(s string) (time.Duration, error) {
	s = strings.Trim(strings.TrimSpace(s), "[]")
	if s == "" {
		return 0, nil
	}
	var secs float64
	for _, part := range strings.Split(s, ":") {
		f, err := strconv.ParseFloat(part, 64)
		if err != nil || f < 0 {
			return 0, fmt.Errorf("timestamp %q: want m:ss", s)
		}
		secs = secs*60 + f
	}
	return time.Duration(secs * float64(time.Second)), nil
}
