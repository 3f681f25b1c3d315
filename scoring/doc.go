// Package scoring will turn a sealed call's timeline into conversation metrics and a rubric
// scorecard with evidence. It is not built yet: sealed calls already carry everything it
// needs (transcript, timeline with barge-ins, mood and latency, and a notice on the
// calls:sealed stream, see dialog/store/keys.go).
package scoring
