// Package draft turns a team's own material (a policy page, an FAQ, a call transcript) into
// a first draft of a studio scenario and its rubric, offline and deterministically: the same
// material always gives the same draft.
//
// What it reads from the material:
//  1. Question and answer pairs become objections the persona raises and the answers the
//     learner is expected to give: FAQ pairs ("Q: ..." / "A: ...", or a line ending in "?"
//     and the lines after it), "if the customer says X, say Y" lines, and in a transcript
//     ("Customer: ..." / "Agent: ...") each customer question with the agent's reply.
//     Each answer becomes a behaviour (its phrase: the answer's first content words) that
//     handles the objection, and a "better line" of a rubric criterion.
//  2. Sentences with numbers, amounts, dates, deadlines or policy words become persona facts
//     (her backstory) and policy points in the situation; each fact keeps the sentence it
//     came from.
//  3. Capitalised names become recognition words.
//
// A call transcript (call.go) is read from the customer's side instead: her first line is
// the persona's greeting, her questions and push-backs (with the agent's replies) the
// objections, her calmer line after a reply its yield, her last calm line the resolved
// goodbye; cue words give each of her lines a heat, which moves the starting mood and is told
// in the backstory; her sentences with numbers or account words are the facts; and the
// agent's best lines (after which she calmed down, or that answered her) join the rubric's
// better lines. A transcribed recording has one speaker ("Speaker: ..."): its turns are taken
// to alternate, the agent first.
//
// The rest comes from a template by kind (the built-in scenario of that kind): stages,
// behaviours, mood, lines and the rubric's criteria, which the trainer then edits.
//
// With an LLM configured, LLM drafts instead (llm.go): one chat completion with a strict
// JSON schema (response_format json_schema) asking for the scenario and rubric YAML, in the
// format of the kind's template, and the persona's facts, each with the sentence of the
// material it came from. Facts whose sentence is not in the material are rejected (listed in
// Draft.Rejected, kept out of the persona); the others go into her backstory. The reply is
// linted like `spar scenario lint` (plus the rubric rules); a reply with problems is sent
// back once with them, and a second failure is a *FailedError naming what failed.
package draft
