package sim

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"slices"
)

// Sign returns the X-Twilio-Signature Twilio sends with a request to rawURL carrying the POST
// params: base64(HMAC-SHA1(token, rawURL + each param name and value, sorted by name)).
// Repeated names contribute every value, sorted. For a GET or a WebSocket upgrade, params is
// nil and the URL is signed as is.
// https://www.twilio.com/docs/usage/security#validating-requests
func Sign(token, rawURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(rawURL))
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vs := slices.Clone(params[k])
		slices.Sort(vs)
		for _, v := range vs {
			mac.Write([]byte(k))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
