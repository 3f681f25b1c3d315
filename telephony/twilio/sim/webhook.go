package sim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxTwiMLDocs bounds how many documents (menus, redirects) one call follows.
const maxTwiMLDocs = 8

// callIDs are the identifiers Twilio invents for a call.
type callIDs struct {
	CallSid, AccountSid, StreamSid string
}

// voiceParams are the fields Twilio posts to the voice webhook and to Gather actions.
func voiceParams(cfg Config, ids callIDs) url.Values {
	return url.Values{
		"CallSid":    {ids.CallSid},
		"AccountSid": {ids.AccountSid},
		"From":       {cfg.From},
		"To":         {cfg.To},
		"Caller":     {cfg.From},
		"Called":     {cfg.To},
		"CallStatus": {"ringing"},
		"Direction":  {"inbound"},
		"ApiVersion": {"2010-04-01"},
	}
}

// answerCall posts the voice webhook and follows menus and redirects until the server connects
// a stream (returned) or ends the call (refused holds what it said).
func answerCall(ctx context.Context, cfg Config, ids callIDs, p *printer) (s *stream, refused string, err error) {
	target := strings.TrimSuffix(cfg.BaseURL, "/") + "/twilio/voice"
	if cfg.Scenario != "" {
		// A number's webhook URL may name its scenario; Twilio signs the URL as configured.
		target += "?scenario=" + url.QueryEscape(cfg.Scenario)
	}
	method, form := http.MethodPost, voiceParams(cfg, ids)
	digits := cfg.Digits
	var said []string
	for range maxTwiMLDocs {
		verbs, err := fetchTwiML(ctx, cfg, method, target, form)
		if err != nil {
			return nil, "", err
		}
		var a answer
		for {
			a = readAnswer(verbs)
			said = append(said, a.Said...)
			for _, line := range a.Said {
				p.printf("<- server says: %s", line)
			}
			if a.Gather == nil || digits != "" {
				break
			}
			// No keys to press: Twilio times out and runs the verbs after the <Gather>.
			verbs = a.Rest
		}
		switch {
		case a.Stream != nil:
			return a.Stream, "", nil
		case a.Gather != nil:
			next, err := resolve(target, a.Gather.Action)
			if err != nil {
				return nil, "", err
			}
			d := digits
			if k := a.Gather.FinishOnKey; k != "" {
				d, _, _ = strings.Cut(d, k)
			}
			p.printf("-> pressing %s", digits)
			digits = ""
			target, method = next, strings.ToUpper(a.Gather.Method)
			form = voiceParams(cfg, ids)
			form.Set("CallStatus", "in-progress")
			form.Set("Digits", d)
		case a.Redirect != "":
			next, err := resolve(target, a.Redirect)
			if err != nil {
				return nil, "", err
			}
			target, method = next, http.MethodPost
			form = voiceParams(cfg, ids)
			form.Set("CallStatus", "in-progress")
		default:
			return nil, strings.Join(said, " "), nil
		}
	}
	return nil, "", fmt.Errorf("%w: more than %d TwiML documents", ErrWebhook, maxTwiMLDocs)
}

// fetchTwiML sends one signed webhook request and parses the TwiML answer.
func fetchTwiML(ctx context.Context, cfg Config, method, target string, form url.Values) ([]twimlNode, error) {
	var body io.Reader
	signed, params := target, form
	if method == http.MethodGet {
		// A GET webhook carries the fields in the query string and is signed over the full URL.
		u, err := url.Parse(target)
		if err != nil {
			return nil, fmt.Errorf("sim: webhook URL: %w", err)
		}
		q := u.Query()
		for k, v := range form {
			q[k] = v
		}
		u.RawQuery = q.Encode()
		signed, params = u.String(), nil
		target = signed
	} else {
		method = http.MethodPost
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("sim: webhook request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	if cfg.AuthToken != "" {
		req.Header.Set("X-Twilio-Signature", Sign(cfg.AuthToken, signed, params))
	}
	resp, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sim: webhook %s: %w", target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("sim: webhook %s: read: %w", target, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%w: %s answered %s: %s", ErrWebhook, target, resp.Status, strings.TrimSpace(string(b)))
	}
	return parseTwiML(b)
}

// resolve makes a TwiML URL (possibly relative, possibly empty: the current document)
// absolute against the URL that returned it.
func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("sim: resolve %q: %w", ref, err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("%w: bad URL %q in TwiML", ErrWebhook, ref)
	}
	return b.ResolveReference(r).String(), nil
}
