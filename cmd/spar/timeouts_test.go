package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestBodyDeadline: a client that announces a body and never sends it is cut off at the
// deadline (its handler's read fails) instead of holding the handler forever; a WebSocket
// upgrade is left to set its own deadlines.
func TestBodyDeadline(t *testing.T) {
	readErr := make(chan error, 1)
	srv := httptest.NewServer(bodyDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}), 100*time.Millisecond))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a little")
	select {
	case err := <-readErr:
		if err == nil {
			t.Error("the dribbled body read to the end")
		}
	case <-time.After(30 * time.Second): // a generous bound: the deadline is 100 ms
		t.Fatal("a client that never sent its body still holds the handler")
	}
}

// TestHSTS: with an https public URL every answer carries Strict-Transport-Security, even
// though it arrives over plain HTTP from the TLS proxy; without one, none does.
func TestHSTS(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, on := range []bool{true, false} {
		rec := httptest.NewRecorder()
		hsts(ok, on).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if got := rec.Header().Get("Strict-Transport-Security") != ""; got != on {
			t.Errorf("https public URL %v: HSTS %v", on, got)
		}
	}
}
