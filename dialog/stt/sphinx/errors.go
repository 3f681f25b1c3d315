package sphinx

import "errors"

// ErrNotBuilt is returned by New in a build without the pocketsphinx tag.
var ErrNotBuilt = errors.New("offline speech recognition is not compiled in: install libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us and build with -tags pocketsphinx (make build does this)")

// ErrClosed is returned by a stream's Write and Flush after Close, and by Stream after the
// Recognizer is closed.
var ErrClosed = errors.New("sphinx: closed")
