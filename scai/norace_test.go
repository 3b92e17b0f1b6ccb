//go:build !race

package scai_test

const raceEnabled = false
