package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/sparlab/spar/media"
	"github.com/sparlab/spar/telephony/twilio"
)

// probe is a listening caller: it places a call like sim does, sends silence, and timestamps
// every outbound media message as it arrives (sim plays audio on its own 20 ms clock and keeps
// no arrival times). It hears the persona's greeting and its silence prompts, which is enough
// to see how evenly the server paces its audio under load. Marks are echoed on arrival.
type probe struct {
	base string
	hc   *http.Client
}

type probeResult struct {
	callID   string
	arrivals []time.Time
}

// twimlConnect is the part of a <Connect><Stream> answer a probe needs.
type twimlConnect struct {
	Stream struct {
		URL    string `xml:"url,attr"`
		Params []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"Parameter"`
	} `xml:"Connect>Stream"`
	Say string `xml:"Say"`
}

// run holds a call open for d, then hangs up.
func (p probe) run(ctx context.Context, n int, d time.Duration) (*probeResult, error) {
	sid := fmt.Sprintf("%016x%016d", time.Now().UnixNano(), n) // a new CallSid each call: Spar refuses replayed ones
	form := url.Values{"CallSid": {"CA" + sid}, "AccountSid": {"AC" + sid}, "From": {"+15005550006"},
		"To": {"+15005550001"}, "CallStatus": {"ringing"}, "Direction": {"inbound"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+twilio.PathVoice, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("probe: webhook: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("probe: webhook: %w", err)
	}
	var tw twimlConnect
	if err := xml.Unmarshal(body, &tw); err != nil || tw.Stream.URL == "" {
		return nil, fmt.Errorf("probe: webhook answered no stream: %q", tw.Say)
	}
	params := map[string]string{}
	for _, pr := range tw.Stream.Params {
		params[pr.Name] = pr.Value
	}
	target := strings.Replace(tw.Stream.URL, "wss://", "ws://", 1)
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, target, nil)
	if err != nil {
		return nil, fmt.Errorf("probe: dial stream: %w", err)
	}
	defer conn.Close()
	res := &probeResult{callID: params["call"], arrivals: make([]time.Time, 0, int(d/media.FrameDuration))}
	streamSid := "MZ" + sid
	var wmu sync.Mutex
	write := func(b []byte) error {
		wmu.Lock()
		defer wmu.Unlock()
		_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		return conn.WriteMessage(websocket.TextMessage, b)
	}
	start, _ := json.Marshal(twilio.Message{Event: twilio.EventStart, SequenceNumber: "1", StreamSid: streamSid,
		Start: &twilio.StartPayload{AccountSid: "AC" + sid, StreamSid: streamSid, CallSid: "CA" + sid, Tracks: []string{"inbound"},
			MediaFormat: twilio.MediaFormat{Encoding: "audio/x-mulaw", SampleRate: media.Rate8k, Channels: 1}, CustomParameters: params}})
	if err := write([]byte(`{"event":"connected","protocol":"Call","version":"1.0.0"}`)); err != nil {
		return nil, err
	}
	if err := write(start); err != nil {
		return nil, err
	}
	var seq int64 = 1
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		var echo []byte
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				return
			}
			now := time.Now()
			switch {
			case bytes.Contains(b, []byte(`"event":"media"`)):
				res.arrivals = append(res.arrivals, now)
			case bytes.Contains(b, []byte(`"event":"mark"`)):
				var m twilio.Message
				if json.Unmarshal(b, &m) != nil || m.Mark == nil {
					continue
				}
				wmu.Lock()
				seq++
				echo = fmt.Appendf(echo[:0], `{"event":"mark","sequenceNumber":"%d","streamSid":"%s","mark":{"name":%q}}`, seq, streamSid, m.Mark.Name)
				_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
				_ = conn.WriteMessage(websocket.TextMessage, echo)
				wmu.Unlock()
			}
		}
	}()
	silence := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xFF}, 160))
	tick := time.NewTicker(media.FrameDuration)
	defer tick.Stop()
	end := time.NewTimer(d)
	defer end.Stop()
	var msg []byte
	for frame := int64(0); ; frame++ {
		select {
		case <-ctx.Done():
			conn.Close()
			<-readDone
			return res, context.Cause(ctx)
		case <-readDone:
			return res, nil // the persona hung up
		case <-end.C:
			wmu.Lock()
			seq++
			stop := fmt.Appendf(nil, `{"event":"stop","sequenceNumber":"%d","streamSid":"%s","stop":{"accountSid":"AC%s","callSid":"CA%s"}}`, seq, streamSid, sid, sid)
			wmu.Unlock()
			_ = write(stop)
			timeout := time.NewTimer(3 * time.Second)
			defer timeout.Stop()
			select {
			case <-readDone:
			case <-timeout.C:
				conn.Close()
				<-readDone
			}
			return res, nil
		case <-tick.C:
			wmu.Lock()
			seq++
			msg = append(msg[:0], `{"event":"media","sequenceNumber":"`...)
			msg = strconv.AppendInt(msg, seq, 10)
			msg = append(msg, `","media":{"track":"inbound","chunk":"`...)
			msg = strconv.AppendInt(msg, frame+1, 10)
			msg = append(msg, `","timestamp":"`...)
			msg = strconv.AppendInt(msg, frame*20, 10)
			msg = append(msg, `","payload":"`...)
			msg = append(msg, silence...)
			msg = append(msg, `"},"streamSid":"`...)
			msg = append(msg, streamSid...)
			msg = append(msg, `"}`...)
			wmu.Unlock()
			if err := write(msg); err != nil {
				conn.Close()
				<-readDone
				return res, nil
			}
		}
	}
}
