package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/sparlab/spar/dialog/store/redisurl"
	"github.com/sparlab/spar/dialog/stt/deepgram"
	"github.com/sparlab/spar/dialog/tts/elevenlabs"
)

// doctorCheck is one line of the report: what was checked, and what to fix if it failed.
type doctorCheck struct {
	name   string
	usedBy string // for a provider: the scenarios that use it
	run    func(ctx context.Context) (detail, fix string, err error)
}

// doctorCmd checks the configured providers, Redis, the listen port and the public URL,
// and prints what to fix. It fails when any check fails.
func doctorCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", os.Getenv("SPAR_CONFIG"), "config file (YAML, env SPAR_CONFIG)")
	timeout := fs.Duration("timeout", 5*time.Second, "time allowed for each check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The strict loader, not a lenient copy: a bad key or value is reported as the first
	// failed check, and the other checks still run on what could be read.
	cfg, cfgErr := loadConfig(*path, os.Getenv)
	var pathErr *os.PathError
	if errors.As(cfgErr, &pathErr) {
		return fmt.Errorf("doctor: %w", cfgErr)
	}
	checks := append([]doctorCheck{{name: "config", run: func(context.Context) (string, string, error) {
		if cfgErr != nil {
			return "", "fix the setting it names (configs/spar.example.yaml shows them all)", cfgErr
		}
		return doctorOr(*path, "built-in defaults") + " is valid", "", nil
	}}}, doctorChecks(cfg)...)
	failed := 0
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, *timeout)
		detail, fix, err := c.run(cctx)
		cancel()
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "FAIL %-16s %v\n", c.name, err)
			if fix != "" {
				fmt.Fprintf(stdout, "     %-16s fix: %s\n", "", fix)
			}
		} else {
			fmt.Fprintf(stdout, "ok   %-16s %s\n", c.name, detail)
		}
		if c.usedBy != "" {
			fmt.Fprintf(stdout, "     %-16s used by: %s\n", "", c.usedBy)
		}
	}
	if failed > 0 {
		return fmt.Errorf("doctor: %d check(s) failed", failed)
	}
	return nil
}

// doctorChecks lists the checks that apply to cfg: the server's own, then one per provider
// the scenarios use (doctor_providers.go).
func doctorChecks(cfg Config) []doctorCheck {
	checks := []doctorCheck{
		{name: "listen", run: func(context.Context) (string, string, error) { return doctorListen(cfg.Listen) }},
		{name: "public_url", run: func(ctx context.Context) (string, string, error) { return doctorPublicURL(ctx, cfg.PublicURL) }},
		{name: "redis", run: func(ctx context.Context) (string, string, error) { return doctorRedis(ctx, cfg.RedisURL) }},
	}
	if cfg.SIP.Enabled() {
		checks = append(checks, doctorCheck{name: "sip", run: func(context.Context) (string, string, error) { return doctorSIP(cfg.SIP.Listen) }})
	}
	return append(checks, doctorProviders(cfg)...)
}

// doctorSIP checks that the SIP address is free for both UDP and TCP.
func doctorSIP(addr string) (string, string, error) {
	fix := "stop what holds " + addr + " (a PBX on the same host?) or set sip.listen / SPAR_SIP_LISTEN"
	u, err := net.ListenPacket("udp", addr)
	if err != nil {
		return "", fix, err
	}
	defer u.Close()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fix, err
	}
	l.Close()
	return addr + " is free (udp, tcp)", "", nil
}

func doctorListen(addr string) (string, string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", "stop what holds " + addr + " (another spar?) or set listen / SPAR_LISTEN", err
	}
	l.Close()
	return addr + " is free", "", nil
}

func doctorPublicURL(ctx context.Context, public string) (string, string, error) {
	u, err := url.Parse(public)
	if err != nil || u.Host == "" {
		return "", "set public_url to the https address Twilio and browsers reach", fmt.Errorf("public_url %q is not a URL", public)
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1" {
		return public + " (local only: phone calls need a public https URL, e.g. a tunnel)", "", nil
	}
	if u.Scheme != "https" {
		return "", "serve https (Twilio media streams need wss://) behind a TLS proxy or tunnel", fmt.Errorf("public_url %q is not https", public)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(public, "/")+"/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "check DNS, the tunnel or proxy, and that spar serve is running behind it", err
	}
	resp.Body.Close()
	return fmt.Sprintf("%s answers (http %d)", public, resp.StatusCode), "", nil
}

