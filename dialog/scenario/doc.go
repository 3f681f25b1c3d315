// Package scenario reads practice scenarios: YAML files a trainer writes from their own
// material (configs/scenarios holds the shipped ones). A scenario sets the scene for the
// learner, describes the persona, and scripts how the persona reacts.
//
// Lifecycle:
//  1. Parse decodes one file strictly (syntax, unknown or duplicate keys, types, durations)
//     and applies defaults: the difficulty's Profile fills what the file leaves out.
//  2. Validate checks references (stages, behaviours, mood bands), reachability and lines.
//  3. Load does both for a directory and refuses duplicate ids; Lint reports every problem
//     of many files at once, as file:line:col, for `spar scenario lint`.
//  4. The persona (dialog/persona) plays the scenario; scoring reuses its Detector.
//
// The file, key by key (durations are strings like "700ms", "8s", "8m"):
//
//	id, title, category (support|sales|other), difficulty (easy|medium|hard)
//	situation        told to the learner before the call
//	learner_goal     what success looks like, shown to the learner
//	persona          name, voice (slt|rms|awb|kal|kal16|espeak:<voice>), backstory,
//	                 goal (hidden), start_mood
//	words            product and company names, for recognition hints
//	turns            end_silence, end_silence_complete (shorter, once the partial
//	                 transcript reads as complete), resume_within (default 1s, 0s off: the
//	                 learner going on this soon after an endpoint, before the persona's reply
//	                 has been heard beyond its first 600 ms, or 1 s when their first words
//	                 continue the sentence ("and", "because"...), is finishing the same
//	                 line: the reply is dropped and the whole line answered, as one
//	                 transcript line; with both set, a line whose partial trails off also
//	                 ends after end_silence_complete, and a final that still trails off
//	                 holds the reply to end_silence x1.5),
//	                 min_barge_in, backchannels, silence_timeout, silence_prompts, max_duration,
//	                 persona_barge_in {enabled, after_talk, triggers}
//	mood             max, hangup_at, bands {name: upper bound}, drift, recovery,
//	                 idle, talked_over, monologue, silence (base costs), max_step (how far
//	                 one learner turn may calm the persona, default 2.5)
//	behaviours       name: {label, phrases, needs, mood, repeat, ends_call, corrected_by,
//	                 shown_by, list}; list N credits it only where a turn names N of its
//	                 phrases at different places (a feature list); needs is question, open_question (one that explores,
//	                 not "how are you?", "what's the best email?" or "how about
//	                 Tuesday?"), statement or commitment (default: anywhere not negated); corrected_by names behaviours whose later use
//	                 takes this one back for scoring (another doctor offered, then her own
//	                 kept; a slip heard clearly after its fix takes the fix back); shown_by are phrases of the persona's reply that show a misheard
//	                 learner line did this ("forty calls a day" answers "how many?")
//	stages           ordered list of {name, advance {all, any, min}, skip {all, any, min},
//	                 max_mood}
//	objections       ordered list of {id, stage, says, again, yields, handled_by {all, any, min}}
//	raise_objections how many objections are raised (default by difficulty)
//	lines            greeting, silence, silence_hangup, hangup_angry, goodbye_resolved,
//	                 goodbye, repair, interrupted, repeat_question,
//	                 reactions {behaviour: [...]}, stages {stage: {enter|early|band: [...]}}
//	providers        persona, stt, tts: names of providers in the server's config
//	                 (spar.yaml providers:); voice: passed to that tts as is. Unset: the
//	                 server's defaults. The server refuses to start on a name it lacks.
//
// How a turn is read (Detector.Understand; the scorer's rubric grades the same reading, so
// the persona never calms down for something the scorecard says did not happen): the turn
// is split into sentences and clauses, and each behaviour's phrases (see Phrase for the
// syntax and its tolerance of recognition errors) count only where they mean what they say:
//
//   - not negated: a negation (not, no, never, can't, won't, there is no, without...)
//     covers the rest of its clause; pseudo-negations (no problem, no wonder, can't believe)
//     do not; a post-trigger negates what came before it ("A refund? Dream on.", "a refund
//     is not going to happen");
//   - needs: question counts only in a question ("what's the email on the account?");
//     statement only outside one; commitment only in something done or promised ("I've
//     refunded it", "I'll book you in", "can I refund that for you?"), not asked about,
//     hedged (if, maybe, might, try to) or negated ("do you want a refund?", "refunds
//     take time", "there is no refund" are not refunds);
//   - each behaviour counts once per turn, however many of its phrases the turn holds;
//   - a turn that stacks many kind behaviours in few words (seven, or five in under four
//     words each) is a script, one with a sarcasm cue ("what a tragedy", "dream on") is a
//     sneer, and one that names the technique ("now I'm acknowledging", "next open
//     question") is a checklist read aloud: none earns credit, and each provokes like
//     talking over the persona.
//
// A behaviour's mood applies
// on first use and its repeat afterwards (default 0 for kind words, the same for
// provocations), scaled by drift (provocations) or recovery (kind words); one turn calms by
// at most max_step, while provocations are not bounded. A stage advances
// when its requirement holds over the call so far and the mood is at most max_mood; before
// leaving a stage the persona raises that stage's objections one by one, each handled by
// behaviours said after it was raised (or since the stage's work was done: an answer given
// early is credited). An objection left unanswered for two learner turns is let go, at the
// cost of an idle turn: the call stays winnable by what comes next. Reaching and satisfying
// the last stage is the goal.
//
// A stage with skip is also passed when the skip requirement holds: a learner who refunds
// with a date before asking for details has made "what do you need from me?" moot. Without
// skip a stage is never passed early; its early lines are said when the learner has already
// met a later stage's requirement ("Don't you need my account number first?").
//
// A reply is built from what the learner just did, in this order: the reaction to the
// behaviour with the largest mood effect (provocations every time, kind words only while
// they still calm), the yield of an objection just handled (which replaces a kind word's
// reaction it answers), the enter line of the stage this turn's words earned (only when
// earned in order, and only a statement before a new objection), then the objection raised
// or still pending, the early line, or the stage's line for the mood band. A kind word's
// reaction stands in for the stage line: the persona does not re-ask what was just given.
// Variants are picked so that no line is said twice in a call while another is left.
// Difficulty sets drift, recovery, patience (silence_timeout, silence_prompts, after_talk),
// persona barge-in and the share of objections raised, unless the file sets them.
package scenario
