// Package sim is a simulated browser caller: a pion PeerConnection that places one call
// against a Spar server exactly as the learner page does (POST /webrtc/offer, Opus both
// ways, POST hang-up), plays a script of learner lines and notes what it heard. It is what
// `spar call --webrtc` runs, and the seed of a WebRTC load generator.
//
// The script format and its Script/Step types are the Twilio simulator's
// (telephony/twilio/sim): each step waits for the persona to finish, pauses, then acts; a
// step with Barge talks over the persona's next reply. DTMF steps are skipped: browsers
// have no keypad on a practice call.
//
// One call is three goroutines under the call's context: the caller's 20 ms loop (which
// runs Run's own goroutine), the persona audio reader, and pion's own; all have stopped when
// Run returns.
package sim
