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
// The rest comes from a template by kind (the built-in scenario of that kind): stages,
// behaviours, mood, lines and the rubric's criteria, which the trainer then edits.
package draft
