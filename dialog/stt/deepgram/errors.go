package deepgram

import "errors"

var (
	// ErrClosed is returned by Write and Flush after Close or after the connection ended.
	ErrClosed = errors.New("deepgram: stream closed")
	// ErrHandshake means Deepgram refused the WebSocket upgrade (bad key, bad parameters).
	ErrHandshake = errors.New("deepgram: connection refused")
	// ErrStalled is returned by Flush when the network has stopped taking audio (the send
	// queue is full): the utterance's final will not come.
	ErrStalled = errors.New("deepgram: stream stalled")
)
