package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
)

// workerCmd runs a scoring worker without the call server, for scale: any number of them
// share the consumer group with the workers inside `spar serve`.
func workerCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", os.Getenv("SPAR_CONFIG"), "YAML config file (env SPAR_CONFIG)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath, os.Getenv)
	if err != nil {
		return err
	}
	log := configLog(cfg, stderr)
	deps, err := openScoring(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer deps.close()
	w, d, err := newWorker(scoringConfig(cfg), deps.rdb, deps.st, deps.scorer, deps.fallback, log)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "spar worker: scoring sealed calls; Ctrl-C to stop")
	return runWorker(ctx, w, d)
}
