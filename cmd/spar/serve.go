package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/sparlab/spar/dialog"
	"github.com/sparlab/spar/dialog/scenario"
	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/scoring"
	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/twilio"
	"github.com/sparlab/spar/telephony/webrtc"
	"github.com/sparlab/spar/web"
	"github.com/sparlab/spar/web/account"
	"github.com/sparlab/spar/web/console"
	"github.com/sparlab/spar/web/metrics"
)

// errShuttingDown ends calls still running when the shutdown grace period is over.
var errShuttingDown = errors.New("server shutting down")

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", os.Getenv("SPAR_CONFIG"), "YAML config file (env SPAR_CONFIG); built-in defaults when empty")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: spar serve [--config file]

Runs the Spar server: the Twilio voice webhook and media streams, browser calls, the SIP
trunk listener when sip.listen is set, the API and pages.
With no REDIS_URL it starts a private redis-server (AOF on) under the data directory.

Environment: SPAR_CONFIG, SPAR_LISTEN, SPAR_PUBLIC_URL, SPAR_DATA_DIR, SPAR_SCENARIO_DIR,
SPAR_LOG_LEVEL, SPAR_SHUTDOWN_GRACE, REDIS_URL, TWILIO_AUTH_TOKEN, SPAR_SIP_LISTEN,
SPAR_SIP_PASSWORD. GOGC, when set, replaces the garbage collector's target of 25.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath, os.Getenv)
	if err != nil {
		return err
	}
	log := configLog(cfg, stderr)
	setGCPercent(os.Getenv)
	return serve(ctx, cfg, log, stdout)
}

// gcPercent is spar serve's garbage-collection target (Go's GOGC) unless the environment
// sets GOGC. A call's state lives as long as the call and the audio path allocates nothing
// per frame, so the heap grows slowly and Go's default of 100 mostly keeps room for garbage:
// at 25 a browser call costs about 1 MB of resident memory instead of 1.3-1.5 MB and a phone
// call 270-290 KB instead of 430-490 KB, for no CPU the benchmarks could tell apart
// (docs/BENCHMARKS.md, "Memory per call: the garbage collector's target").
const gcPercent = 25

