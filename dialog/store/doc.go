// Package store keeps practice calls in Redis: the live state of each running call, its
// timeline (one stream entry per dialog.Event), the sealed call record, the indexes the
// console lists calls by, and the calls:sealed notices the scoring workers consume. It takes
// a redis.UniversalClient, so a single server, Sentinel and Cluster work unchanged; every key
// of one call carries the hash tag {callID}. keys.go is the one place that names keys.
//
// The life of a call in the store:
//
//  1. At server start (and safely at any time after), Recover seals as interrupted the calls
//     this node was running when it died, and those of other nodes whose heartbeat stopped
//     more than LiveTTL ago.
//  2. When a call is answered, Begin writes its info and live hashes, adds it to calls:live
//     and to the time, learner and scenario indexes, and starts the call's writer goroutine.
//  3. While it runs, the engine calls CallLog.Append for each timeline event and
//     CallLog.Update for live fields (mood, stage). Neither blocks: the writer batches events
//     into the stream and heartbeats the live hash every Heartbeat. If Redis is unreachable
//     the writer logs once, moves the call's events to its spill file under SpillDir (in
//     memory, up to Buffer, when spilling is off), retries with backoff, catches Redis up
//     from the file and logs again when Redis is back; the call goes on. A call begun during
//     an outage spills from its first event.
//  4. When the call ends, CallLog.Seal writes the remaining events, then the sealed record,
//     drops the live state, leaves calls:live and posts one notice on calls:sealed. If Redis
//     is still away, Seal writes the record to the spill file (fsynced) instead; a
//     background replayer, or Recover at the next start, seals it in Redis when it returns.
//  5. Afterwards Get, List and Timeline read the call; Follow tails a live call's timeline
//     (for live transcripts) until its call.end event.
//  6. When an admin sets a retention period (SetRetentionDays), the Sweeper deletes, every
//     hour, the sealed calls started longer ago: the recording file first, then every key of
//     the call and its index entries (Delete). Live calls are never deleted.
package store
