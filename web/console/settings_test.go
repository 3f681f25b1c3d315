package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSettingsPage checks that only admins see and change the retention setting, that the
// form needs the CSRF token, and that out-of-range values are refused without being stored.
func TestSettingsPage(t *testing.T) {
	f := newFixture(t)
	for _, who := range []string{"tina@example.com", "alice@example.com"} {
		t.Run("hidden from "+who, func(t *testing.T) {
			c := f.login(t, who)
			if resp, body := c.get("/console/settings"); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "retention_days") {
				t.Fatalf("GET: status %d, want 404", resp.StatusCode)
			}
			if resp := c.form("/console/settings", url.Values{"csrf": {c.csrf}, "retention_days": {"1"}}); resp.StatusCode != http.StatusNotFound {
				t.Fatalf("POST: status %d, want 404", resp.StatusCode)
			}
			if _, body := c.get("/console/calls"); strings.Contains(body, `href="/console/settings"`) {
				t.Fatal("nav links to settings for a non-admin")
			}
		})
	}
	if resp, _ := f.anon(t).get("/console/settings"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous GET: status %d, want 401", resp.StatusCode)
	}

	admin := f.login(t, "admin@example.com")
	if _, body := admin.get("/console/calls"); !strings.Contains(body, `href="/console/settings"`) {
		t.Error("no settings link in the admin's nav")
	}
	resp, body := admin.get("/console/settings")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="retention_days"`) || !strings.Contains(body, `value="0"`) {
		t.Fatalf("GET: status %d, body %.300s", resp.StatusCode, body)
	}
	if resp := admin.form("/console/settings", url.Values{"retention_days": {"30"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without CSRF: status %d, want 403", resp.StatusCode)
	}
	tests := []struct {
		value  string
		status int
		want   int // stored value after the request
	}{
		{"90", http.StatusSeeOther, 90},
		{"0", http.StatusSeeOther, 0},
		{"3650", http.StatusSeeOther, 3650},
		{"3651", http.StatusBadRequest, 3650},
		{"-1", http.StatusBadRequest, 3650},
		{"ten", http.StatusBadRequest, 3650},
		{"", http.StatusBadRequest, 3650},
		{" 7 ", http.StatusSeeOther, 7},
	}
	for _, tc := range tests {
		t.Run("set "+tc.value, func(t *testing.T) {
			resp := admin.form("/console/settings", url.Values{"csrf": {admin.csrf}, "retention_days": {tc.value}})
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			got, err := f.st.RetentionDays(t.Context())
			if err != nil || got != tc.want {
				t.Fatalf("stored %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	if _, body := admin.get("/console/settings?saved=1"); !strings.Contains(body, `value="7"`) || !strings.Contains(body, "Saved.") {
		t.Errorf("page after saving: %.400s", body)
	}
}
