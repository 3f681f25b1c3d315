package sim

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// timelineEvent is one event of the server's SSE timeline, as JSON in a data: line.
type timelineEvent struct {
	Kind    string            `json:"kind"`
	AtMS    int64             `json:"at_ms"`
	Speaker string            `json:"speaker"`
	Text    string            `json:"text"`
	Detail  string            `json:"detail"`
	Mood    int               `json:"mood"`
	Stage   string            `json:"stage"`
	Data    map[string]string `json:"data"`
}

// line renders an event for the live transcript; "" skips it.
func (e timelineEvent) line() string {
	at := (time.Duration(e.AtMS) * time.Millisecond).Round(100 * time.Millisecond)
	var s string
	switch e.Kind {
	case "learner.said":
		s = "learner: " + e.Text
		if e.Data["joined"] == "true" {
			s = "learner (went on; the whole line): " + e.Text
		}
	case "turn.cancelled":
		s = "[persona reply dropped] " + e.Detail
	case "persona.says":
		s = "persona: " + e.Text
	case "barge_in":
		s = "[barge-in]"
		if e.Speaker != "" {
			s = "[barge-in by " + e.Speaker + "]"
		}
	case "persona.mood":
		s = fmt.Sprintf("[mood %d] %s", e.Mood, e.Detail)
	case "persona.stage":
		s = "[stage " + e.Stage + "]"
	case "call.end":
		s = "[call ended] " + e.Detail
	default:
		return ""
	}
	return fmt.Sprintf("%8s  %s", at, strings.TrimSpace(s))
}

// followEvents prints the server's timeline until call.end, the stream ends, or ctx ends.
func followEvents(ctx context.Context, client *http.Client, url string, p *printer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("sim: events request: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sim: events %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sim: events %s: %s", url, resp.Status)
	}
	return readSSE(bufio.NewReader(resp.Body), func(e timelineEvent) bool {
		if l := e.line(); l != "" {
			p.printf("%s", l)
		}
		return e.Kind != "call.end"
	})
}

// readSSE parses text/event-stream: data lines accumulate until a blank line ends the event;
// comment (:) and other fields are ignored. It stops when fn returns false.
func readSSE(r *bufio.Reader, fn func(timelineEvent) bool) error {
	var data strings.Builder
	for {
		line, err := r.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "" && data.Len() > 0:
			var e timelineEvent
			if json.Unmarshal([]byte(data.String()), &e) == nil && !fn(e) {
				return nil
			}
			data.Reset()
		case strings.HasPrefix(line, "data:"):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
		if err != nil {
			return nil // the stream ended
		}
	}
}
