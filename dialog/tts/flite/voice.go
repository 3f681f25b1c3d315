package flite

import (
	"fmt"
	"strings"
)

// espeakPrefix marks a voice spoken by espeak-ng rather than flite: "espeak:en-us+f3".
const espeakPrefix = "espeak:"

// parseVoice splits "espeak:<name>" from a flite voice name and checks the name's characters,
// so that a voice never reaches a command line as an option or a path.
func parseVoice(v string) (espeak bool, name string, err error) {
	name, espeak = strings.CutPrefix(v, espeakPrefix)
	if name == "" {
		return false, "", fmt.Errorf("%w: empty voice name %q", ErrUnknownVoice, v)
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || (espeak && r == '+')
		if !ok {
			return false, "", fmt.Errorf("%w: bad character %q in voice %q", ErrUnknownVoice, r, v)
		}
	}
	if name[0] == '-' {
		return false, "", fmt.Errorf("%w: voice %q", ErrUnknownVoice, v)
	}
	return espeak, name, nil
}

// parseFliteVoices reads the output of `flite -lv`: "Voices available: kal awb_time ...".
// awb_time is a limited-domain voice that can only say the time, so it is left out.
func parseFliteVoices(out string) []string {
	_, list, _ := strings.Cut(out, ":")
	var voices []string
	for _, v := range strings.Fields(list) {
		if v == "awb_time" {
			continue
		}
		voices = append(voices, v)
	}
	return voices
}
