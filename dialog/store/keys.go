package store

import "strconv"

// Redis key layout. Every key of one call carries the hash tag {callID}, so in Redis Cluster
// they live in one slot and the per-call scripts and transactions may touch several of them;
// the cross-call keys (sets, indexes, the sealed stream) are written in separate commands.
// The account, assignment and studio keys carry one hash tag per family ({account},
// {assignments}, {studio}), because their transactions and set unions span many users,
// teams or scenarios. keys_test.go walks every builder and checks that keys used together
// share a slot. All names start with Config.Prefix (default "spar:"). Layout 2 introduced
// the family tags; Migrate moves the keys of layout 1 (see legacy.go).
type keys struct{ prefix string }

// The hash tags of the key families that are not per call (after Config.Prefix).
const (
	accountTag    = "{account}:"
	assignmentTag = "{assignments}:"
	studioTag     = "{studio}:"
)

// info: hash, no TTL. The call's static description: id, scenario, learner, transport,
// external_id, from, to, node, started (unix ms), recording, and p.<name> for each transport
// parameter. Written once by Begin; read by Recover (the live hash may have expired by then);
// deleted when the call is sealed. Its existence means "not sealed yet": heartbeats only
// touch the live hash while it exists.
func (k keys) info(id string) string { return k.prefix + "call:{" + id + "}:info" }

// live: hash, TTL Config.LiveTTL refreshed by every heartbeat. The info fields plus
// heartbeat (unix ms), mood, stage and events (entries written so far). Written by Begin and
// the call's writer goroutine (heartbeat, CallLog.Update); read by live views (web console);
// deleted when the call is sealed.
func (k keys) live(id string) string { return k.prefix + "call:{" + id + "}:live" }

// timeline: stream, no TTL, capped near Config.TimelineMax entries (MAXLEN ~). One entry per
// dialog.Event, encoded by EncodeEvent, with the explicit ID <unix ms>-<n> where n counts the
// call's events from 1 (so a retried write is recognised as a duplicate, and n of the last
// entry is the call's event count even after trimming). Written by the call's writer; read
// by Timeline, Follow and Recover. Kept after sealing for replay and scoring.
func (k keys) timeline(id string) string { return k.prefix + "call:{" + id + "}:timeline" }

// record: string, no TTL. The sealed Record as JSON. Written once, under the seal lock, by
// CallLog.Seal or Recover; read by Get and List.
func (k keys) record(id string) string { return k.prefix + "call:{" + id + "}" }

// sealLock: string, TTL sealLockTTL. Holds the node that is sealing the call, taken with
// SET NX so that one of CallLog.Seal and any number of concurrent Recover runs seals it.
// Deleted by its holder (compare-and-delete) when done; the TTL frees it if the holder dies.
func (k keys) sealLock(id string) string { return k.prefix + "call:{" + id + "}:seal" }

// liveSet: sorted set, no TTL. Member call ID, score the last heartbeat (unix ms). Written by
// Begin and heartbeats (ZADD XX: a heartbeat never re-adds a call another node recovered);
// the member is removed when the call is sealed. Read by Live and by Recover to find calls
// whose server died.
func (k keys) liveSet() string { return k.prefix + "calls:live" }

// hangups: pub/sub channel. Message a live call's ID: the node holding it hangs it up.
// Published by RequestHangup; every node follows it with HangupRequests.
func (k keys) hangups() string { return k.prefix + "calls:hangups" }

// byTime: sorted set, no TTL. Member call ID, score started (unix ms). Written by Begin; read
// by List.
func (k keys) byTime() string { return k.prefix + "calls:by-time" }

// byLearner: sorted set, no TTL. The learner's calls, member call ID, score started (unix
// ms). Written by Begin when the learner is known; read by List.
func (k keys) byLearner(learner string) string { return k.prefix + "learner:" + learner + ":calls" }

// byScenario: sorted set, no TTL. The scenario's calls, member call ID, score started (unix
// ms). Written by Begin when the scenario is known; read by List.
func (k keys) byScenario(scenario string) string {
	return k.prefix + "scenario:" + scenario + ":calls"
}

// sealed: stream, no TTL, not trimmed here. One entry per sealed call with fields id and
// status, appended by whoever sealed the call (after the record is written, so a reader
// always finds it). The scoring workers consume it with a consumer group. A server dying
// between the record and the notice is repaired by the next Recover, so a notice may in rare
// cases arrive twice: consumers must be idempotent.
func (k keys) sealed() string { return k.prefix + "calls:sealed" }

// SealedStream returns the name of the calls:sealed stream, for the scoring workers' consumer
// group. Its entries have the fields id and status.
func (s *Store) SealedStream() string { return s.keys.sealed() }

// scorecard: string, no TTL. The call's scorecard as JSON (scoring.Scorecard), written once
// with SET NX by the first scoring worker to finish the call, so a notice delivered twice or
// a job reclaimed from a dead worker never stores a second card; rescoring replaces it
// deliberately (SET). Read by `spar score`, the web pages and the webhook.
func (k keys) scorecard(id string) string { return k.prefix + "call:{" + id + "}:scorecard" }

