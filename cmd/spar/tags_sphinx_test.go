//go:build pocketsphinx

package main

// buildTags are the tags the end-to-end tests build spar with.
const buildTags = "pocketsphinx,libopus"
