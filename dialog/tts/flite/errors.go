package flite

import "errors"

// ErrNotInstalled means a synthesizer binary is missing; the message names the Debian package.
var ErrNotInstalled = errors.New("tts binary not installed")

// ErrUnknownVoice means the voice is not one Voices lists (or espeak-ng does not know it).
var ErrUnknownVoice = errors.New("unknown voice")

// ErrNoAudio means the synthesizer exited without producing any samples.
var ErrNoAudio = errors.New("synthesizer produced no audio")
