package media

import "errors"

var (
	// ErrUnsupportedRate is returned by NewResampler for a rate other than 8, 16, 24 or 48 kHz.
	ErrUnsupportedRate = errors.New("media: unsupported sample rate")
	// ErrFlushed is returned by Playout.WaitSent when the audio waited for was dropped by a
	// Flush (barge-in) instead of being played.
	ErrFlushed = errors.New("media: audio flushed before it was sent")
	// ErrNotWAV is returned by ReadWAV when the bytes are not a RIFF/WAVE file.
	ErrNotWAV = errors.New("media: not a WAV file")
	// ErrUnsupportedFormat is returned by ReadWAV for WAV encodings other than 8 or 16-bit
	// integer PCM (plain or WAVE_FORMAT_EXTENSIBLE).
	ErrUnsupportedFormat = errors.New("media: unsupported WAV format")
	// ErrClosed is returned by writes to a WAVWriter or Recorder after Close.
	ErrClosed = errors.New("media: writer closed")
	// ErrInvalidConfig is wrapped by VADConfig.Validate.
	ErrInvalidConfig = errors.New("media: invalid config")
)
