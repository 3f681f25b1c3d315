// Package studio keeps the scenarios trainers make in the console, with their rubrics, as
// versioned data in Redis (key layout: store.StudioKeys).
//
// Lifecycle of a studio scenario:
//  1. Create: duplicated from a file scenario (built-in or SPAR_SCENARIO_DIR, which stay
//     read-only) or imported as the two YAML files the server reads from disk.
//  2. Save: every save is a new immutable version (scenario YAML, rubric YAML, author, time)
//     stored byte for byte as given, so export gives back exactly what was imported. Lint
//     runs on save; a version with problems is kept (nothing typed is lost) but cannot be
//     published.
//  3. Publish: one version becomes the one learners see. Every node's catalog reads the
//     published versions from Redis on each lookup (Studio.Live), so no restart is needed.
//  4. Versions are never deleted: each call's record names the version it ran against.
package studio
