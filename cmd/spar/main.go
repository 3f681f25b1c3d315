// Command spar is Spar's one binary: the server, the simulated caller, and tools for
// scenario authors. Run `spar help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `spar - a self-hosted voice practice lab

Usage:
  spar serve    [flags]          run the server (Twilio webhook, media streams, API)
  spar call     [flags]          place a simulated Twilio call against a running server
  spar score    [--json] CALL_ID print a call's scorecard (scoring it now if needed)
  spar score    --transcript F   score a transcript file with a scenario's rubric (no Redis)
  spar rescore  --scenario ID    score a scenario's calls again (after a rubric change)
  spar rescore  --call ID --version N   score a call against another studio version
  spar worker                    run a scoring worker (serve runs one too)
  spar user     add|list         manage accounts (create the first admin with add --role admin)
  spar doctor   [--config file]  check Redis, ports, the public URL and each provider
  spar bench    [--search]       load test: concurrent simulated calls, overhead, CPU per call
  spar scenario lint [files...]  check scenario files (default: the built-in scenarios)
  spar scenario list             list the scenarios the server would offer
  spar version                   print the version

Run 'spar <command> --help' for a command's flags.
Configuration: a YAML file (--config, or SPAR_CONFIG) over built-in defaults, then
environment overrides; see configs/spar.example.yaml.
`

var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(os.Stderr, "spar: %v\n\n%s", err, usage)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "spar: %v\n", err)
		os.Exit(1)
	}
}

// usageError is a mistake in the command line itself.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch args[0] {
	case "serve":
		return serveCmd(ctx, args[1:], stdout, stderr)
	case "call":
		return callCmd(ctx, args[1:], stdout, stderr)
	case "score":
		return scoreCmd(ctx, args[1:], stdout, stderr)
	case "rescore":
		return rescoreCmd(ctx, args[1:], stdout, stderr)
	case "worker":
		return workerCmd(ctx, args[1:], stdout, stderr)
	case "user", "users":
		return userCmd(ctx, args[1:], stdout, stderr)
	case "doctor":
		return doctorCmd(ctx, args[1:], stdout, stderr)
	case "bench":
		return benchCmd(ctx, args[1:], stdout, stderr)
	case "scenario", "scenarios":
		return scenarioCmd(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "spar", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}
