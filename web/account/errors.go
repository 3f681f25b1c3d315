package account

import "errors"

var (
	// ErrNotFound means no account (session, token) matches.
	ErrNotFound = errors.New("account: not found")
	// ErrExists means an account already has this ID, email, learner ID or caller ID.
	ErrExists = errors.New("account: already exists")
	// ErrBadCredentials means the email or the password is wrong (never which).
	ErrBadCredentials = errors.New("account: wrong email or password")
	// ErrRateLimited means too many failed logins for this email or address: wait.
	ErrRateLimited = errors.New("account: too many failed logins, try again later")
	// ErrUnauthenticated means the request carries no valid session or token.
	ErrUnauthenticated = errors.New("account: not signed in")
	// ErrForbidden means the user is signed in but may not do this.
	ErrForbidden = errors.New("account: forbidden")
	// ErrCSRF means a state-changing request lacked the session's CSRF token or came from
	// another origin.
	ErrCSRF = errors.New("account: missing or wrong CSRF token")
	// ErrInvalid wraps every rejected account field (role, email, ID...).
	ErrInvalid = errors.New("account: invalid")
	// ErrInvalidConfig wraps every Config.Validate failure.
	ErrInvalidConfig = errors.New("account: invalid config")
)
