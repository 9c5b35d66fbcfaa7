// Package scaletest holds the end-to-end tests and benchmarks of
// distributed runs (docs/scale.md): a coordinator and worker processes (the
// test binary run again as a worker) sharing one embedded FerretDB, against
// the simulator with per-client rate limits. It has no code of its own.
package scaletest
