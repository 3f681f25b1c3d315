package webtest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

// bidi is a WebDriver BiDi session (https://w3c.github.io/webdriver-bidi/): one command at a
// time over a WebSocket, the events in between skipped.
type bidi struct {
	ws *websocket.Conn
	id int
	// onEvent, when set, sees each event read while waiting for a result.
	onEvent func(method string, params json.RawMessage)
}

// bidiMessage is one BiDi command result, error or event.
type bidiMessage struct {
	Type    string          `json:"type"`
	ID      int             `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

// call sends one command and decodes its result into out (which may be nil).
func (c *bidi) call(method string, params, out any) error {
	if params == nil {
		params = struct{}{} // BiDi wants an object, even an empty one
	}
	c.id++
	if err := c.ws.WriteJSON(map[string]any{"id": c.id, "method": method, "params": params}); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(callTimeout))
	for {
		var msg bidiMessage
		if err := c.ws.ReadJSON(&msg); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		if msg.Type == "event" && c.onEvent != nil {
			c.onEvent(msg.Method, msg.Params)
		}
		if msg.Type == "event" || msg.ID != c.id {
			continue
		}
		if msg.Type == "error" {
			return fmt.Errorf("%s: %s: %s", method, msg.Error, msg.Message)
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(msg.Result, out)
	}
}