// ScorecardKey returns the key of call id's scorecard (see keys.scorecard).
func (s *Store) ScorecardKey(id string) string { return s.keys.scorecard(id) }

// scoreAttempts: string (counter), TTL set by the scoring worker. How many times scoring of
// the call has started, across workers, so a job that fails or kills its worker every time
// reaches the dead-letter stream after the configured number of attempts.
func (k keys) scoreAttempts(id string) string { return k.prefix + "call:{" + id + "}:score:attempts" }

// ScoreAttemptsKey returns the key of call id's scoring attempt counter.
func (s *Store) ScoreAttemptsKey(id string) string { return s.keys.scoreAttempts(id) }

// scoringDead: stream, no TTL, not trimmed. One entry per call given up by scoring, with
// fields id, status, attempts and error; an operator replays them with `spar rescore`.
func (k keys) scoringDead() string { return k.prefix + "scoring:dead" }

// ScoringDeadStream returns the name of the scoring dead-letter stream.
func (s *Store) ScoringDeadStream() string { return s.keys.scoringDead() }

// ScoringGroup is the consumer group the scoring workers read calls:sealed with. It is a
// group name on the sealed stream, not a key.
func (s *Store) ScoringGroup() string { return "scoring" }

// AccountKeys names the keys of local accounts, sessions, API tokens and login counters
// (package web/account). Prefix is the store's Config.Prefix. Every account key carries the
// hash tag {account}: account changes touch the user, its team sets, its sessions and tokens
// in one MULTI, and in Redis Cluster that needs one slot.
type AccountKeys struct{ Prefix string }

// AccountKeys returns the account key layout under this store's prefix.
func (s *Store) AccountKeys() AccountKeys { return AccountKeys{s.keys.prefix} }

// User: string, no TTL. One account as JSON (account.User, with its password hash). Written
// by `spar user add` and the admin pages; read on every authenticated request (via Session).
func (k AccountKeys) User(id string) string { return k.Prefix + accountTag + "user:" + id }

// Users: set, no TTL. Every account ID, for `spar user list` and the admin pages.
func (k AccountKeys) Users() string { return k.Prefix + accountTag + "users" }

// Email: string, no TTL. The lower-cased email's account ID; created with SET NX so two
// accounts never share an email. Read at login.
func (k AccountKeys) Email(email string) string { return k.Prefix + accountTag + "email:" + email }

// Learner: string, no TTL. The account ID owning a learner ID as it appears in call records
// (store.Record.Learner); created with SET NX. Read by the authorization checks.
func (k AccountKeys) Learner(learner string) string {
	return k.Prefix + accountTag + "learner:" + learner
}

// Phone: string, no TTL. The account ID linked to a caller ID (E.164); created with SET NX.
// Read by the authorization checks (a phone call's From) and to name phone learners.
func (k AccountKeys) Phone(phone string) string { return k.Prefix + accountTag + "phone:" + phone }

// TeamMembers: set, no TTL. The account IDs of a team's members (learners and trainers).
// Read to list a trainer's learners and calls.
func (k AccountKeys) TeamMembers(team string) string {
	return k.Prefix + accountTag + "team:" + team + ":members"
}

// Teams: set, no TTL. Every team name.
func (k AccountKeys) Teams() string { return k.Prefix + accountTag + "teams" }

// Session: hash, TTL the session lifetime (refreshed while used). Fields user, csrf, created
// (unix ms). The name holds the SHA-256 of the cookie's token, never the token itself.
func (k AccountKeys) Session(tokenHash string) string {
	return k.Prefix + accountTag + "session:" + tokenHash
}

// Token: hash, no TTL. An API token: fields user, name, created (unix ms). The name holds the
// SHA-256 of the token; the token itself is shown once, at creation.
func (k AccountKeys) Token(tokenHash string) string {
	return k.Prefix + accountTag + "token:" + tokenHash
}

// UserTokens: set, no TTL. The hashes of one account's API tokens, to list and revoke them.
func (k AccountKeys) UserTokens(id string) string {
	return k.Prefix + accountTag + "user:" + id + ":tokens"
}

// UserSessions: set, TTL the session lifetime (extended at each sign-in). The token hashes
// of one account's sessions, so a password reset, a disable or a delete ends them all.
// Members may name sessions that already expired; readers ignore those.
func (k AccountKeys) UserSessions(id string) string {
	return k.Prefix + accountTag + "user:" + id + ":sessions"
}

// LoginFailures: string (counter), TTL the rate-limit window from the first failure. Failed
// logins for one subject ("email:<address>" or "ip:<address>"); login is refused while it is
// at the limit.
func (k AccountKeys) LoginFailures(subject string) string {
	return k.Prefix + accountTag + "login-failures:" + subject
}

// LoginBackoff: string, TTL the wait. Set once an email has failed MaxFailures times from
// one client address ("email:<address>|ip:<address>"); that pair is refused until it
// expires. The wait doubles with each further failure.
func (k AccountKeys) LoginBackoff(pair string) string {
	return k.Prefix + accountTag + "login-backoff:" + pair
}

