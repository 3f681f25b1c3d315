// Package instant is a zero-latency speech recognizer for benchmarks and endpointing tests:
// it does no recognition at all. Each utterance's final transcript is the next line of a
// script, delivered the moment the engine flushes, so a benchmark measures Spar and not a
// speech model.
//
// With Config.Words set it also "hears" words: every burst of voiced audio (a word of the
// tone speech dialog/tts/instant produces, or of real speech) takes the next word of the
// script, and the words so far go out as interim transcripts. That is what a streaming
// recognizer gives the engine's trailing-word endpointing ("I called last week and ...").
package instant
