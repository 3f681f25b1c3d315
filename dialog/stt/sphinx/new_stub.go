//go:build !pocketsphinx

package sphinx

import "log/slog"

// New reports ErrNotBuilt: this binary was built without the pocketsphinx tag.
func New(cfg Config, log *slog.Logger) (*Recognizer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return nil, ErrNotBuilt
}
