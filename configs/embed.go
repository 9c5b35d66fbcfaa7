// Package configs holds nanoscout's configuration files and embeds them into
// the binary, so a fresh install runs without a config directory. Each file is
// its own variable; the code that reads one decodes it strictly.
package configs

import _ "embed"

// Benchmarks is benchmarks.yaml: engagement-rate benchmarks per platform and
// tier, and per-platform norms, each figure with its source. Decode it with
// scoring.ParseBenchmarks.
//
//go:embed benchmarks.yaml
var Benchmarks []byte
