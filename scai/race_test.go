//go:build race

package scai_test

// raceEnabled: the race detector slows the differential tests tenfold, so
// they mutate fewer positions under it.
const raceEnabled = true
