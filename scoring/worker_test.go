package scoring

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/telephony"
)

var errKilled = errors.New("worker killed")

// queueEnv is a real Redis with one sealed call and its calls:sealed notice.
type queueEnv struct {
	rdb redis.UniversalClient
	st  *store.Store
	id  string
}

func newQueueEnv(t *testing.T) *queueEnv {
	t.Helper()
	rdb := storetest.Redis(t)
	st, err := store.New(rdb, store.Config{Prefix: storetest.Prefix(t), Node: "n1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	env := &queueEnv{rdb: rdb, st: st, id: "call-1"}
	l, err := st.Begin(ctx, telephony.Info{ID: env.id, Scenario: "double-charge", Learner: "l1", Transport: "webrtc"}, "")
	if err != nil {
		t.Fatal(err)
	}
	l.Append(dialog.Event{Kind: dialog.EventLearnerSaid, At: 3 * time.Second, Dur: time.Second, Speaker: dialog.SpeakerLearner, Text: "sorry"})
	if _, err := l.Seal(ctx, dialog.Result{EndReason: "learner hung up", Duration: 5 * time.Second, Transcript: []dialog.Utterance{
		{Speaker: dialog.SpeakerLearner, Text: "sorry", Start: 2 * time.Second, End: 3 * time.Second},
	}}); err != nil {
		t.Fatal(err)
	}
	return env
}

// countingScorer scores every call with a fixed card, failing the first failures times.
type countingScorer struct {
	calls    atomic.Int32
	failures int32
}

func (s *countingScorer) ScoreCall(_ context.Context, id string) (*Scorecard, error) {
	n := s.calls.Add(1)
	if n <= s.failures {
		return nil, errors.New("judge unavailable")
	}
	return &Scorecard{CallID: id, Overall: 80, Pass: true}, nil
}

func (env *queueEnv) worker(t *testing.T, name string, sc CallScorer, hook func(stage, id string) error) *Worker {
	t.Helper()
	w, err := NewWorker(env.rdb, env.st, sc, Config{Consumer: name, ClaimIdle: 5 * time.Millisecond,
		RetryMin: time.Millisecond, RetryMax: 4 * time.Millisecond, MaxAttempts: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.hook = hook
	return w
}

// drain runs w until the call's notice is finished and nothing is pending, polling Redis
// with a deadline (reclaiming waits for ClaimIdle).
func (env *queueEnv) drain(t *testing.T, w *Worker) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := w.Step(ctx, 10*time.Millisecond); err != nil {
			t.Fatalf("step: %v", err)
		}
		p, err := env.rdb.XPending(ctx, env.st.SealedStream(), env.st.ScoringGroup()).Result()
		if err != nil {
			t.Fatal(err)
		}
		if p.Count == 0 {
			return
		}
	}
	t.Fatal("notice still pending after 10s")
}

func killAt(stage string) func(string, string) error {
	return func(s, _ string) error {
		if s == stage {
			return errKilled
		}
		return nil
	}
}

// TestWorkerKilled: a worker dies between claiming a job and acknowledging it; another
// worker reclaims it with XAUTOCLAIM and the call ends up scored exactly once.
func TestWorkerKilled(t *testing.T) {
	for _, tc := range []struct {
		stage     string
		wantCalls int32 // judge runs in total
	}{
		{"claimed", 1}, // died before scoring: the second worker scores
		{"stored", 1},  // died after storing the card: the second worker only acknowledges
	} {
		t.Run(tc.stage, func(t *testing.T) {
			env := newQueueEnv(t)
			sc := &countingScorer{}
			ctx := context.Background()
			if _, err := env.worker(t, "a", sc, killAt(tc.stage)).Step(ctx, -1); !errors.Is(err, errKilled) {
				t.Fatalf("worker a: %v, want killed", err)
			}
			p, err := env.rdb.XPending(ctx, env.st.SealedStream(), env.st.ScoringGroup()).Result()
			if err != nil || p.Count != 1 || p.Consumers["a"] != 1 {
				t.Fatalf("pending after the kill = %+v, %v; want one job held by a", p, err)
			}
			env.drain(t, env.worker(t, "b", sc, nil))
			if n := sc.calls.Load(); n != tc.wantCalls {
				t.Errorf("judge ran %d times, want %d", n, tc.wantCalls)
			}
			card, err := NewCards(env.rdb, env.st).Get(ctx, env.id)
			if err != nil || card.CallID != env.id {
				t.Fatalf("scorecard = %+v, %v", card, err)
			}
			// The same notice again (a sealer that died mid-notice): acknowledged, not rescored.
			if err := env.rdb.XAdd(ctx, &redis.XAddArgs{Stream: env.st.SealedStream(), Values: []any{"id", env.id, "status", "sealed"}}).Err(); err != nil {
				t.Fatal(err)
			}
			env.drain(t, env.worker(t, "b", sc, nil))
			if n := sc.calls.Load(); n != tc.wantCalls {
				t.Errorf("after a duplicate notice the judge ran %d times, want %d", n, tc.wantCalls)
			}
		})
	}
}

// TestWorkerRetries: failures are retried with backoff; past MaxAttempts the notice goes to
// the dead-letter stream and is acknowledged.
func TestWorkerRetries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		failures  int32
		wantCalls int32
		wantCard  bool
		wantDead  int64
	}{
		{"recovers", 2, 3, true, 0},
		{"gives up", 100, 3, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newQueueEnv(t)
			sc := &countingScorer{failures: tc.failures}
			env.drain(t, env.worker(t, "a", sc, nil))
			ctx := context.Background()
			if n := sc.calls.Load(); n != tc.wantCalls {
				t.Errorf("judge ran %d times, want %d", n, tc.wantCalls)
			}
			ok, err := NewCards(env.rdb, env.st).Exists(ctx, env.id)
			if err != nil || ok != tc.wantCard {
				t.Errorf("scorecard exists = %v, %v; want %v", ok, err, tc.wantCard)
			}
			dead, err := env.rdb.XRange(ctx, env.st.ScoringDeadStream(), "-", "+").Result()
			if err != nil || int64(len(dead)) != tc.wantDead {
				t.Fatalf("dead letters = %v, %v; want %d", dead, err, tc.wantDead)
			}
			if tc.wantDead > 0 && (dead[0].Values["id"] != env.id || dead[0].Values["attempts"] != "3") {
				t.Errorf("dead letter = %v", dead[0].Values)
			}
			if n, _ := env.rdb.Exists(ctx, env.st.ScoreAttemptsKey(env.id)).Result(); n != 0 {
				t.Error("attempt counter left behind after the notice was finished")
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	cfg := Config{RetryMin: time.Second, RetryMax: 5 * time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 9: 5 * time.Second} {
		if got := backoffFor(cfg, n); got != want {
			t.Errorf("backoffFor(%d) = %v, want %v", n, got, want)
		}
	}
}

// TestScorerReadsStore scores a sealed call end to end from Redis with the built-in rubric.
func TestScorerReadsStore(t *testing.T) {
	env := newQueueEnv(t)
	rs, cat := shipped(t)
	card, err := NewScorer(env.st, rs, cat, Deterministic{}, "deterministic").ScoreCall(context.Background(), env.id)
	if err != nil {
		t.Fatal(err)
	}
	if card.CallID != env.id || card.Pass || len(card.Criteria) != 8 || card.Metrics.LearnerTurns != 1 {
		t.Errorf("card = %+v", card)
	}
	if _, err := NewScorer(env.st, rs, cat, Deterministic{}, "d").ScoreCall(context.Background(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown call: %v, want ErrNotFound", err)
	}
}

// versionsFake is a studio holding one version of one scenario.
type versionsFake struct {
	sc     *scenario.Scenario
	rubric string
	asked  []int
}

func (v *versionsFake) Scenario(_ context.Context, id string, n int) (*scenario.Scenario, error) {
	v.asked = append(v.asked, n)
	if id != v.sc.ID || n != 2 {
		return nil, fmt.Errorf("no version %d of %q", n, id)
	}
	return v.sc, nil
}

func (v *versionsFake) RubricFile(_ context.Context, id string, n int) ([]byte, error) {
	if id != v.sc.ID || n != 2 {
		return nil, fmt.Errorf("no version %d of %q", n, id)
	}
	return []byte(v.rubric), nil
}

// sealVersionCall seals a short double-charge call (one verifying learner line) that ran
// with the studio's version ver.
func sealVersionCall(t *testing.T, env *queueEnv, id, ver string) {
	t.Helper()
	ctx := context.Background()
	l, err := env.st.Begin(ctx, telephony.Info{ID: id, Scenario: "double-charge", Learner: "l1", Transport: "webrtc",
		Params: map[string]string{store.ParamScenarioVersion: ver}}, "")
	if err != nil {
		t.Fatal(err)
	}
	said := "i'm sorry that's our mistake can i take the email on the account"
	l.Append(dialog.Event{Kind: dialog.EventLearnerSaid, At: 3 * time.Second, Dur: time.Second, Speaker: dialog.SpeakerLearner, Text: said})
	if _, err := l.Seal(ctx, dialog.Result{EndReason: "learner hung up", Duration: 5 * time.Second, Transcript: []dialog.Utterance{
		{Speaker: dialog.SpeakerLearner, Text: said, Start: 2 * time.Second, End: 3 * time.Second},
	}}); err != nil {
		t.Fatal(err)
	}
}

// A call on a studio scenario is scored against the rubric of the version it ran with, not
// the file rubric of the same id; without a studio it cannot be scored, and says why.
func TestScorerStudioVersion(t *testing.T) {
	env := newQueueEnv(t)
	ctx := context.Background()
	sealVersionCall(t, env, "call-v2", "2")
	rs, cat := shipped(t)
	sc, _ := cat.Get("double-charge")
	v := &versionsFake{sc: sc, rubric: `scenario: double-charge
title: Verify first
pass_mark: 50
criteria:
  - id: verify
    name: Verified the account
    weight: 100
    behaviours: [verify]
    better: ["Can I take your name and the email on the account?"]
`}
	if _, err := NewScorer(env.st, rs, cat, Deterministic{}, "d").ScoreCall(ctx, "call-v2"); !errors.Is(err, ErrNoRubric) {
		t.Fatalf("no studio: %v, want ErrNoRubric", err)
	}
	card, err := NewScorer(env.st, rs, cat, Deterministic{}, "d").WithVersions(v).ScoreCall(ctx, "call-v2")
	if err != nil {
		t.Fatal(err)
	}
	if len(card.Criteria) != 1 || card.Criteria[0].ID != "verify" || !card.Pass || card.Overall != 100 {
		t.Errorf("card = overall %d pass %v criteria %+v, want the version's one criterion, met", card.Overall, card.Pass, card.Criteria)
	}
	if len(v.asked) != 1 || v.asked[0] != 2 {
		t.Errorf("studio asked for versions %v, want [2]", v.asked)
	}
	// A file scenario's call never asks the studio.
	if card, err := NewScorer(env.st, rs, cat, Deterministic{}, "d").WithVersions(v).ScoreCall(ctx, env.id); err != nil || len(card.Criteria) != 8 {
		t.Errorf("file scenario: %v, %d criteria", err, len(card.Criteria))
	}
	if len(v.asked) != 1 {
		t.Errorf("studio asked %v for a file scenario's call", v.asked)
	}
}

// TestScoreCallAtVersion: a call that ran with version 1 is scored against version 2's
// rubric when asked (spar rescore --version), and its card says which version scored it; a
// version the studio does not have is ErrNoRubric.
func TestScoreCallAtVersion(t *testing.T) {
	env := newQueueEnv(t)
	ctx := context.Background()
	sealVersionCall(t, env, "call-v1", "1")
	rs, cat := shipped(t)
	sc, _ := cat.Get("double-charge")
	v := &versionsFake{sc: sc, rubric: "scenario: double-charge\ntitle: Verify first\npass_mark: 50\ncriteria:\n" +
		"  - id: verify\n    name: Verified the account\n    weight: 100\n    behaviours: [verify]\n    better: [\"Can I take the email on the account?\"]\n"}
	s := NewScorer(env.st, rs, cat, Deterministic{}, "d").WithVersions(v)
	if _, err := s.ScoreCall(ctx, "call-v1"); !errors.Is(err, ErrNoRubric) {
		t.Fatalf("its own version 1 (which the fake lacks): %v, want ErrNoRubric", err)
	}
	card, err := s.At(2).ScoreCall(ctx, "call-v1")
	if err != nil {
		t.Fatal(err)
	}
	if card.ScenarioVersion != 2 || card.Rubric != "Verify first" || len(card.Criteria) != 1 {
		t.Errorf("card: version %d rubric %q, %d criteria; want version 2's", card.ScenarioVersion, card.Rubric, len(card.Criteria))
	}
	if _, err := s.ScoreCallAt(ctx, "call-v1", 5); !errors.Is(err, ErrNoRubric) || !strings.Contains(err.Error(), "version 5") {
		t.Errorf("version 5: %v, want ErrNoRubric naming it", err)
	}
}
