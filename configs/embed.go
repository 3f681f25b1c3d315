// Package configs holds data only: example configuration, scenarios and rubrics. Nothing in
// it runs. This file embeds the default scenarios so the binary works without a config
// directory; a trainer's own directory replaces them at run time.
package configs

import "embed"

// Scenarios holds the shipped scenario files under scenarios/, one per file.
//
//go:embed scenarios/*.yaml
var Scenarios embed.FS

// Rubrics holds the shipped scoring rubrics under rubrics/, one per scenario, named
// <scenario-id>.yaml.
//
//go:embed rubrics/*.yaml
var Rubrics embed.FS
