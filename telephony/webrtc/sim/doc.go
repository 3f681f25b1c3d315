// Package sim is a simulated browser caller: a pion PeerConnection that places one call
// against a Spar server as the learner page does, plays a script of learner lines and notes
// what it heard. It signals either way the server offers: over the WebSocket with trickle
// ICE (Config.Trickle: GET /webrtc/ws, offer, candidates both ways, hangup message) or with
// one POST /webrtc/offer carrying every candidate and a POST hang-up. Audio is Opus both
// ways. It is what `spar call --webrtc` runs, and the seed of a WebRTC load generator.
//
// The script format and its Script/Step types are the Twilio simulator's
// (telephony/twilio/sim): each step waits for the persona to finish, pauses, then acts; a
// step with Barge talks over the persona's next reply. DTMF steps are skipped: browsers
// have no keypad on a practice call.
//
// One call is three goroutines under the call's context: the caller's 20 ms loop (which
// runs Run's own goroutine), the persona audio reader, and pion's own; a trickle call adds
// the signaling socket's reader. All have stopped when Run returns.
package sim
