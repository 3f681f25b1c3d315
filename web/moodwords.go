package web

import "strings"

// MoodWhy says in plain words why the persona's mood moved, from a persona.mood event's
// Detail ("apologised; handled objection: have_vendor; moved to complaint"): what the learner
// did, without the script's stage names, which mean nothing to a learner or a trainer
// reading a replay ("moved to complaint"). An objection keeps its ID, in words.
func MoodWhy(detail string) string {
	var out []string
	for _, part := range strings.Split(detail, "; ") {
		part = strings.TrimSpace(part)
		switch {
		case part == "", strings.HasPrefix(part, "moved to "), strings.HasPrefix(part, "skipped ") && strings.HasSuffix(part, "(already done)"):
			continue
		}
		for prefix, words := range objectionWords {
			if id, ok := strings.CutPrefix(part, prefix); ok {
				part = words + " (" + strings.NewReplacer("_", " ", "-", " ").Replace(id) + ")"
				break
			}
		}
		out = append(out, part)
	}
	return strings.Join(out, "; ")
}

// objectionWords words what happened to one of the persona's objections.
var objectionWords = map[string]string{
	"raised objection: ":               "raised an objection",
	"handled objection: ":              "answered an objection",
	"pre-empted objection: ":           "answered an objection before it came up",
	"let go of unanswered objection: ": "let an unanswered objection go",
}
