package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/sparlab/spar/dialog/store"
	"github.com/sparlab/spar/web/account"
)

// userCmd manages console accounts: `spar user add` (the first admin, then anyone),
// `spar user list`, `spar user passwd` (reset a password, e.g. a locked-out admin's) and
// `spar user delete` (the account goes; its calls stay). The console's admin pages do the
// same and more.
func userCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || !slices.Contains([]string{"add", "list", "passwd", "delete"}, args[0]) {
		return usageError{"user: add, list, passwd or delete expected"}
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", os.Getenv("SPAR_CONFIG"), "YAML config file (env SPAR_CONFIG)")
	var n account.NewUser
	var role, teams, phones string
	var fromStdin bool
	if args[0] == "add" {
		fs.StringVar(&n.Name, "name", "", "full name (required)")
		fs.StringVar(&n.Email, "email", "", "email, used to sign in (required)")
		fs.StringVar(&role, "role", "learner", "learner, trainer or admin")
		fs.StringVar(&teams, "team", "", "team name(s), comma-separated")
		fs.StringVar(&phones, "phone", "", "caller ID(s) in E.164 (+14155550100), comma-separated: their phone calls are this learner's")
		fs.StringVar(&n.Learner, "learner", "", "learner ID the account's calls carry (default: the account ID for learners)")
		fs.StringVar(&n.ID, "id", "", "account ID (default: random)")
		fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	}
	if args[0] == "passwd" || args[0] == "delete" {
		fs.StringVar(&n.ID, "id", "", "account ID (see spar user list)")
		fs.StringVar(&n.Email, "email", "", "or the account's email")
	}
	if args[0] == "passwd" {
		fs.BoolVar(&fromStdin, "password-stdin", false, "read the new password from the first line of standard input")
	}
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: spar user add --name NAME --email EMAIL [--role learner|trainer|admin] [--team T] [--phone +1...] [--password-stdin]
       spar user list
       spar user passwd (--id ID | --email EMAIL) [--password-stdin]
       spar user delete (--id ID | --email EMAIL)

Creates console accounts in Redis (the password is prompted for unless --password-stdin),
or lists them.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath, os.Getenv)
	if err != nil {
		return err
	}
	log := textLog(stderr, slog.LevelWarn)
	rdb, stop, err := openRedis(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stop()
	st, err := store.New(rdb, cfg.Store, log)
	if err != nil {
		return err
	}
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	accts, err := account.New(rdb, st.AccountKeys(), account.Config{}, log)
	if err != nil {
		return err
	}
	switch args[0] {
	case "list":
		return userList(ctx, accts, stdout)
	case "passwd", "delete":
		u, err := findUser(ctx, accts, n.ID, n.Email)
		if err != nil {
			return err
		}
		if args[0] == "delete" {
			if err := accts.Delete(ctx, u.ID); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "deleted %s <%s> (id %s); their calls are kept\n", u.Name, u.Email, u.ID)
			return nil
		}
		pw, err := readPassword(fromStdin, stderr)
		if err != nil {
			return fmt.Errorf("user passwd: password: %w", err)
		}
		if err := accts.SetPassword(ctx, u.ID, pw); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s <%s> changed; their sessions are ended\n", u.Name, u.Email)
		return nil
	}
	if n.Name == "" || n.Email == "" {
		return usageError{"user add: --name and --email are required"}
	}
	if n.Role, err = account.ParseRole(role); err != nil {
		return err
	}
	n.Teams, n.Phones = splitList(teams), splitList(phones)
	if n.Password, err = readPassword(fromStdin, stderr); err != nil {
		return fmt.Errorf("user add: password: %w", err)
	}
	return userAdd(ctx, accts, n, stdout)
}

func userAdd(ctx context.Context, accts *account.Accounts, n account.NewUser, stdout io.Writer) error {
	u, err := accts.Create(ctx, n)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s <%s> (id %s", u.Role, u.Name, u.Email, u.ID)
	if u.Learner != "" {
		fmt.Fprintf(stdout, ", learner ID %s", u.Learner)
	}
	fmt.Fprintln(stdout, "); sign in at /console/login")
	return nil
}

// findUser returns the account named by id, or else by email.
func findUser(ctx context.Context, accts *account.Accounts, id, email string) (*account.User, error) {
	if id != "" {
		return accts.Get(ctx, id)
	}
	if email == "" {
		return nil, usageError{"user: --id or --email is required"}
	}
	users, err := accts.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if strings.EqualFold(u.Email, strings.TrimSpace(email)) {
			return u, nil
		}
	}
	return nil, fmt.Errorf("user %s: %w", email, account.ErrNotFound)
}

func readPassword(fromStdin bool, stderr io.Writer) (string, error) {
	if fromStdin {
		return readLine(os.Stdin)
	}
	return promptPassword(stderr)
}

func userList(ctx context.Context, accts *account.Accounts, stdout io.Writer) error {
	users, err := accts.List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tEMAIL\tROLE\tTEAMS\tLEARNER ID\tPHONES\tSTATUS")
	for _, u := range users {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Name, u.Email, u.Role,
			strings.Join(u.Teams, ","), u.Learner, strings.Join(u.Phones, ","), status)
	}
	return tw.Flush()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// promptPassword asks twice on the terminal with echo off (stty), so the password never
// appears on screen or in the shell history.
func promptPassword(stderr io.Writer) (string, error) {
	if fi, err := os.Stdin.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return "", errors.New("standard input is not a terminal: use --password-stdin")
	}
	stty := func(arg string) error {
		cmd := exec.Command("stty", arg)
		cmd.Stdin = os.Stdin
		return cmd.Run()
	}
	if err := stty("-echo"); err != nil {
		return "", fmt.Errorf("turn off echo: %w (use --password-stdin)", err)
	}
	defer func() { _ = stty("echo") }()
	in := bufio.NewReader(os.Stdin)
	ask := func(prompt string) (string, error) {
		fmt.Fprint(stderr, prompt)
		line, err := in.ReadString('\n')
		fmt.Fprintln(stderr)
		return strings.TrimRight(line, "\r\n"), err
	}
	first, err := ask("Password: ")
	if err != nil {
		return "", err
	}
	second, err := ask("Again: ")
	if err != nil {
		return "", err
	}
	if first != second {
		return "", errors.New("the two passwords differ")
	}
	return first, nil
}
