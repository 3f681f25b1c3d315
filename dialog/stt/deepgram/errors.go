package deepgram

import "errors"

var (
	// ErrClosed is returned by Write and Flush after Close or after the connection ended.
	ErrClosed = errors.New("deepgram: stream closed")
	// ErrHandshake means Deepgram refused the WebSocket upgrade (bad key, bad parameters).
	ErrHandshake = errors.New("deepgram: connection refused")
)
