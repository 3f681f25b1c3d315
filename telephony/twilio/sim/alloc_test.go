package sim

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestFrameAllocs checks the 20 ms path allocates nothing of its own per frame once the
// call is under way: playing persona audio, sending caller audio, echoing marks.
func TestFrameAllocs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		// Drain raw bytes: a reading websocket would allocate and be counted below.
		buf := make([]byte, 64<<10)
		for {
			if _, err := ws.UnderlyingConn().Read(buf); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	clip := toneMulaw(1 << 20)
	s := &session{conn: conn, ids: callIDs{StreamSid: fuzzSid}, res: &Result{}, log: slog.New(slog.DiscardHandler), p: &printer{},
		dir: director[byte]{silence: mulawSilence, steps: Script{{Say: "x"}}, clips: [][]byte{clip}, greetTimeout: time.Millisecond, replyTimeout: time.Millisecond}}
	s.alloc()
	persona := toneMulaw(frameBytes)
	step := func() {
		s.play.write(persona)
		s.play.mark("m")
		if s.frame() || s.werr != nil {
			t.Fatalf("call ended: %v", s.werr)
		}
	}
	for range 100 { // warm up: the script starts speaking, buffers reach their size
		step()
	}
	// gorilla/websocket allocates one messageWriter per message on a client connection
	// (Conn.NextWriter); this frame sends two (media and a mark). Nothing else may allocate.
	if n := testing.AllocsPerRun(500, step); n > 2 {
		t.Errorf("%.1f allocations per frame, want at most 2 (gorilla's, one per message)", n)
	}
	if s.res.FramesSent < 600 || s.res.Marks < 590 {
		t.Errorf("frames %d marks %d", s.res.FramesSent, s.res.Marks)
	}
}
