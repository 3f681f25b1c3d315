package account

import "context"

type sessionKey struct{}

// WithSession returns ctx carrying s; Middleware.Authenticate does this for each request.
func WithSession(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// SessionFrom returns the request's session, or nil when nobody is signed in.
func SessionFrom(ctx context.Context) *Session {
	s, _ := ctx.Value(sessionKey{}).(*Session)
	return s
}

// UserFrom returns the signed-in user, or nil.
func UserFrom(ctx context.Context) *User {
	if s := SessionFrom(ctx); s != nil {
		return s.User
	}
	return nil
}
