package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/dialog/store/storetest"
	"github.com/sparlab/spar/web/account"
)

func TestUserAddAndList(t *testing.T) {
	accts, err := account.New(storetest.Redis(t), store.AccountKeys{Prefix: storetest.Prefix(t)}, account.Config{BcryptCost: bcrypt.MinCost}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := readLine(strings.NewReader("a long enough password\nignored\n"))
	if err != nil || pw != "a long enough password" {
		t.Fatalf("readLine = %q, %v", pw, err)
	}
	var out bytes.Buffer
	err = userAdd(t.Context(), accts, account.NewUser{ID: "ada", Name: "Ada Admin", Email: "ada@example.com", Role: account.RoleAdmin,
		Teams: splitList("red, blue"), Password: pw}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accts.Login(t.Context(), "ada@example.com", pw, "127.0.0.1"); err != nil {
		t.Fatalf("the new admin cannot sign in: %v", err)
	}
	out.Reset()
	if err := userList(t.Context(), accts, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ada@example.com") || !strings.Contains(out.String(), "red,blue") {
		t.Errorf("list:\n%s", out.String())
	}

	u, err := findUser(t.Context(), accts, "", "ADA@example.com")
	if err != nil || u.ID != "ada" {
		t.Fatalf("findUser by email = %v, %v", u, err)
	}
	if _, err := findUser(t.Context(), accts, "", "nobody@example.com"); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("findUser unknown = %v", err)
	}
}
