package instant

import "errors"

// ErrClosed is returned by Write and Flush after Close.
var ErrClosed = errors.New("instant stt: stream closed")
