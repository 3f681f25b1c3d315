package account

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Role is what an account may do.
type Role string

// Roles, from least to most privileged.
const (
	RoleLearner Role = "learner" // practises; sees only their own calls
	RoleTrainer Role = "trainer" // sees and comments on the calls of learners in their teams
	RoleAdmin   Role = "admin"   // sees everything; manages accounts and retention
)

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleLearner, RoleTrainer, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("%w: role %q (want learner, trainer or admin)", ErrInvalid, s)
}

// User is one account as the rest of Spar sees it: never the password hash.
type User struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Email string   `json:"email"`
	Role  Role     `json:"role"`
	Teams []string `json:"teams,omitempty"`
	// Learner is the learner ID this account's calls carry (store.Record.Learner): a browser
	// call made while signed in, or the name twilio.learners gives the caller's number.
	Learner string `json:"learner,omitempty"`
	// Phones are caller IDs (E.164) linked to this account: phone calls from them, recorded
	// with the learner ID "guest:<number>", are this account's too.
	Phones  []string  `json:"phones,omitempty"`
	Created time.Time `json:"created"`
	// Disabled accounts cannot sign in, and their sessions and API tokens stop working;
	// their calls stay, visible to trainers and admins as before.
	Disabled bool `json:"disabled,omitempty"`
}

// LearnerIDs returns every learner ID under which this account's calls are recorded.
func (u *User) LearnerIDs() []string {
	var out []string
	if u.Learner != "" {
		out = append(out, u.Learner)
	}
	for _, p := range u.Phones {
		out = append(out, GuestLearner(p))
	}
	return out
}

// InTeam reports whether the user belongs to team.
func (u *User) InTeam(team string) bool { return slices.Contains(u.Teams, team) }

// GuestLearner is the learner ID the Twilio transport gives a caller not in twilio.learners.
func GuestLearner(phone string) string { return "guest:" + phone }

// NewUser is what Create needs.
type NewUser struct {
	ID       string // optional; a random ID when empty
	Name     string
	Email    string
	Role     Role
	Teams    []string
	Learner  string // optional; the ID when empty
	Phones   []string
	Password string
}

var (
	idRE    = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$`)
	teamRE  = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9 ._-]{0,63}$`)
	phoneRE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// MinPassword is the shortest password Create accepts.
const MinPassword = 10

// commonPasswords are long enough and still the first a guesser tries.
var commonPasswords = []string{"password", "qwerty", "letmein", "welcome", "iloveyou", "admin", "abc123", "spar"}

// weakPassword says why a password of the right length is still too easy to guess, or "":
// one character repeated, a run like 1234567890 or abcdefghij, or built on a common one.
func weakPassword(p string) string {
	l := strings.ToLower(p)
	run, same := true, true
	for i := 1; i < len(l); i++ {
		run = run && (l[i] == l[i-1]+1 || l[i] == '0' && l[i-1] == '9')
		same = same && l[i] == l[0]
	}
	switch {
	case same:
		return "it repeats one character"
	case run:
		return "it is a run of keys"
	case strings.Trim(l, "0123456789") == "":
		return "it is only digits"
	}
	for _, c := range commonPasswords {
		if strings.Contains(l, c) && len(l)-len(c) < 7 {
			return "it is built on " + strconv.Quote(c) + ", one of the first passwords guessed"
		}
	}
	return ""
}

func (n *NewUser) validate() error {
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.Name = strings.TrimSpace(n.Name)
	switch {
	case n.ID != "" && !idRE.MatchString(n.ID):
		return fmt.Errorf("%w: id %q (letters, digits, . _ -)", ErrInvalid, n.ID)
	case n.Name == "":
		return fmt.Errorf("%w: name is empty", ErrInvalid)
	case len(n.Password) < MinPassword:
		return fmt.Errorf("%w: password shorter than %d characters", ErrInvalid, MinPassword)
	case len(n.Password) > 72:
		return fmt.Errorf("%w: password longer than 72 bytes (bcrypt's limit)", ErrInvalid)
	case weakPassword(n.Password) != "":
		return fmt.Errorf("%w: password too easy to guess (%s): use a passphrase of a few words", ErrInvalid, weakPassword(n.Password))
	case strings.ContainsAny(n.Learner, "{}"):
		return fmt.Errorf("%w: learner ID %q contains a brace", ErrInvalid, n.Learner)
	}
	if a, err := mail.ParseAddress(n.Email); err != nil || a.Address != n.Email {
		return fmt.Errorf("%w: email %q", ErrInvalid, n.Email)
	}
	if _, err := ParseRole(string(n.Role)); err != nil {
		return err
	}
	for _, t := range n.Teams {
		if !teamRE.MatchString(t) {
			return fmt.Errorf("%w: team %q", ErrInvalid, t)
		}
	}
	for _, p := range n.Phones {
		if !phoneRE.MatchString(p) {
			return fmt.Errorf("%w: phone %q (E.164, like +14155550100)", ErrInvalid, p)
		}
	}
	return nil
}
