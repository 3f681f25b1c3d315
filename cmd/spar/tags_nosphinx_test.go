//go:build !pocketsphinx

package main

// buildTags is empty: offline speech is not compiled in, so the end-to-end tests cannot run.
const buildTags = ""
