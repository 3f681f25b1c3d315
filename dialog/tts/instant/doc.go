// Package instant is a zero-latency synthesizer for benchmarks: it writes a fixed tone for
// each word of the text, all at once, with short silences between words and longer ones at
// commas and "...". The audio is not speech, but an energy voice detector hears its words
// and pauses the way it hears a talker's, and it costs next to nothing to produce.
package instant