func doctorRedis(ctx context.Context, u string) (string, string, error) {
	if u == "" {
		if _, err := exec.LookPath("redis-server"); err != nil {
			return "", "apt-get install redis-server, or set redis_url / REDIS_URL", errors.New("no redis_url and no redis-server to start locally")
		}
		return "no redis_url: serve starts a local redis-server", "", nil
	}
	rdb, err := redisurl.Open(u)
	if err != nil {
		return "", "redis_url looks like redis://user:pass@host:6379/0 or redis+cluster://host1:7000,host2:7000", err
	}
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return "", "start Redis or fix redis_url / REDIS_URL", fmt.Errorf("ping %s: %w", redactURL(u), err)
	}
	return fmt.Sprintf("PING ok at %s (%s)", redactURL(u), redisurl.KindOf(u)), "", nil
}

func doctorFile(path, fix string) (string, string, error) {
	if _, err := os.Stat(path); err != nil {
		return "", fix, err
	}
	return path, "", nil
}

// doctorKey returns key (loadConfig took it from env, the variable api_key_env names), or
// why it is missing. Keys are required for hosted APIs only: local servers run without.
func doctorKey(key, env string, hosted bool) (string, string, error) {
	if key == "" && hosted {
		return "", "export " + env + "=... (secrets come only from the environment)", fmt.Errorf("%s is not set", env)
	}
	return key, "", nil
}

// doctorModels asks an OpenAI-compatible server for /v1/models and looks for the model.
// base, model and env come from the provider's Config with its defaults applied.
func doctorModels(ctx context.Context, what, base, model, key, env string) (string, string, error) {
	hosted := !strings.Contains(base, "localhost") && !strings.Contains(base, "127.0.0.1")
	key, fix, err := doctorKey(key, env, hosted)
	if err != nil {
		return "", fix, err
	}
	u := strings.TrimSuffix(strings.TrimSuffix(base, "/"), "/v1") + "/v1/models"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", "fix base_url", err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "start the " + what + " server or fix base_url", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == 401 || resp.StatusCode == 403:
		return "", "check the key in " + env, fmt.Errorf("%s: http %d", u, resp.StatusCode)
	case resp.StatusCode == 404:
		return base + " reachable (no model list to check " + model + ")", "", nil
	case resp.StatusCode/100 != 2:
		return "", "check the server's logs", fmt.Errorf("%s: http %d", u, resp.StatusCode)
	case !strings.Contains(string(body), `"`+model+`"`):
		return "", "pull or serve model " + model + " (ollama pull ...), or fix model", fmt.Errorf("%s does not list model %q", base, model)
	}
	return base + " serves " + model, "", nil
}

// doctorDeepgram checks the key against the REST API beside c's (defaulted) listen URL.
func doctorDeepgram(ctx context.Context, c deepgram.Config) (string, string, error) {
	key, fix, err := doctorKey(c.APIKey, c.APIKeyEnv, true)
	if err != nil {
		return "", fix, err
	}
	base, err := httpBase(c.URL)
	if err != nil {
		return "", "fix its url", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/projects", nil)
	if err != nil {
		return "", "fix its url", err
	}
	req.Header.Set("Authorization", "Token "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "check the network to " + base, err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", "check " + c.APIKeyEnv + " (it needs member scope or above)", fmt.Errorf("%s/v1/projects: http %d", base, resp.StatusCode)
	}
	return "key accepted by " + base, "", nil
}

// doctorEleven checks the key and the default voice against the REST API beside c's
// (defaulted) WebSocket URL.
func doctorEleven(ctx context.Context, c elevenlabs.Config) (string, string, error) {
	key, fix, err := doctorKey(c.APIKey, c.APIKeyEnv, true)
	if err != nil {
		return "", fix, err
	}
	if c.DefaultVoice == "" {
		return "", "set its default_voice to a voice id", errors.New("no default voice")
	}
	base, err := httpBase(c.URL)
	if err != nil {
		return "", "fix its url", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/voices/"+url.PathEscape(c.DefaultVoice), nil)
	if err != nil {
		return "", "fix its url", err
	}
	req.Header.Set("xi-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "check the network to " + base, err
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == 401:
		return "", "check " + c.APIKeyEnv, fmt.Errorf("voices: http 401")
	case resp.StatusCode/100 != 2:
		return "", "fix its default_voice (a voice id from the Voice Library)", fmt.Errorf("voice %s: http %d", c.DefaultVoice, resp.StatusCode)
	}
	return "voice " + c.DefaultVoice + " available", "", nil
}

// httpBase turns a vendor's ws(s) URL into the http(s) root of its REST API.
func httpBase(wsURL string) (string, error) {
	u, err := url.Parse(wsURL)
	if err != nil {
		return "", err
	}
	return map[string]string{"ws": "http", "wss": "https"}[u.Scheme] + "://" + u.Host, nil
}

func doctorOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
