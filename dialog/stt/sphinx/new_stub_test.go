//go:build !pocketsphinx

package sphinx

import (
	"errors"
	"testing"
)

func TestNewNotBuilt(t *testing.T) {
	if _, err := New(Config{}, nil); !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("New = %v, want ErrNotBuilt", err)
	}
}
