package webtest

import (
	"os/exec"
	"testing"
)

// startBrowser starts cmd, a headless browser named name, with its stdout and stderr
// collected. When the test ends the browser is killed and, if the test failed, its output is
// logged, followed by extra() when extra is not nil.
func startBrowser(t testing.TB, name string, cmd *exec.Cmd, extra func() string) {
	t.Helper()
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if !t.Failed() {
			return
		}
		t.Logf("%s output:\n%s", name, out.String())
		if extra != nil {
			t.Log(extra())
		}
	})
}

// size is the window size in pixels, 1280x860 unless both Width and Height are set.
func (o Options) size() (w, h int) {
	if o.Width == 0 || o.Height == 0 {
		return 1280, 860
	}
	return o.Width, o.Height
}
