package twilio_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/sparlab/spar/telephony"
	"github.com/sparlab/spar/telephony/twilio"
)

type titles map[string]string

func (t titles) Title(id string) (string, bool) { s, ok := t[id]; return s, ok }

// A Server mounted on a mux answers Twilio's voice webhook with TwiML that connects the
// call to the media stream; the handler then runs the call.
func ExampleServer() {
	cfg := twilio.DefaultConfig()
	cfg.PublicURL = "https://spar.example.com"
	cfg.ValidateSignatures = false // a local trial; in production set cfg.AuthToken instead
	cfg.Numbers = map[string]string{"+15550001111": "angry-double-charge"}
	handler := func(ctx context.Context, call *telephony.Call) error {
		<-ctx.Done() // a real handler runs the dialog engine here
		return nil
	}
	srv, err := twilio.NewServer(cfg, titles{"angry-double-charge": "Charged twice"}, handler, slog.New(slog.DiscardHandler))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	srv.Register(mux)

	form := url.Values{"CallSid": {"CA1"}, "From": {"+14155550100"}, "To": {"+15550001111"}}
	r := httptest.NewRequest(http.MethodPost, "/twilio/voice", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(strings.Contains(w.Body.String(), `value="angry-double-charge"`))
	// Output:
	// 200 text/xml
	// true
}
