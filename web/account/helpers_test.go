package account_test

import (
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/web/account"
)

// newAccounts returns accounts on the test Redis under a fresh prefix, with cheap hashing.
func newAccounts(t *testing.T, cfg account.Config) *account.Accounts {
	t.Helper()
	rdb := storetest.Redis(t)
	cfg.BcryptCost = bcrypt.MinCost
	a, err := account.New(rdb, store.AccountKeys{Prefix: storetest.Prefix(t)}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

const pw = "correct horse battery"

func mustCreate(t *testing.T, a *account.Accounts, n account.NewUser) *account.User {
	t.Helper()
	if n.Password == "" {
		n.Password = pw
	}
	u, err := a.Create(t.Context(), n)
	if err != nil {
		t.Fatalf("create %s: %v", n.Email, err)
	}
	return u
}

// people is a small organisation: two teams, a trainer and a learner in each, and an admin.
type people struct {
	admin, tina, bob, alice, ben *account.User
}

func seedPeople(t *testing.T, a *account.Accounts) people {
	return people{
		admin: mustCreate(t, a, account.NewUser{ID: "root", Name: "Ada Admin", Email: "admin@example.com", Role: account.RoleAdmin}),
		tina:  mustCreate(t, a, account.NewUser{ID: "tina", Name: "Tina Trainer", Email: "tina@example.com", Role: account.RoleTrainer, Teams: []string{"red"}}),
		bob:   mustCreate(t, a, account.NewUser{ID: "bob", Name: "Bob Trainer", Email: "bob@example.com", Role: account.RoleTrainer, Teams: []string{"blue"}}),
		alice: mustCreate(t, a, account.NewUser{ID: "alice", Name: "Alice Learner", Email: "alice@example.com", Role: account.RoleLearner,
			Teams: []string{"red"}, Phones: []string{"+14155550100"}}),
		ben: mustCreate(t, a, account.NewUser{ID: "ben", Name: "Ben Learner", Email: "ben@example.com", Role: account.RoleLearner, Teams: []string{"blue"}}),
	}
}