// KnownClient: string, TTL 30 days from the last sign-in. Set when an email signs in from a
// client address ("email:<address>|ip:<address>"); that pair is not refused by the email's
// overall failure limit, so failures from elsewhere cannot lock the owner out.
func (k AccountKeys) KnownClient(pair string) string {
	return k.Prefix + accountTag + "known-client:" + pair
}

// Settings: hash, no TTL. Admin settings, e.g. retention_days (how long recordings are kept).
func (k AccountKeys) Settings() string { return k.Prefix + "settings" }

// FeedbackKeys names the keys of trainer feedback on one call (package web/console). They
// carry the call's hash tag, like the call's other keys.
type FeedbackKeys struct{ Prefix string }

// FeedbackKeys returns the feedback key layout under this store's prefix.
func (s *Store) FeedbackKeys() FeedbackKeys { return FeedbackKeys{s.keys.prefix} }

// Comments: hash, no TTL. Trainer comments pinned to moments of the call: field comment ID,
// value JSON (author, at_ms, text, created, edited). Visible to the learner.
func (k FeedbackKeys) Comments(callID string) string {
	return k.Prefix + "call:{" + callID + "}:comments"
}

// Override: string, no TTL. A trainer's score override as JSON (score, pass, reason, author,
// at); replaced by a later override.
func (k FeedbackKeys) Override(callID string) string {
	return k.Prefix + "call:{" + callID + "}:override"
}

// Disagree: string, no TTL. The learner's "I disagree" flag as JSON (reason, at); deleted when
// withdrawn.
func (k FeedbackKeys) Disagree(callID string) string {
	return k.Prefix + "call:{" + callID + "}:disagree"
}

// AssignmentKeys names the keys of assignments ("10 reps in 30 days", package web/console).
// They carry the hash tag {assignments}: an assignment and its indexes change in one MULTI,
// and a learner's assignments are the SUNION of their own set and their teams' sets.
type AssignmentKeys struct{ Prefix string }

// AssignmentKeys returns the assignment key layout under this store's prefix.
func (s *Store) AssignmentKeys() AssignmentKeys { return AssignmentKeys{s.keys.prefix} }

// Assignment: string, no TTL. One assignment as JSON (console.Assignment: scenario, team
// and/or learner account IDs, reps, pass mark, note, created, due, author). Written by the
// console's assignment pages; read by them and by GET /api/me/assignments. Progress is not
// stored: it is derived from the call records each time.
func (k AssignmentKeys) Assignment(id string) string { return k.Prefix + assignmentTag + "id:" + id }

// All: sorted set, no TTL. Every assignment ID, score its creation time (unix ms). Read by
// the console's assignment list.
func (k AssignmentKeys) All() string { return k.Prefix + assignmentTag + "all" }

// Learner: set, no TTL. The IDs of the assignments naming one learner account directly.
// Read by GET /api/me/assignments.
func (k AssignmentKeys) Learner(accountID string) string {
	return k.Prefix + assignmentTag + "learner:" + accountID
}

// Team: set, no TTL. The IDs of the assignments given to a whole team (its learner members
// at read time). Read by GET /api/me/assignments.
func (k AssignmentKeys) Team(team string) string { return k.Prefix + assignmentTag + "team:" + team }

// StudioKeys names the keys of scenarios made in the console (package dialog/studio). They
// carry the hash tag {studio}: publishing sets a scenario's hash and the published index in
// one MULTI. Versions are never deleted, so a call's record can always name the version it
// ran against.
type StudioKeys struct{ Prefix string }

// StudioKeys returns the studio key layout under this store's prefix.
func (s *Store) StudioKeys() StudioKeys { return StudioKeys{s.keys.prefix} }

// Scenarios: sorted set, no TTL. Every studio scenario ID, score its creation (unix ms).
func (k StudioKeys) Scenarios() string { return k.Prefix + studioTag + "scenarios" }

// Scenario: hash, no TTL. One studio scenario: created (unix ms, written with HSETNX so two
// trainers cannot create one ID), author, origin (the file scenario it was duplicated from,
// or "import"), latest (its newest version number, HINCRBY at each save) and published (the
// version learners get; absent while it is a draft).
func (k StudioKeys) Scenario(id string) string { return k.Prefix + studioTag + "scenario:" + id }

// Version: string, no TTL. One immutable version as JSON (studio.Version: the scenario and
// rubric YAML as saved, author, time, lint problems), written once with SET NX.
func (k StudioKeys) Version(id string, n int) string {
	return k.Prefix + studioTag + "scenario:" + id + ":v:" + strconv.Itoa(n)
}

// Published: hash, no TTL. Field scenario ID, value its published version number. Read by
// every node's catalog on each lookup, so a publish is seen everywhere without a restart.
func (k StudioKeys) Published() string { return k.Prefix + studioTag + "published" }

// Trial: string, TTL studio.TrialTTL. One trial ticket as JSON (studio.Trial: scenario,
// version, the trainer it was given to), which lets that trainer's browser call a version
// learners cannot (a draft). Written once with SET NX by the editor's "Try it".
func (k StudioKeys) Trial(ticket string) string { return k.Prefix + studioTag + "trial:" + ticket }
