// Package twilio is Spar's Twilio transport: the voice webhook (signature check, scenario
// choice, TwiML that connects a bidirectional Media Stream) and the Media Streams WebSocket
// that turns Twilio's JSON frames into a telephony.Call.
//
// The life of a phone call:
//
//  1. Twilio POSTs the voice webhook (PathVoice). The X-Twilio-Signature is checked against
//     Config.PublicURL (or the forwarding headers) plus the path and query; a bad one is 403.
//  2. The scenario comes from the dialed number (Config.Numbers), else from a one-key DTMF
//     menu (Config.Menu: <Gather>, answered on the same URL with Digits), else from
//     Config.DefaultScenario. The learner comes from the caller ID (Config.Learners), else
//     "guest:<caller ID>" when guests are allowed.
//  3. The answer reserves a line (Config.MaxCalls counts it; past the cap the caller hears
//     that the lines are busy), stores the call's Decision (call ID, CallSid, scenario,
//     learner, numbers) in Tickets under a random one-time token, and is <Connect><Stream>
//     naming the wss:// media URL with the call ID, scenario, learner, from, to and the
//     token as <Parameter>s (Twilio strips stream query strings). A CallSid answered within
//     Config.ReplayWindow is a replayed webhook: it hears the busy message, no second call.
//  4. Twilio opens the WebSocket (PathMedia) with a signature over that wss:// URL, sends
//     connected then start. The start's token is claimed (deleted in the same step, so it
//     works once) and must have been issued for start's CallSid; the call's telephony.Info
//     comes from the claimed Decision, never from customParameters. A stream without a valid
//     token is refused and counted (Refusals). The reserved line becomes the call's; if no
//     stream comes within Config.StreamTimeout it is released. The handler runs in its own
//     goroutine with a context derived from the request's, so setting
//     http.Server.BaseContext to the process context lets shutdown end live calls.
//  5. The reader goroutine turns media messages into 16 kHz frames for Call.Deliver, using
//     media.timestamp as the clock (skipped silence is filled, never more than
//     telephony.MaxAhead ahead of the wall clock), and dtmf and mark messages into events.
//     Bad messages are counted and reported; too many end the call, as does a stream silent
//     for Config.IdleTimeout (a rolling read deadline).
//  6. Persona audio written to the call goes out as 160-byte mu-law media messages with a
//     mark every Config.MarkEvery frames; echoed marks tell Played what was heard, and Clear
//     discards the marks of audio Twilio dropped.
//  7. Twilio's stop, a closed socket, the handler returning, or Call.Hangup cancels the call's
//     context with a cause and the socket is closed with a close frame.
//
// On SIGTERM, Server.Drain turns new callers away politely and Server.Wait returns once the
// live calls have ended.
package twilio
