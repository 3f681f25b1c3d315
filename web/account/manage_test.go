package account_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sparlab/spar/web/account"
)

func ptr[T any](v T) *T { return &v }

func TestUpdate(t *testing.T) {
	a := newAccounts(t, account.Config{})
	p := seedPeople(t, a)
	ctx := t.Context()
	tests := []struct {
		name  string
		id    string
		ch    account.Changes
		want  error
		check func(t *testing.T, u *account.User)
	}{
		{"move alice to blue", "alice", account.Changes{Teams: ptr([]string{"blue", "blue", " "})}, nil, func(t *testing.T, u *account.User) {
			if !slices.Equal(u.Teams, []string{"blue"}) {
				t.Errorf("teams %v", u.Teams)
			}
			if ok, _ := a.MayCall(ctx, p.bob, "alice"); !ok {
				t.Error("bob (blue) cannot see alice after the move")
			}
			if ok, _ := a.MayCall(ctx, p.tina, "alice"); ok {
				t.Error("tina (red) still sees alice after the move")
			}
		}},
		{"promote ben", "ben", account.Changes{Role: ptr(account.RoleTrainer), Name: ptr(" Ben T ")}, nil, func(t *testing.T, u *account.User) {
			if u.Role != account.RoleTrainer || u.Name != "Ben T" || u.Learner != "ben" {
				t.Errorf("got %+v", u)
			}
		}},
		{"a trainer becoming a learner gets a learner ID", "bob", account.Changes{Role: ptr(account.RoleLearner)}, nil, func(t *testing.T, u *account.User) {
			if o, err := a.Owner(ctx, "bob"); err != nil || o.ID != "bob" {
				t.Errorf("Owner(bob) = %v, %v", o, err)
			}
		}},
		{"swap phone", "alice", account.Changes{Phones: ptr([]string{"+14155550199"})}, nil, func(t *testing.T, u *account.User) {
			if l, err := a.LearnerByPhone(ctx, "+14155550199"); err != nil || l != "alice" {
				t.Errorf("new phone: %q, %v", l, err)
			}
			if _, err := a.LearnerByPhone(ctx, "+14155550100"); !errors.Is(err, account.ErrNotFound) {
				t.Errorf("old phone still linked: %v", err)
			}
		}},
		{"phone taken", "ben", account.Changes{Phones: ptr([]string{"+14155550199"})}, account.ErrExists, nil},
		{"bad role", "ben", account.Changes{Role: ptr(account.Role("boss"))}, account.ErrInvalid, nil},
		{"bad team", "ben", account.Changes{Teams: ptr([]string{"{x}"})}, account.ErrInvalid, nil},
		{"unknown", "nobody", account.Changes{}, account.ErrNotFound, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := a.Update(ctx, tc.id, tc.ch)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Update = %v, want %v", err, tc.want)
			}
			if tc.check != nil {
				stored, err := a.Get(ctx, tc.id)
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, u)
				tc.check(t, stored)
			}
		})
	}
	members, _ := a.Members(ctx, "red")
	if len(members) != 1 || members[0].ID != "tina" {
		t.Errorf("red members after alice left: %v", members)
	}
}

