// Package scoring turns a sealed call into conversation metrics and a rubric scorecard with
// evidence, and runs the queue that makes sure every sealed or interrupted call is scored.
//
// The life of a scorecard:
//
//  1. store.CallLog.Seal (or store.Recover, for a call whose server died) posts a notice on
//     the calls:sealed stream.
//  2. A Worker reads it through the "scoring" consumer group (or reclaims it with XAUTOCLAIM
//     from a worker that died holding it), counts the attempt in Redis, and skips the call
//     if its scorecard already exists: scoring is idempotent.
//  3. Score reads the record and timeline, computes Metrics (metrics.go; each one is defined
//     in docs/SCORING.md), picks the scenario's Rubric (configs/rubrics/<scenario>.yaml) and
//     asks a Judge for per-criterion results. Deterministic is the offline judge: each
//     learner line read by the scenario's detector (clauses, negation, questions,
//     commitments), outcomes checked against the persona's replies, plus metric thresholds.
//  4. Whatever the judge, every evidence quote is checked against the transcript: the
//     learner's own words, at least three words or a whole line, at the moment given. A
//     failed quote is dropped; a criterion whose evidence all failed gets no credit and is
//     marked low-confidence, and each flag gets a plain-words note. The overall score
//     is the weighted mean of the criteria; pass needs the rubric's pass mark and every
//     required criterion in the mid band or better (Holds). Interrupted or partial calls are scored
//     and flagged, never dropped.
//  5. The worker stores the card once (SET NX, keyed by call ID) and acknowledges the
//     notice. A failure is retried with backoff; on the last attempt a failing judge
//     (ErrJudge: an LLM judge's bad reply or timeout) gives way to Worker.Fallback, the
//     deterministic scorer; other failures after MaxAttempts send the notice to the
//     dead-letter stream, acknowledged.
//  6. A new card goes to Worker.OnScored, Deliverer.Enqueue, which never blocks; the
//     Deliverer sends it to a signed webhook, an xAPI LRS and, for phone learners, a text
//     message, each retried with backoff. A failed delivery is logged; the card stays stored.
package scoring
