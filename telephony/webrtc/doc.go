// Package webrtc is Spar's browser transport: a learner's page sends a WebRTC offer, and the
// answered PeerConnection becomes a telephony.Call run by the handler.
//
// The page signals one of two ways; both go through the same checks (scenario, SDP with Opus
// or PCMU, MaxCalls, drain), the same identity (Server.Identify) and the same session:
//
//   - Trickle ICE over a WebSocket (PathSignal, what the learner page uses first). The page
//     sends small JSON messages: {type:"offer", scenario, learner, sdp} as soon as it has
//     an offer, then {type:"candidate", candidate:{candidate, sdpMid, sdpMLineIndex}} as its
//     candidates come ({type:"candidate"} without one ends them), and {type:"hangup"}. The
//     server answers {type:"answer", call_id, sdp} at once, then sends the candidates pion
//     gathers, never before the answer; refused messages get {type:"error", error} and the
//     socket stays open (too many close it); {type:"ended", reason} reports the call's end
//     and the server then closes the socket. The Origin must be the server's own host or
//     one of Config.AllowedOrigins; a message is at most MaxOfferBytes; the server pings
//     every PingInterval and drops a page that has not answered by the next ping. A socket
//     that closes without a hang-up is the page gone: the call ends with ErrSignalingLost
//     after DisconnectGrace, unless it ends first.
//   - One POST (PathOffer, the fallback when the socket cannot open, and `spar call
//     --webrtc` without --trickle). The body is {scenario, learner, sdp}; the answer waits
//     for candidate gathering (at most GatherTimeout) and carries every candidate. The page
//     hangs up with POST PathHangup; a hang-up for a call another node holds goes to
//     Server.HangupElsewhere (202), which passes it on. Errors are 4xx/5xx with a JSON
//     {error}.
//
// Who may offer: a page with a signed-in learner (Server.Identify) or a guest pass, the
// GuestCookie that PathConfig hands to a page nobody is signed in on (Config.RequireSession).
// Answered offers that have not connected yet each hold a line for up to ConnectTimeout, so
// they are capped per client (MaxPendingPerClient), per address (MaxPendingPerIP) and in
// total (MaxPendingOffers, always below MaxCalls): floods of offers that never connect
// cannot take every line. A pending slot is released when the call connects or ends.
//
// The life of a browser call:
//
//  1. The page fetches PathConfig for the STUN/TURN servers to use (and, when someone is
//     signed in, the learner's name and CSRF token), captures the microphone and offers.
//  2. The Server answers from its one shared webrtc.API (Opus PT 111, PCMU PT 0, default
//     interceptors, a SettingEngine built from Config: public IPs, one UDP port or a port
//     range, loopback candidates for tests). The call is recorded under the learner ID
//     Server.Identify gives for the request, else "guest:<typed name>".
//  3. The call starts once ICE and DTLS connect (within Config.ConnectTimeout, else it ends
//     without running the handler). Learner audio: RTP -> Opus (or mu-law) decode at 16 kHz ->
//     320-sample frames -> Call.Deliver; RTP timestamp jumps become silence, so the frame count
//     stays the call's clock, but never more than telephony.MaxAhead ahead of the wall
//     clock (the excess is dropped and counted). Persona audio: Call.WriteSample (one paced 20 ms frame) -> Opus
//     (or mu-law) encode -> one RTP packet, its timestamp following the wall clock across
//     pauses.
//  4. The call ends when the handler returns, the page hangs up (message or POST), ICE fails,
//     the connection stays disconnected for Config.DisconnectGrace, the signaling socket
//     stays gone for as long, or Server.Close is called. Each ends the call's context with a
//     cause the timeline shows as the end reason; the PeerConnection is closed and every
//     goroutine of the call has stopped when its run returns.
//
// Server.Drain refuses new offers with 503 (an error message on the socket); Server.Wait
// reports when live calls have ended; Server.Close also closes the signaling sockets.
package webrtc
