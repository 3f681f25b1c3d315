package sphinx

// maxHMMPerFrame is the decoders' -maxhmmpf outside adapt mode: at most 7000 active HMMs a
// frame (pocketsphinx's default is 30000). On the 30 learner lines measured
// (BenchmarkDecodeCPU) it left every transcript of LM and grammar mode as it was, on both
// paths, for 9-17 % less CPU per second of audio in LM mode; 5000 changed two LM
// transcripts, one for the worse. Adapt mode keeps pocketsphinx's default: with the cap it
// lost "charged twice" on a 16 kHz line (docs/BENCHMARKS.md, "Offline CPU per second of
// audio and memory per decoder").
const maxHMMPerFrame = "7000"

// decoderArgs are the pocketsphinx arguments of a decoder of band b, program name first:
// cfg has its defaults; featParams is the narrowband feat.params.
func decoderArgs(cfg Config, featParams string, b band) []string {
	args := []string{"spar", "-hmm", cfg.ModelDir, "-lm", cfg.LM, "-dict", cfg.Dict, "-logfn", "/dev/null"}
	if cfg.Mode != ModeAdapt {
		args = append(args, "-maxhmmpf", maxHMMPerFrame)
	}
	if b == narrowband {
		args = append(args, "-featparams", featParams)
	}
	if !cfg.SecondPass {
		// The flat-lexicon second pass re-decodes the whole utterance at its end: about
		// 0.5 s more per turn for about 2 points of word error rate (docs/BENCHMARKS.md).
		args = append(args, "-fwdflat", "no")
	}
	for i := 0; i+1 < len(cfg.args); i += 2 {
		args = setArg(args, cfg.args[i], cfg.args[i+1])
	}
	return args
}

// setArg sets the argument name to value in args (program name first, then name-value
// pairs), replacing an earlier value: pocketsphinx refuses an argument given twice.
func setArg(args []string, name, value string) []string {
	for i := 1; i+1 < len(args); i += 2 {
		if args[i] == name {
			args[i+1] = value
			return args
		}
	}
	return append(args, name, value)
}
