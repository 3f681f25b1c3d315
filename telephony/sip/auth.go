package sip

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// nonceLife is how long a digest challenge's nonce is accepted.
const nonceLife = 5 * time.Minute

// digestAuth checks INVITEs against one username and password (RFC 3261 22.4, RFC 2617
// with qop=auth). Nonces are stateless: a timestamp signed with a key made at start, so
// every call needs no memory and any nonce older than nonceLife is stale.
type digestAuth struct {
	user, pass, realm string
	key               [32]byte
	now               func() time.Time
}

func newDigestAuth(user, pass, realm string, now func() time.Time) *digestAuth {
	a := &digestAuth{user: user, pass: pass, realm: realm, now: now}
	_, _ = rand.Read(a.key[:]) // crypto/rand.Read never fails
	return a
}

func (a *digestAuth) nonce() string {
	var b [8 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(a.now().Unix()))
	m := hmac.New(sha256.New, a.key[:])
	m.Write(b[:8])
	copy(b[8:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (a *digestAuth) fresh(nonce string) bool {
	b, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(b) != 24 {
		return false
	}
	m := hmac.New(sha256.New, a.key[:])
	m.Write(b[:8])
	if !hmac.Equal(m.Sum(nil)[:16], b[8:]) {
		return false
	}
	age := a.now().Sub(time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0))
	return age >= -time.Minute && age <= nonceLife
}

// check returns nil when req carries valid credentials, else the response to send: 401
// with a challenge (none given, or a stale nonce) or 403 (wrong ones).
func (a *digestAuth) check(req *sip.Request) *sip.Response {
	h := req.GetHeader("Authorization")
	if h == nil {
		return a.challenge(req, false)
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil {
		return a.challenge(req, false)
	}
	if !a.fresh(cred.Nonce) {
		return a.challenge(req, true)
	}
	chal := &digest.Challenge{Realm: a.realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	if cred.QOP != "" {
		chal.QOP = []string{cred.QOP}
	}
	want, err := digest.Digest(chal, digest.Options{Method: req.Method.String(), URI: cred.URI,
		Username: a.user, Password: a.pass, Cnonce: cred.Cnonce, Count: cred.Nc})
	if err != nil || cred.Username != a.user || cred.Realm != a.realm ||
		subtle.ConstantTimeCompare([]byte(want.Response), []byte(cred.Response)) != 1 {
		return sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil)
	}
	return nil
}

func (a *digestAuth) challenge(req *sip.Request, stale bool) *sip.Response {
	chal := digest.Challenge{Realm: a.realm, Nonce: a.nonce(), Algorithm: "MD5", QOP: []string{"auth"}, Stale: stale}
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	res.AppendHeader(sip.NewHeader("WWW-Authenticate", chal.String()))
	return res
}
