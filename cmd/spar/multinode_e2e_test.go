package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/telephony/twilio/sim"
	"github.com/sparlab/spar/web/account"
	"github.com/sparlab/spar/web/webtest"
)

// longScript is a learner who takes longer than angryScript: node B's call must still run
// when node A dies.
const longScript = `
- say: "Thank you for calling Brightwave billing, my name is Sam. How can I help you today?"
- say: "I am so sorry, being charged twice is really frustrating. That is our mistake."
- say: "I have refunded the duplicate charge. The money will be back on your card in three to five days."
- say: "Is there anything else I can help you with today?"
- hangup: true
`

// multiNodeConfig is one node's config: the shared prefix, its own node name and spill
// directory (the data directory, with the recordings, is shared as on an NFS mount), and a
// short live TTL so that a dead node's calls are recovered within seconds.
func multiNodeConfig(t *testing.T, e e2eEnv, node, extra string) string {
	t.Helper()
	path := filepath.Join(e.dir, node+".yaml")
	cfg := fmt.Sprintf("store:\n  prefix: %q\n  node: %q\n  spill_dir: %q\n  live_ttl: 5s\n  heartbeat: 1s\n"+
		"twilio:\n  default_scenario: double-charge\nshutdown_grace: 5s\n%s",
		e.prefix, node, filepath.Join(e.dir, node+"-spill"), extra)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// nodeEnv is e for another node: its own config and HTTP address, the same Redis, prefix
// and data directory.
func nodeEnv(t *testing.T, e e2eEnv, node string) e2eEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := e
	n.listen = ln.Addr().String()
	n.base = "http://" + n.listen
	ln.Close()
	n.config = multiNodeConfig(t, e, node, "")
	return n
}

// startWorker runs `spar worker` with config until the test ends.
func startWorker(t *testing.T, e e2eEnv, config string) {
	t.Helper()
	cmd := exec.Command(e.bin, "worker", "--config", config)
	cmd.Env = append(os.Environ(), "REDIS_URL="+e.redisURL)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = syncWriter(&out), syncWriter(&out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			logMu.Lock()
			t.Logf("spar worker output:\n%s", out.String())
			logMu.Unlock()
		}
	})
}

// followSSE reads the live feed at url and sends each event's kind on the channel it
// returns, which is closed when the server ends the stream.
func followSSE(t *testing.T, url, token string) <-chan string {
	t.Helper()
	resp := tokenGet(t, url, token)
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	kinds := make(chan string, 1024)
	go func() {
		defer close(kinds)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if k, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				kinds <- k
			}
		}
	}()
	return kinds
}

// drain appends the kinds waiting on feed to seen without blocking; false once feed is closed.
func drain(feed <-chan string, seen *[]string) bool {
	for {
		select {
		case k, ok := <-feed:
			if !ok {
				return false
			}
			*seen = append(*seen, k)
		default:
			return true
		}
	}
}

