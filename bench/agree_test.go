package bench

import "testing"

// TestPairsAgree is the correctness side of the benchmarks, so that `go
// test ./...` checks what `go test -bench` relies on: for every pair, ours,
// the peer and the floor accept the genuine input, and ours and the peer
// both reject each one-byte-tampered variant. A library upgrade that makes
// one side reject the shared input (an expired pinned time, a changed
// default) fails here instead of silently timing an error path.
func TestPairsAgree(t *testing.T) {
	for _, c := range []struct {
		name  string
		check func(testing.TB)
	}{
		{"DSSE/Ed25519", func(tb testing.TB) { dssePair(tb, "Ed25519").check(tb) }},
		{"DSSE/P256", func(tb testing.TB) { dssePair(tb, "P256").check(tb) }},
		{"Provenance", func(tb testing.TB) { provenancePair(tb).check(tb) }},
		{"SEVSNP/milan-real", func(tb testing.TB) { snpRealPair(tb).check(tb) }},
		{"SEVSNP/milan-v3-testchain", func(tb testing.TB) { snpTestChainPair(tb).check(tb) }},
		{"TDX/spr-real-nocollateral", func(tb testing.TB) { tdxRealPair(tb).check(tb) }},
		{"TDX/testchain-collateral", func(tb testing.TB) { tdxCollateralPair(tb).check(tb) }},
		{"TPM/ubuntu2404-snp-log", func(tb testing.TB) { tpmPair(tb).check(tb) }},
		{"Sigstore/npm-provenance-bundle", func(tb testing.TB) { sigstorePair(tb).check(tb) }},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}
