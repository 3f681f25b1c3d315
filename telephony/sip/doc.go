// Package sip is Spar's SIP trunk transport: a PBX (Asterisk, FreeSWITCH) or a carrier's
// trunk sends an INVITE, and the answered call becomes a telephony.Call run by the same
// handler as Twilio and browser calls. Signaling is github.com/emiago/sipgo (UDP and TCP,
// transactions, dialogs, CANCEL); the SDP and the RTP are Spar's own (offer.go, answer.go,
// rtpconn.go), so every byte a caller controls is parsed by code this package owns and fuzzes.
//
// The life of a call:
//
//  1. guard: a request from outside Config.AllowFrom gets 403. With Config.Username set, an
//     INVITE without valid digest credentials gets 401 with a challenge (stateless nonces,
//     qop=auth), wrong ones 403.
//  2. serveInvite checks the offer (parseOffer: one audio stream, RTP/AVP, PCMU or PCMA;
//     otherwise 488 with the reason in a Warning header), routes it (the dialed user names
//     the scenario through Config.Numbers or DefaultScenario, else 404; the caller ID names
//     the learner through Config.Learners, else "guest:<caller ID>" or 403) and admits it
//     (486 Busy Here past Config.MaxCalls, 503 with Retry-After while draining).
//  3. It sends 100 and 180, rings for Config.RingTime (a CANCEL then ends it: the caller
//     gets 487 and no call runs), opens the call's RTP socket and answers 200 with SDP and
//     an X-Spar-Call-ID header, then waits for the ACK.
//  4. From the ACK the call runs: learner RTP -> G.711 decode (by payload type) -> 16 kHz ->
//     20 ms frames -> Call.Deliver, the RTP timestamp being the media clock (gaps filled with
//     silence, late packets dropped, never more than telephony.MaxAhead ahead of the wall
//     clock, and never stopped: audio over 100 ms overdue is filled with silence, since a
//     SIP caller may send nothing for a while; a held line's audio counts as silence);
//     RFC 4733 telephone-events -> DTMF events; persona audio Call.WriteSample -> 8 kHz ->
//     G.711 -> one RTP packet per 20 ms, its timestamp following the wall clock across
//     pauses. Only RTP from the SDP's or the SIP peer's address is read.
//  5. A re-INVITE is checked like the first offer (488 leaves the call as it was) and then
//     followed: a new address or law, hold (sendonly: Spar stops sending; recvonly or
//     inactive: no RTP timeout), resume.
//  6. The call ends when the handler returns (Spar sends BYE), the caller sends BYE
//     (ErrLearnerHungUp), no RTP comes for Config.RTPTimeout (ErrRTPTimeout), or Server.Close.
//     Each ends the call's context with that cause; the socket is closed and the call's two
//     goroutines have stopped when serveInvite returns.
//
// Server.Drain refuses new calls with 503; Server.Wait reports when live calls have ended.
package sip
