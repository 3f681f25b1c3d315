// Package twilio is Spar's Twilio transport: the voice webhook (signature check, scenario
// choice, TwiML that connects a bidirectional Media Stream) and the Media Streams WebSocket
// that turns Twilio's JSON frames into a telephony.Call.
package twilio
