package sphinx

import (
	"slices"
	"testing"
)

// argValue is the value of the argument name in args, "" when absent.
func argValue(args []string, name string) string {
	for i := 1; i+1 < len(args); i += 2 {
		if args[i] == name {
			return args[i+1]
		}
	}
	return ""
}

func TestDecoderArgs(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cfg        Config
		b          band
		maxHMM     string
		fwdflat    string
		featParams string
	}{
		{"lm, 16 kHz", Config{}, wideband, maxHMMPerFrame, "no", ""},
		{"lm, phone", Config{}, narrowband, maxHMMPerFrame, "no", "feat.params"},
		{"grammar", Config{Mode: ModeGrammar}, narrowband, maxHMMPerFrame, "no", "feat.params"},
		{"adapt keeps pocketsphinx's default", Config{Mode: ModeAdapt}, narrowband, "", "no", "feat.params"},
		{"second pass", Config{SecondPass: true}, wideband, maxHMMPerFrame, "", ""},
		{"measured settings replace the decoder's", Config{args: []string{"-maxhmmpf", "5000", "-ds", "2"}}, wideband, "5000", "no", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := decoderArgs(tc.cfg.withDefaults(), "feat.params", tc.b)
			if args[0] != "spar" || len(args)%2 != 1 {
				t.Fatalf("args %q: want the program name, then name-value pairs", args)
			}
			for _, c := range []struct{ name, want string }{
				{"-maxhmmpf", tc.maxHMM}, {"-fwdflat", tc.fwdflat}, {"-featparams", tc.featParams},
			} {
				if got := argValue(args, c.name); got != c.want {
					t.Errorf("%s = %q, want %q (args %q)", c.name, got, c.want, args)
				}
			}
			var names []string
			for i := 1; i < len(args); i += 2 {
				if slices.Contains(names, args[i]) {
					t.Errorf("%s given twice: %q", args[i], args)
				}
				names = append(names, args[i])
			}
		})
	}
}
