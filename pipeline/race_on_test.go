//go:build race

package pipeline_test

// raceEnabled is true under the race detector, which makes simulator runs
// about ten times slower; the property test then checks fewer fault mixes.
const raceEnabled = true
