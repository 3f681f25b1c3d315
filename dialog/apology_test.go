package dialog

import (
	"context"
	"strings"
	"testing"
)

// TestApologize (issue 12 item 8): a caller the server cannot hold hears the apology, paced
// and whole, instead of dead air.
func TestApologize(t *testing.T) {
	synctestRun(t, func(t *testing.T) {
		eng, err := New(DefaultConfig(), &fakeSTT{}, fakeTTS{})
		if err != nil {
			t.Fatal(err)
		}
		line := newFakeLine()
		if err := eng.Apologize(context.Background(), line, "v", Apology); err != nil {
			t.Fatal(err)
		}
		want := int64(3 * 320 * len(strings.Fields(Apology))) // fakeTTS: 60 ms a word
		if got := int64(line.Played() * rate / 1e9); got != want {
			t.Errorf("played %d samples, want the whole apology, %d", got, want)
		}
	})
}
