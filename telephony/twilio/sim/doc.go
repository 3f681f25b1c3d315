// Package sim is a simulated Twilio caller: it places one call against a Spar server exactly
// as Twilio Programmable Voice would, so a user can try Spar without a phone, end-to-end tests
// can drive real calls, and the load generator can run hundreds of callers in one process.
//
// Run places one call:
//  1. POST the signed voice webhook ({BaseURL}/twilio/voice) and read the TwiML reply,
//     following a <Gather> menu with Config.Digits and <Redirect>s;
//  2. a <Say>/<Reject>/<Hangup> answer ends the call as refused (ErrRefused); a
//     <Connect><Stream> answer gives the stream URL and its <Parameter>s;
//  3. dial the stream WebSocket with X-Twilio-Signature over the wss:// URL from the TwiML;
//  4. send connected and start, then one 20 ms inbound media frame per tick (silence when the
//     script is not speaking), dtmf when the script says so;
//  5. play outbound media in real time at 8 kHz, echoing each mark once the audio queued
//     before it has played and every pending mark at once on clear;
//  6. when the script hangs up send stop and close the socket; if the server closes first,
//     the persona hung up.
//
// Each call is one goroutine for the socket reader plus the caller's own loop (and one for
// the optional SSE transcript), all under the call's context; nothing is global.
//
// Reference: https://www.twilio.com/docs/voice/media-streams/websocket-messages
package sim
