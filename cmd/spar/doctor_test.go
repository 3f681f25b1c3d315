package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDoctor points doctor at a fake model server (with and without the model) and at a
// Redis that refuses connections: it reports each check and says what to fix.
func TestDoctor(t *testing.T) {
	models := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/models" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, `{"object":"list","data":[{"id":"llama3.2","object":"model"},{"id":"whisper-small","object":"model"}]}`)
	}))
	defer models.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := l.Addr().String()
	l.Close()

	cfg := `listen: 127.0.0.1:0
public_url: http://localhost:8080
redis_url: redis://` + refused + `/0
providers:
  persona: llm
  stt: whisper
  tts: flite
  llm: {base_url: "` + models.URL + `/v1", model: llama3.2}
  whisper: {base_url: "` + models.URL + `", model: whisper-large}
`
	path := filepath.Join(t.TempDir(), "spar.yaml")
	os.WriteFile(path, []byte(cfg), 0o644)
	var out bytes.Buffer
	err = doctorCmd(context.Background(), []string{"-config", path}, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "2 check(s) failed") {
		t.Errorf("err %v, want 2 failed checks", err)
	}
	for _, want := range []string{
		"ok   config", "ok   listen", "ok   public_url", "FAIL redis", "fix: start Redis",
		"ok   persona llm      " + models.URL + "/v1 serves llama3.2",
		"FAIL stt whisper", `does not list model "whisper-large"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDoctorBadConfig: doctor reads the file as strictly as serve does, reports a misspelt
// key as a failed check naming it, and still runs the other checks.
func TestDoctorBadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spar.yaml")
	if err := os.WriteFile(path, []byte("listen: 127.0.0.1:0\nredis_ulr: redis://x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := doctorCmd(context.Background(), []string{"-config", path, "-timeout", "1s"}, &out, io.Discard)
	if err == nil {
		t.Fatal("doctor passed a config with an unknown key")
	}
	for _, want := range []string{"FAIL config", "redis_ulr", "fix: fix the setting", "ok   listen           127.0.0.1:0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if err := doctorCmd(context.Background(), []string{"-config", filepath.Join(t.TempDir(), "none.yaml")}, io.Discard, io.Discard); err == nil {
		t.Error("doctor ran with a missing config file")
	}
}

// TestDoctorScenarioProviders: doctor checks the providers scenarios name as well as the
// defaults, each once, says which scenarios use each, and fails on a name the config lacks.
func TestDoctorScenarioProviders(t *testing.T) {
	models := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"object":"list","data":[{"id":"llama3.2","object":"model"}]}`)
	}))
	defer models.Close()
	dir := writeScenarios(t, map[string]string{
		"angry-llm":  "providers:\n  persona: llm-local\n",
		"angry-also": "providers:\n  persona: llm-local\n",
		"offline":    "",
	})
	base := "listen: 127.0.0.1:0\nscenario_dir: " + dir + "\nproviders:\n  stt: instant\n  tts: instant\n"
	path := filepath.Join(t.TempDir(), "spar.yaml")
	os.WriteFile(path, []byte(base+"  named:\n    llm-local: {type: llm, base_url: \""+models.URL+"\", model: llama3.2}\n"), 0o644)
	var out bytes.Buffer
	doctorCmd(context.Background(), []string{"-config", path}, &out, io.Discard)
	for _, want := range []string{
		"ok   scenarios        3 scenario(s) from " + dir,
		"ok   persona scripted built in",
		"     " + strings.Repeat(" ", 16) + " used by: server default; offline\n",
		"ok   persona llm-local " + models.URL + " serves llama3.2\n" +
			"     " + strings.Repeat(" ", 16) + " used by: angry-also, angry-llm\n",
		"ok   stt instant      built in",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "persona llm-local"); n != 1 {
		t.Errorf("llm-local checked %d times, want once", n)
	}

	os.WriteFile(path, []byte(base), 0o644) // the scenarios still name llm-local
	out.Reset()
	err := doctorCmd(context.Background(), []string{"-config", path}, &out, io.Discard)
	if err == nil {
		t.Fatal("doctor passed scenarios naming a provider the config lacks")
	}
	for _, want := range []string{"FAIL scenarios", filepath.Join(dir, "angry-llm.yaml") + ":" + blockLine(t, 0) + ":12", `"llm-local"`, "providers.named"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDoctorSIP: with sip.listen set, doctor says whether the address is free for UDP and TCP.
func TestDoctorSIP(t *testing.T) {
	held, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for _, tc := range []struct{ addr, want string }{
		{held.LocalAddr().String(), "FAIL sip"},
		{freeSIPAddr(t), "ok   sip"},
	} {
		path := filepath.Join(t.TempDir(), "spar.yaml")
		cfg := "listen: 127.0.0.1:0\nredis_url: redis://127.0.0.1:1/0\nsip:\n  listen: " + tc.addr + "\n  allow_from: [127.0.0.1]\n"
		if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		_ = doctorCmd(context.Background(), []string{"-config", path}, &out, io.Discard)
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("sip.listen %s: report lacks %q:\n%s", tc.addr, tc.want, out.String())
		}
	}
}
