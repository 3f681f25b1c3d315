package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAdminAccess(t *testing.T) {
	f := newFixture(t)
	for _, who := range []string{"alice@example.com", "tina@example.com"} {
		c := f.login(t, who)
		for _, p := range []string{"/console/admin/users", "/console/admin/users/ben", "/console/admin/teams", "/console/admin/tokens"} {
			if resp, _ := c.get(p); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", who, p, resp.StatusCode)
			}
		}
		for p, v := range map[string]url.Values{
			"/console/admin/tokens":             {"user": {"alice"}, "name": {"steal"}},
			"/console/admin/users":              {"name": {"X"}, "email": {"x@example.com"}, "role": {"admin"}, "password": {pw}},
			"/console/admin/users/ben/delete":   {},
			"/console/admin/users/ben/password": {"password": {"another password"}},
			"/console/admin/teams":              {"name": {"sneaky"}},
		} {
			v.Set("csrf", c.csrf)
			if resp := c.form(p, v); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 403", who, p, resp.StatusCode)
			}
		}
	}
	if toks, _ := f.accts.Tokens(t.Context(), ""); len(toks) != 0 {
		t.Errorf("a non-admin created a token: %+v", toks)
	}
	if _, err := f.accts.Get(t.Context(), "ben"); err != nil {
		t.Errorf("a non-admin deleted ben: %v", err)
	}
	admin := f.login(t, "admin@example.com")
	if resp := admin.form("/console/admin/teams", url.Values{"name": {"green"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("admin POST without CSRF: %d, want 403", resp.StatusCode)
	}
}

func TestAdminUsers(t *testing.T) {
	f := newFixture(t)
	admin := f.login(t, "admin@example.com")
	post := func(p string, v url.Values, want int) string {
		t.Helper()
		v.Set("csrf", admin.csrf)
		resp := admin.form(p, v)
		if resp.StatusCode != want {
			t.Fatalf("POST %s: %d, want %d", p, resp.StatusCode, want)
		}
		return resp.Header.Get("Location")
	}
	post("/console/admin/users", url.Values{"name": {"Cara New"}, "email": {"cara@example.com"}, "role": {"learner"},
		"team": {"red"}, "new_team": {"night shift"}, "phones": {"+14155550123"}, "password": {pw}}, http.StatusSeeOther)
	post("/console/admin/users", url.Values{"name": {"Dup"}, "email": {"cara@example.com"}, "role": {"learner"}, "password": {pw}}, http.StatusBadRequest)
	post("/console/admin/users", url.Values{"name": {"Short"}, "email": {"s@example.com"}, "role": {"learner"}, "password": {"short"}}, http.StatusBadRequest)
	if _, page := admin.get("/console/admin/users"); !strings.Contains(page, "Cara New") || !strings.Contains(page, "night shift") {
		t.Error("the new user is not listed with her teams")
	}
	cara := f.login(t, "cara@example.com")
	var caraID string
	users, _ := f.accts.List(t.Context())
	for _, u := range users {
		if u.Email == "cara@example.com" {
			caraID = u.ID
		}
	}
	tina := f.login(t, "tina@example.com")

	// Move ben to red: tina now sees his call.
	post("/console/admin/users/ben", url.Values{"name": {"Ben Learner"}, "role": {"learner"}, "team": {"red"}}, http.StatusSeeOther)
	if resp, _ := tina.get("/console/calls/call-ben"); resp.StatusCode != http.StatusOK {
		t.Errorf("tina after ben joined red: %d", resp.StatusCode)
	}
	post("/console/admin/users/root", url.Values{"name": {"Ada"}, "role": {"learner"}}, http.StatusBadRequest) // own role

	post("/console/admin/users/"+caraID+"/password", url.Values{"password": {"a brand new password"}}, http.StatusSeeOther)
	if resp, _ := cara.get("/api/me"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("cara's session after a reset: %d", resp.StatusCode)
	}
	post("/console/admin/users/ben/disable", url.Values{"disabled": {"1"}}, http.StatusSeeOther)
	if resp := f.anon(t).form("/console/login", url.Values{"email": {"ben@example.com"}, "password": {pw}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled ben signs in: %d", resp.StatusCode)
	}
	post("/console/admin/users/root/disable", url.Values{"disabled": {"1"}}, http.StatusBadRequest)
	post("/console/admin/users/root/delete", url.Values{}, http.StatusBadRequest)

	// The delete button sits behind a confirmation that says what is kept.
	if _, page := admin.get("/console/admin/users/ben"); !regexp.MustCompile(`(?s)<details class="confirm">.*kept.*action="/console/admin/users/ben/delete".*</details>`).MatchString(page) {
		t.Error("deleting an account is one click, with no confirmation")
	}

	// Deleting ben keeps his call, which admins still open.
	post("/console/admin/users/ben/delete", url.Values{}, http.StatusSeeOther)
	if _, err := f.st.Get(t.Context(), "call-ben"); err != nil {
		t.Fatalf("deleting the account deleted the call: %v", err)
	}
	if resp, _ := admin.get("/console/calls/call-ben"); resp.StatusCode != http.StatusOK {
		t.Errorf("admin opens the deleted learner's call: %d", resp.StatusCode)
	}
	if resp, _ := tina.get("/console/calls/call-ben"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("tina still sees the deleted learner's call: %d", resp.StatusCode)
	}
	post("/console/admin/users/ben/delete", url.Values{}, http.StatusNotFound)
}

func TestAdminTeamsAndTokens(t *testing.T) {
	f := newFixture(t)
	admin := f.login(t, "admin@example.com")
	tina := f.login(t, "tina@example.com")
	id := createdID(t, tina.form("/console/assignments", assignForm(tina, url.Values{"team": {"red"}})))
	post := func(p string, v url.Values, want int) string {
		t.Helper()
		v.Set("csrf", admin.csrf)
		req, _ := http.NewRequest(http.MethodPost, admin.base+p, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, body := admin.do(req)
		if resp.StatusCode != want {
			t.Fatalf("POST %s: %d, want %d: %.300s", p, resp.StatusCode, want, body)
		}
		return body
	}
	post("/console/admin/teams", url.Values{"name": {"green"}}, http.StatusSeeOther)
	post("/console/admin/teams", url.Values{"name": {"green"}}, http.StatusBadRequest)
	post("/console/admin/teams/red/rename", url.Values{"name": {"crimson"}}, http.StatusSeeOther)
	_, page := admin.get("/console/admin/teams")
	for _, want := range []string{"green</a></td><td>0", "crimson</a></td><td>2"} {
		if !strings.Contains(page, want) {
			t.Errorf("teams page lacks %q", want)
		}
	}
	// The red team's assignment followed the rename, and alice still has it.
	if got := f.login(t, "alice@example.com").myAssignments(); len(got) != 1 || got[0].ID != id {
		t.Errorf("alice's assignments after the rename: %+v", got)
	}

	body := post("/console/admin/tokens", url.Values{"user": {"tina"}, "name": {"LMS export"}}, http.StatusOK)
	secret := regexp.MustCompile(`spar_[A-Za-z0-9_-]{20,}`).FindString(body)
	if secret == "" {
		t.Fatal("the new token is not shown")
	}
	if _, page := admin.get("/console/admin/tokens"); strings.Contains(page, secret) || !strings.Contains(page, "LMS export") {
		t.Error("the token list shows the secret, or not the token's name")
	}
	bearer := func() int {
		req, _ := http.NewRequest(http.MethodGet, admin.base+"/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := bearer(); got != http.StatusOK {
		t.Fatalf("the new token: %d", got)
	}
	toks, _ := f.accts.Tokens(t.Context(), "tina")
	post("/console/admin/tokens/"+toks[0].ID+"/revoke", url.Values{}, http.StatusSeeOther)
	if got := bearer(); got != http.StatusUnauthorized {
		t.Errorf("the revoked token: %d", got)
	}
	post("/console/admin/tokens", url.Values{"user": {"nobody"}, "name": {"x"}}, http.StatusNotFound)
}