// tokenGet GETs url with an API token; the caller closes the body.
func tokenGet(t *testing.T, url, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// authGet GETs url with an API token and returns the status and body.
func authGet(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	resp := tokenGet(t, url, token)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes()
}

// TestEndToEndMultiNode (issue 15): two `spar serve` nodes and a `spar worker` on one Redis.
// A call on each node; node B's status page counts both live calls and its feed follows node
// A's call; node A is killed mid-call. Node B's call goes on and is sealed as it ended; node
// A's call is sealed as interrupted by node B once its heartbeat expires (not by a restart of
// A), its feed through B ends, and both calls are scored and replayable from B's console,
// with an account created once and valid on every node.
func TestEndToEndMultiNode(t *testing.T) {
	a := newEnv(t)
	a.config = multiNodeConfig(t, a, "mn-a", "")
	b := nodeEnv(t, a, "mn-b")
	workerConfig := multiNodeConfig(t, a, "mn-worker", "scoring:\n  consumer: mn-worker\n")

	// One admin and API token, written once to the shared Redis.
	rdb := storetest.Client(t, a.redisURL)
	st := openStore(t, a)
	accts, err := account.New(rdb, st.AccountKeys(), account.DefaultConfig(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := accts.Create(t.Context(), account.NewUser{Name: "Ada Admin", Email: "ada@example.com",
		Role: account.RoleAdmin, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	token, err := accts.CreateToken(t.Context(), admin.ID, "multinode test")
	if err != nil {
		t.Fatal(err)
	}

	srvA, srvB := a.start(t), b.start(t)
	startWorker(t, a, workerConfig)

	// Node A's call first, then node B's, a longer one.
	doneA := placeCall(t, srvA)
	var idA, idB string
	webtest.Poll(t, "node A's call live", 60*time.Second, func() bool {
		live, _ := st.Live(t.Context())
		if len(live) == 1 {
			idA = live[0]
		}
		return idA != ""
	})
	script, synth := caller(t, longScript)
	doneB := make(chan *sim.Result, 1)
	go func() {
		res, err := sim.Run(t.Context(), sim.Config{BaseURL: srvB.base, AuthToken: e2eToken, Script: script},
			synth, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Errorf("node B's caller: %v", err)
		}
		doneB <- res
	}()
	webtest.Poll(t, "node B's call live", 60*time.Second, func() bool {
		live, _ := st.Live(t.Context())
		for _, id := range live {
			if id != idA {
				idB = id
			}
		}
		return idB != ""
	})

	// Node B sees node A's live call: its status page counts both, and its feed follows it.
	webtest.Poll(t, "node B's status page counting both live calls", 30*time.Second, func() bool {
		code, body := authGet(t, srvB.base+"/status", token)
		return code == http.StatusOK && strings.Contains(string(body), "2 live calls")
	})
	feed := followSSE(t, srvB.base+"/api/calls/"+idA+"/events", token)
	var seen []string
	webtest.Poll(t, "a learner turn and two persona replies of node A's call, through node B's feed", 60*time.Second, func() bool {
		if !drain(feed, &seen) {
			t.Fatalf("node B's feed of node A's call ended early: %v", seen)
		}
		heard := 0
		for _, k := range seen {
			if k == string(dialog.EventPersonaHeard) {
				heard++
			}
		}
		return slices.Contains(seen, string(dialog.EventSpeechStop)) && heard >= 2
	})
	if seen[0] != string(dialog.EventCallStart) {
		t.Errorf("node B's feed began with %q, want %s", seen[0], dialog.EventCallStart)
	}
	if _, err := st.Get(t.Context(), idB); err == nil {
		t.Fatal("node B's call ended before node A was killed: lengthen longScript")
	}

	srvA.kill()
	if res := <-doneA; res == nil || !res.ServerClosed {
		t.Errorf("node A's caller did not see its server go away: %+v", res)
	}

	// Node A's call: sealed as interrupted by node B (node A is not restarted).
	var recA *store.Record
	webtest.Poll(t, "node A's call recovered", 60*time.Second, func() bool {
		recA, err = st.Get(t.Context(), idA)
		return err == nil
	})
	if recA.Status != store.StatusInterrupted || recA.Node != "mn-a" {
		t.Errorf("node A's call: status %q, node %q; want interrupted, mn-a", recA.Status, recA.Node)
	}
	// Node B logs the recovery once the seal's notice is out, just after the record appears.
	webtest.Poll(t, "node B logging the recovery", 30*time.Second, func() bool {
		return strings.Contains(srvB.output(), `recovered interrupted call" component=store call_id=`+idA)
	})
	if len(recA.Transcript) == 0 {
		t.Errorf("node A's recovered call has no transcript")
	}
	left, right := channelLevels(t, recA.Recording)
	if left < -50 || right < -50 {
		t.Errorf("node A's partial recording: learner %.1f, persona %.1f dBFS", left, right)
	}
	// The feed through node B ends once the call is sealed, with no call.end (none was written).
	webtest.Poll(t, "node B's feed of node A's call ended", 30*time.Second, func() bool { return !drain(feed, &seen) })
	if slices.Contains(seen, string(dialog.EventCallEnd)) {
		t.Errorf("node B's feed of node A's killed call carried a call.end: %v", seen)
	}

	// Node B's call went on and was sealed as it ended.
	resB := <-doneB
	if resB == nil || resB.ServerClosed || resB.CallID != idB {
		t.Fatalf("node B's caller: %+v", resB)
	}
	var recB *store.Record
	webtest.Poll(t, "node B's call sealed", 30*time.Second, func() bool {
		recB, err = st.Get(t.Context(), idB)
		return err == nil
	})
	if recB.Status != store.StatusSealed || recB.EndReason != "learner hung up" || recB.Node != "mn-b" {
		t.Errorf("node B's call: status %q, end reason %q, node %q; want sealed, learner hung up, mn-b",
			recB.Status, recB.EndReason, recB.Node)
	}
	events, err := st.Timeline(t.Context(), idB)
	if err != nil || len(events) == 0 || events[len(events)-1].Kind != dialog.EventCallEnd {
		t.Errorf("node B's timeline: %d events, %v", len(events), err)
	}

	// Both calls scored (the interrupted one flagged so), listed and replayable on node B.
	for _, id := range []string{idA, idB} {
		var card struct {
			CallID string   `json:"call_id"`
			Flags  []string `json:"flags"`
		}
		pollScorecard(t, srvB, id, &card)
		if interrupted := slices.Contains(card.Flags, scoring.FlagInterrupted); card.CallID != id || interrupted != (id == idA) {
			t.Errorf("scorecard of %s = %+v", id, card)
		}
		if code, body := authGet(t, srvB.base+"/console/api/calls/"+id, token); code != http.StatusOK {
			t.Errorf("node B's console, call %s: %d %s", id, code, body)
		}
		if code, body := authGet(t, srvB.base+"/console/calls/"+id+"/recording.wav", token); code != http.StatusOK ||
			!bytes.HasPrefix(body, []byte("RIFF")) {
			t.Errorf("node B's console, recording of %s: %d, %d bytes", id, code, len(body))
		}
	}
	code, body := authGet(t, srvB.base+"/api/calls", token)
	var listed []store.Record
	if err := json.Unmarshal(body, &listed); code != http.StatusOK || err != nil {
		t.Fatalf("node B's /api/calls: %d %v", code, err)
	}
	var ids []string
	for _, r := range listed {
		ids = append(ids, r.ID)
	}
	if !slices.Contains(ids, idA) || !slices.Contains(ids, idB) {
		t.Errorf("node B lists %v; want %s and %s", ids, idA, idB)
	}
}
