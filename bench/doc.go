// Package bench compares buildtrust's verifiers with the peer libraries
// people use for the same job, on the same inputs, in one
// `go test -bench .` run, next to the floor: the raw signature checks that
// no verifier of that input can avoid (DESIGN.md convention 10).
//
// It is a nested module (github.com/buildtrust/buildtrust/bench) so that the
// peers — go-attestation, sigstore-go and the modules they pull in — stay out
// of the core module's dependency graph; the core and the sigstore module are
// used from this checkout through replace directives.
//
// The package has no code outside its tests. Each comparison is a pair: an
// input, our verifier, the peer configured to check what ours checks where it
// can, and the floor. Before anything is timed, both sides must accept the
// input and reject each one-byte-tampered variant of it, so a benchmark can
// never time an error path; TestPairsAgree runs the same assertions, which
// makes `go test ./...` here a correctness test of the comparisons.
//
// All inputs are offline and pinned in time: real hardware evidence comes
// from the test-data packages of go-sev-guest, go-tdx-guest and go-eventlog
// (imported, not copied), the Sigstore bundle and trusted root from the
// sigstore-go module in the module cache, the rest from the project's own
// test signers (sevsnptest, tdxtest, tpmtest) and fixed keys.
//
// BENCHMARKS.md describes each pair, how to run them (./run), and the
// results of a run.
package bench