func TestPasswordDisableDelete(t *testing.T) {
	a := newAccounts(t, account.Config{})
	p := seedPeople(t, a)
	ctx := t.Context()
	s, err := a.Login(ctx, "alice@example.com", pw, "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetPassword(ctx, p.alice.ID, "short"); !errors.Is(err, account.ErrInvalid) {
		t.Fatalf("short password: %v", err)
	}
	if err := a.SetPassword(ctx, p.alice.ID, "a new long password"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Session(ctx, s.Token); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("session survived a password reset: %v", err)
	}
	if _, err := a.Login(ctx, "alice@example.com", pw, "10.0.0.1"); !errors.Is(err, account.ErrBadCredentials) {
		t.Errorf("old password: %v", err)
	}
	if _, err := a.Login(ctx, "alice@example.com", "a new long password", "10.0.0.1"); err != nil {
		t.Errorf("new password: %v", err)
	}

	s, _ = a.Login(ctx, "ben@example.com", pw, "10.0.0.1")
	tok, _ := a.CreateToken(ctx, p.ben.ID, "script")
	if _, err := a.Update(ctx, p.ben.ID, account.Changes{Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Session(ctx, s.Token); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("disabled account's session works: %v", err)
	}
	if _, err := a.TokenSession(ctx, tok); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("disabled account's token works: %v", err)
	}
	if _, err := a.Login(ctx, "ben@example.com", pw, "10.0.0.3"); !errors.Is(err, account.ErrBadCredentials) {
		t.Errorf("disabled account signs in: %v", err)
	}
	if _, err := a.Update(ctx, p.ben.ID, account.Changes{Disabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.TokenSession(ctx, tok); err != nil {
		t.Errorf("re-enabled account's token: %v", err)
	}

	if err := a.Delete(ctx, p.ben.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx, "ben"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("Get after delete: %v", err)
	}
	if _, err := a.TokenSession(ctx, tok); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("deleted account's token: %v", err)
	}
	if _, err := a.Owner(ctx, "ben"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("deleted account still owns its learner ID: %v", err)
	}
	if m, _ := a.Members(ctx, "blue"); len(m) != 1 || m[0].ID != "bob" {
		t.Errorf("blue members after delete: %v", m)
	}
	// The email and learner ID are free again.
	mustCreate(t, a, account.NewUser{ID: "ben", Name: "Ben Again", Email: "ben@example.com", Role: account.RoleLearner})
	if err := a.Delete(ctx, "nobody"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("delete unknown: %v", err)
	}
}

func TestTeamsAndTokenList(t *testing.T) {
	a := newAccounts(t, account.Config{})
	p := seedPeople(t, a)
	ctx := t.Context()
	if err := a.CreateTeam(ctx, "green"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{{"green", account.ErrExists}, {"red", account.ErrExists}, {"", account.ErrInvalid}, {"a:b", account.ErrInvalid}} {
		if err := a.CreateTeam(ctx, tc.name); !errors.Is(err, tc.err) {
			t.Errorf("CreateTeam(%q) = %v, want %v", tc.name, err, tc.err)
		}
	}
	sizes, err := a.TeamSizes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []account.Team{{"blue", 2}, {"green", 0}, {"red", 2}}
	if !slices.Equal(sizes, want) {
		t.Errorf("TeamSizes = %v, want %v", sizes, want)
	}
	if err := a.RenameTeam(ctx, "red", "blue"); !errors.Is(err, account.ErrExists) {
		t.Errorf("rename onto an existing team: %v", err)
	}
	if err := a.RenameTeam(ctx, "red", "crimson"); err != nil {
		t.Fatal(err)
	}
	if u, _ := a.Get(ctx, "alice"); !slices.Equal(u.Teams, []string{"crimson"}) {
		t.Errorf("alice's teams after rename: %v", u.Teams)
	}
	if m, _ := a.Members(ctx, "crimson"); len(m) != 2 {
		t.Errorf("crimson has %d members", len(m))
	}

	secret, err := a.CreateToken(ctx, p.tina.ID, "lms export")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateToken(ctx, p.admin.ID, "backup"); err != nil {
		t.Fatal(err)
	}
	mine, err := a.Tokens(ctx, p.tina.ID)
	if err != nil || len(mine) != 1 || mine[0].Name != "lms export" || mine[0].User != "tina" || mine[0].Created.IsZero() {
		t.Fatalf("Tokens(tina) = %+v, %v", mine, err)
	}
	if strings.Contains(mine[0].ID, strings.TrimPrefix(secret, account.TokenPrefix)) {
		t.Error("the listing carries the secret")
	}
	if all, _ := a.Tokens(ctx, ""); len(all) != 2 {
		t.Errorf("Tokens() lists %d", len(all))
	}
	if err := a.RevokeTokenID(ctx, mine[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.TokenSession(ctx, secret); !errors.Is(err, account.ErrUnauthenticated) {
		t.Errorf("revoked token works: %v", err)
	}
	if err := a.RevokeTokenID(ctx, mine[0].ID); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("revoke twice: %v", err)
	}
}
