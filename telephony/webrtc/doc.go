// Package webrtc is Spar's browser transport: a learner's page sends a WebRTC offer over
// HTTP, and the answered PeerConnection becomes a telephony.Call run by the handler.
//
// The life of a browser call:
//
//  1. The page fetches PathConfig for the STUN/TURN servers to use, captures the microphone
//     and POSTs PathOffer with {scenario, learner, sdp}. The offer must carry an audio section
//     with Opus (preferred) or PCMU; anything else is a 4xx with a JSON {error}.
//  2. The Server answers from its one shared webrtc.API (Opus PT 111, PCMU PT 0, default
//     interceptors, a SettingEngine built from Config: public IPs, one UDP port or a port
//     range, loopback candidates for tests). ICE is not trickled: the answer carries every
//     candidate, so one request/response is the whole signaling.
//  3. The call starts once ICE and DTLS connect (within Config.ConnectTimeout, else it ends
//     without running the handler). Learner audio: RTP -> Opus (or mu-law) decode at 16 kHz ->
//     320-sample frames -> Call.Deliver; RTP timestamp jumps become silence, so the frame count
//     stays the call's clock. Persona audio: Call.WriteSample (one paced 20 ms frame) -> Opus
//     (or mu-law) encode -> one RTP packet, its timestamp following the wall clock across
//     pauses.
//  4. The call ends when the handler returns, the page POSTs PathHangup, ICE fails, the
//     connection stays disconnected for Config.DisconnectGrace, or Server.Close is called.
//     Each ends the call's context with a cause the timeline shows as the end reason; the
//     PeerConnection is closed and every goroutine of the call has stopped when its run
//     returns.
//
// Server.Drain refuses new offers with 503; Server.Wait reports when live calls have ended.
package webrtc
