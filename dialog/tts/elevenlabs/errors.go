package elevenlabs

import "errors"

var (
	// ErrHandshake means ElevenLabs refused the WebSocket upgrade (bad key, unknown voice).
	ErrHandshake = errors.New("elevenlabs: connection refused")
	// ErrFirstByteTimeout means no audio arrived within Config.FirstByteTimeout.
	ErrFirstByteTimeout = errors.New("elevenlabs: no audio in time")
	// ErrNoAudio means the stream ended without audio.
	ErrNoAudio = errors.New("elevenlabs: empty audio")
	// ErrTruncated means the connection ended before isFinal.
	ErrTruncated = errors.New("elevenlabs: stream ended before isFinal")
)
