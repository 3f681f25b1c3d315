//go:build !pocketsphinx

package sphinx

import "testing"

// TestPhoneLabeled needs the recognizer: see phone_labeled_test.go.
func TestPhoneLabeled(t *testing.T) {
	t.Skip("needs -tags pocketsphinx; " + phoneHowTo)
}
