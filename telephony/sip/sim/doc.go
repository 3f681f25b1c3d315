// Package sim is a simulated SIP caller: a sipgo user agent that places one call to a Spar
// SIP listener as a PBX extension would (INVITE with a G.711 offer, digest auth when
// challenged, ACK, RTP both ways, BYE), plays a script of learner lines and notes what it
// heard. It is what `spar call --sip` runs and what the SIP transport's tests call with.
//
// The script format is the Twilio simulator's (telephony/twilio/sim); DTMF steps are
// skipped (the shared director plays keys only as Twilio messages).
//
// One call is three goroutines under Run: the caller's 20 ms loop (Run's own), the persona
// audio reader, and sipgo's; all have stopped when Run returns.
package sim