// setGCPercent sets gcPercent unless getenv has GOGC.
func setGCPercent(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// serve runs until ctx ends, then drains: no new calls, live calls get the grace period to
// finish, the rest are ended and sealed.
func serve(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	cfg.DataDir = dataDir // records keep absolute recording paths
	if err := os.MkdirAll(filepath.Join(cfg.DataDir, "recordings"), 0o750); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	files, err := loadScenarios(cfg.ScenarioDir) // read-only: built-in or SPAR_SCENARIO_DIR
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m, err := metrics.New(reg)
	if err != nil {
		return err
	}
	prov, err := buildProviders(cfg, files, m, log) // each scenario's engines
	if err != nil {
		return err
	}
	defer prov.Close() // after the calls have drained (deferred calls run last-first)

	store.InstallRedisLogger(log) // go-redis's own lines, through slog and rate-limited
	rdb, stopRedis, err := openRedis(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stopRedis()
	if cfg.Store.SpillDir == "" { // a call's log survives a Redis outage on disk
		cfg.Store.SpillDir = filepath.Join(cfg.DataDir, "spill")
	}
	st, err := store.New(rdb, cfg.Store, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil { // keys of an older layout, moved once
		return err
	}
	recovered, err := st.Recover(ctx)
	if err != nil {
		return fmt.Errorf("recover interrupted calls: %w", err)
	}
	for _, r := range recovered {
		log.Warn("call interrupted by a previous stop, sealed", "call_id", r.ID, "scenario", r.Scenario)
	}
	// Other nodes die too: their calls' heartbeats stop, and whichever node looks first seals them.
	recoverCtx, stopRecovery := context.WithCancel(ctx)
	recoveryDone := make(chan struct{})
	go func() { defer close(recoveryDone); st.RunRecovery(recoverCtx) }()
	defer func() { stopRecovery(); <-recoveryDone }()

	// The console's published scenarios join the files, read from Redis at each lookup.
	studioScenarios := newStudio(cfg, rdb, st, files, log)
	catalog := files.WithLive(studioScenarios.Live())

	scoreCtx, stopScoring := context.WithCancel(context.WithoutCancel(ctx))
	defer stopScoring()
	scoringDone, err := startScoring(scoreCtx, cfg, rdb, st, files, m, log)
	if err != nil {
		return fmt.Errorf("scoring: %w", err)
	}

	callsCtx, stopCalls := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stopCalls(errShuttingDown)
	var live sync.WaitGroup
	h := &callHandler{cfg: cfg, catalog: catalog, providers: prov, store: st, log: log, metrics: m, versions: studioScenarios}
	handle := func(ctx context.Context, call *telephony.Call) error {
		live.Add(1)
		defer live.Done()
		return h.handle(ctx, call)
	}
	tw, err := twilio.NewServer(cfg.Twilio, catalog, handle, log)
	if err != nil {
		return err
	}
	if err := wireTwilio(tw, rdb, cfg.Store.Prefix, reg); err != nil { // tickets shared by every node
		return err
	}
	rtc, err := webrtc.NewServer(cfg.WebRTC, catalog, handle, log)
	if err != nil {
		return err
	}
	// Guest passes hold on every node and across restarts: one key in Redis.
	if key, err := sharedKey(ctx, rdb, cfg.Store.Prefix+"webrtc:guest-key"); err != nil {
		log.Warn("guest passes are valid on this node only until it restarts", "err", err)
	} else {
		rtc.SetGuestKey(key)
	}
	defer rtc.Close(errShuttingDown)
	// A hang-up beacon that reaches another node is passed on to the node holding the call.
	rtc.HangupElsewhere = st.RequestHangup
	hangupCtx, stopHangups := context.WithCancel(ctx)
	hangupsDone := make(chan struct{})
	go func() { defer close(hangupsDone); st.HangupRequests(hangupCtx, func(id string) { rtc.HangUp(id) }) }()
	defer func() { stopHangups(); <-hangupsDone }()
	sipSrv, err := startSIP(ctx, cfg.SIP, catalog, handle, reg, log)
	if err != nil {
		return err
	}
	if sipSrv != nil {
		defer sipSrv.Close(errShuttingDown)
	}
	mux := http.NewServeMux()
	tw.Register(mux)
	accts, err := account.New(rdb, st.AccountKeys(), cfg.Account, log)
	if err != nil {
		return err
	}
	rtc.Trial = trialHook(studioScenarios)
	registerWebRTC(mux, rtc, accts.Middleware())
	guard := account.NewGuard(accts, st)
	cards := scoring.NewCards(rdb, st)
	api := http.NewServeMux()
	pub := web.New(guard.PublicCalls(), cards, catalog, log)
	pub.ClientAddr = accts.ClientAddr // trusted proxies' X-Forwarded-For
	pub.Register(api)
	mux.Handle("/", guard.WrapAPI(api))
	consoleCfg := cfg.Console
	if consoleCfg.RecordingDir == "" {
		consoleCfg.RecordingDir = filepath.Join(cfg.DataDir, "recordings")
	}
	drafter, err := newDrafter(cfg, studioScenarios, log)
	if err != nil {
		return err
	}
	recognizer, err := prov.defaultSTT()
	if err != nil { // calls name their own: the studio only loses recording uploads
		log.Warn("studio: uploaded call recordings cannot be transcribed", "err", err)
		recognizer = nil
	}
	cons, err := console.New(consoleCfg, console.Deps{Accounts: accts, Calls: st, Cards: cards,
		Scenarios: catalog, Studio: studioScenarios, Drafter: drafter, Voices: voicePreview{prov}, STT: recognizer,
		Redis: rdb, Keys: st.FeedbackKeys(), Log: log})
	if err != nil {
		return err
	}
	cons.Register(mux)
	sweeper, err := store.NewSweeper(st, store.SweepConfig{Dir: consoleCfg.RecordingDir}, log)
	if err != nil {
		return err
	}
	sweepCtx, stopSweep := context.WithCancel(ctx)
	sweepDone := make(chan struct{})
	go func() { defer close(sweepDone); _ = sweeper.Run(sweepCtx) }()
	defer func() { stopSweep(); <-sweepDone }()
	mux.Handle("GET /metrics", metrics.Handler(reg))
	// Readiness, unlike /healthz (the process answers), says whether Redis does, and turns
	// 503 for good when the node starts draining.
	ready := &readiness{check: st.Ready}
	mux.Handle("GET /readyz", ready)

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("listen on %s: the address is in use (is another spar serve running?): set SPAR_LISTEN or listen in the config", cfg.Listen)
		}
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           bodyDeadline(hsts(mux, strings.HasPrefix(cfg.PublicURL, "https://")), bodyTimeout),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       idleTimeout, // keep-alive connections nobody uses are closed
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return callsCtx },
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	if cfg.DebugListen != "" {
		stopDebug, err := serveDebug(cfg.DebugListen, log)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	printBanner(stdout, cfg, ln.Addr().String())
	if sipSrv != nil {
		fmt.Fprintf(stdout, "  SIP trunk:              sip:<extension>@%s (%s)\n    ./bin/spar call --sip %s --to <extension>\n\n",
			cfg.SIP.Listen, strings.Join(cfg.SIP.Transports, ", "), cfg.SIP.Listen)
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	signal.Reset(os.Interrupt, syscall.SIGTERM) // a second signal stops at once
	log.Info("draining: refusing new calls; live calls may finish (signal again to stop now)", "grace", cfg.ShutdownGrace)
	ready.Drain() // load balancers take the node out before the transports refuse callers
	tw.Drain()
	rtc.Drain()
	if sipSrv != nil {
		sipSrv.Drain() // INVITEs get 503 with Retry-After
	}
	done := make(chan struct{})
	go func() { live.Wait(); close(done) }()
	grace := time.NewTimer(cfg.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		log.Warn("grace period over: ending live calls")
		stopCalls(errShuttingDown)
		rtc.Close(errShuttingDown) // browser calls do not hang off the HTTP base context
		if sipSrv != nil {
			sipSrv.Close(errShuttingDown) // nor do SIP calls: BYE to each
		}
		<-done
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stopCalls(errShuttingDown)
	err = srv.Shutdown(shutCtx)
	stopScoring() // calls sealed during the drain stay queued for the next worker
	if serr := <-scoringDone; serr != nil {
		log.Error("scoring worker", "err", serr)
	}
	return err
}

// callHandler runs one practice call from answer to sealed record.
type callHandler struct {
	cfg     Config
	catalog *scenario.Catalog
	// providers are each scenario's engines: persona, STT, TTS and voice.
	providers *scenarioProviders
	store     *store.Store
	log       *slog.Logger
	metrics   *metrics.Metrics
	// versions gives a trial call its studio version (a trainer trying a draft); nil: no
	// trial calls.
	versions versionScenarios
}

// versionScenarios reads one version of a studio scenario; *studio.Studio is one.
type versionScenarios interface {
	Scenario(ctx context.Context, id string, n int) (*scenario.Scenario, error)
}

// scenarioOf is the scenario call runs against: for a trial (store.ParamTrial, set by the
// transport once the trial ticket was checked) the studio version it names, published or
// not; otherwise the catalog's.
func (h *callHandler) scenarioOf(ctx context.Context, call *telephony.Call) (*scenario.Scenario, error) {
	if call.Params[store.ParamTrial] == "" {
		sc, ok := h.catalog.Get(call.Scenario)
		if !ok {
			return nil, fmt.Errorf("unknown scenario %q", call.Scenario)
		}
		return sc, nil
	}
	n, err := strconv.Atoi(call.Params[store.ParamScenarioVersion])
	if err != nil || n < 1 || h.versions == nil {
		return nil, fmt.Errorf("trial call of %q without a studio version", call.Scenario)
	}
	return h.versions.Scenario(ctx, call.Scenario, n)
}

func (h *callHandler) handle(ctx context.Context, call *telephony.Call) error {
	log := h.log.With("call_id", call.ID, "scenario", call.Scenario, "transport", call.Transport)
	sc, err := h.scenarioOf(ctx, call)
	if err != nil {
		log.Error("scenario of a connected call", "err", err)
		return err
	}
	prov, err := h.providers.of(sc)
	if err != nil {
		log.Error("scenario engines", "err", err)
		return err
	}
	path := filepath.Join(h.cfg.DataDir, "recordings", call.ID+".wav")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o640)
	if err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	rec, err := media.NewRecorder(f, telephony.Rate, dialog.RecordingSpan+call.SendAhead())
	if err != nil {
		f.Close()
		return fmt.Errorf("recording: %w", err)
	}
	info := call.Info
	if sc.Version > 0 { // the record names the studio version the call runs against
		info.Params = maps.Clone(info.Params)
		if info.Params == nil {
			info.Params = map[string]string{}
		}
		info.Params[store.ParamScenarioVersion] = strconv.Itoa(sc.Version)
	}
	clog, err := h.store.Begin(ctx, info, path)
	if err != nil {
		// Neither Redis nor the spill directory took the call: say sorry rather than dead air.
		rec.Close()
		f.Close()
		os.Remove(path)
		if aerr := prov.engine.Apologize(ctx, call, prov.voice, dialog.Apology); aerr != nil {
			log.Warn("apology", "err", aerr)
		}
		return fmt.Errorf("call log: %w", err)
	}
	log.Info("call started", "learner", call.Learner)
	res, runErr := prov.engine.Run(ctx, call, dialog.Session{
		Transport:  call.Transport,
		Persona:    prov.persona(sc, seedOf(call.ID), log),
		Voice:      prov.voice,
		Turns:      turnsOf(sc),
		Phrases:    sc.Phrases(),
		Narrowband: call.Transport == "twilio" || call.Transport == "sip", // G.711 at 8 kHz
		Timeline:   callTimeline{h.metrics.CallTimeline(clog), clog},
		Recording:  rec,
		Log:        log,
	})
	if runErr != nil {
		res.EndReason = "error: " + runErr.Error()
		log.Error("call failed", "err", runErr)
	}
	err = errors.Join(rec.Close(), f.Close())
	sealCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, serr := clog.Seal(sealCtx, res); serr != nil {
		err = errors.Join(err, fmt.Errorf("seal: %w", serr))
	}
	log.Info("call ended", "reason", res.EndReason, "duration", res.Duration.Round(time.Second), "turns", res.Turns)
	return errors.Join(runErr, err)
}

// callTimeline passes a call's events through the metrics to its call log, and keeps the
// log's live mood and stage updates reachable by the engine.
type callTimeline struct {
	dialog.Timeline
	log *store.CallLog
}

func (t callTimeline) Update(fields map[string]any) { t.log.Update(fields) }

// seedOf makes a call's persona choices repeatable from its ID.
func seedOf(id string) int64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return int64(h.Sum64() >> 1)
}

func printBanner(w io.Writer, cfg Config, addr string) {
	base := publicBase(cfg)
	fmt.Fprintf(w, `
Spar is listening on %s

  Practise in a browser:  %s/
  Twilio voice webhook:   POST %s/twilio/voice
    (in the Twilio console: Phone Numbers > your number > "A call comes in" > Webhook, HTTP POST)
  Trainer console:        %s/console    (create the first admin: ./bin/spar user add --role admin ...)
  Status page:            %s/status (signed-in users)     Metrics: %s/metrics

Place a simulated practice call from another terminal:
  ./bin/spar call --url %s              (as a phone, over Twilio Media Streams)
  ./bin/spar call --url %s --webrtc     (as a browser, over WebRTC)

`, addr, base, base, base, base, base, base, base)
	if cfg.Twilio.AuthToken == "" {
		fmt.Fprintln(w, "  Note: TWILIO_AUTH_TOKEN is not set, so webhook signatures are not checked. Set it before pointing a real number here.")
	}
}

// Server-wide bounds on what a client can hold open. WebSocket streams and live feeds set
// their own deadlines (telephony, web/events.go), so the server sets none on them.
const (
	bodyTimeout = 30 * time.Second  // to send a request body
	idleTimeout = 120 * time.Second // between requests on a keep-alive connection
)

// bodyDeadline gives every request but a WebSocket upgrade d to send its body: a client that
// dribbles a body (or never sends the one it announced) is cut off instead of holding a
// connection and a handler forever.
func bodyDeadline(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") && r.ContentLength != 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		}
		next.ServeHTTP(w, r)
	})
}

// hsts tells browsers to use https only when Spar's public URL is https (behind a TLS
// proxy the request itself arrives over plain HTTP, so it cannot tell).
func hsts(next http.Handler, on bool) http.Handler {
	if !on {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		next.ServeHTTP(w, r)
	})
}
