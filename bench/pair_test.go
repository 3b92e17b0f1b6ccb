package bench

import (
	"bytes"
	"maps"
	"slices"
	"testing"
)

// A pair is one comparison: our verifier and a peer library verifying the
// same input, and the floor — the raw signature checks that no verifier of
// that input can avoid — over the same bytes.
//
// ours and peer take the input, so that the same functions run on the
// genuine input (timed) and on the tampered ones (asserted to fail, never
// timed). floor works on material precomputed from the genuine input (the
// signed message, its digest, a parsed key): it is the lower bound, so it
// excludes the parsing any real verifier needs.
type pair[T any] struct {
	peer     string                   // the peer library, for messages
	genuine  T                        // both sides must accept it
	tampered map[string]T             // minimal edits of the genuine input (one byte, one bit); both must reject
	ours     func(T) error            // our verifier, as a user calls it
	theirs   func(T) error            // the peer, configured to check what ours checks where it can
	floor    func() error             // the unavoidable signature checks
	extra    map[string]func(T) error // informative variants of ours (e.g. cold cache), timed after ours
}

// check asserts what makes the timings meaningful: both sides (and the
// variants of ours) and the floor accept the genuine input, and both sides
// reject every tampered input. A benchmark that skipped this could time an
// early-exit error path.
func (p pair[T]) check(tb testing.TB) {
	tb.Helper()
	if err := p.ours(p.genuine); err != nil {
		tb.Fatalf("ours rejects the genuine input: %v", err)
	}
	if err := p.theirs(p.genuine); err != nil {
		tb.Fatalf("%s rejects the genuine input: %v", p.peer, err)
	}
	if err := p.floor(); err != nil {
		tb.Fatalf("floor fails on the genuine input: %v", err)
	}
	for name, f := range p.extra {
		if err := f(p.genuine); err != nil {
			tb.Fatalf("%s rejects the genuine input: %v", name, err)
		}
	}
	if len(p.tampered) == 0 {
		tb.Fatal("no tampered input")
	}
	for what, in := range p.tampered {
		if err := p.ours(in); err == nil {
			tb.Errorf("ours accepts a tampered input (%s)", what)
		}
		if err := p.theirs(in); err == nil {
			tb.Errorf("%s accepts a tampered input (%s)", p.peer, what)
		}
		for name, f := range p.extra {
			if err := f(in); err == nil {
				tb.Errorf("%s accepts a tampered input (%s)", name, what)
			}
		}
	}
}

// bench checks the pair, then times floor, peer and ours in that order as
// sub-benchmarks impl=floor, impl=peer, impl=ours (so `benchstat -col
// /impl` puts them side by side), then the informative variants.
//
// ours runs after the peer and the floor so that it can report the ratios
// ours/peer and ours/floor as metrics, against the median of the peer and
// floor samples this process has taken so far. With -count 1 per process
// (as ./run does, N processes in a row) that is the measurement taken just
// before, so each ratio compares neighbours in time, and benchstat
// summarizes the ratios over the processes like any other metric: under a
// shared machine's drifting load, that is steadier than a ratio of
// medians taken minutes apart. (With -count N in one process, `go test`
// repeats each sub-benchmark N times in a row, so the ratio is against the
// median of the peer's N samples, all taken before ours.)
func (p pair[T]) bench(b *testing.B) {
	p.check(b)
	samples := map[string][]float64{}
	run := func(name string, f func() error) {
		b.Run("impl="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			samples[name] = append(samples[name], ns)
			if name == "ours" {
				if peer := median(samples["peer"]); peer > 0 {
					b.ReportMetric(ns/peer, "ours/peer")
				}
				if floor := median(samples["floor"]); floor > 0 {
					b.ReportMetric(ns/floor, "ours/floor")
				}
			}
		})
	}
	in := p.genuine
	run("floor", p.floor)
	run("peer", func() error { return p.theirs(in) })
	run("ours", func() error { return p.ours(in) })
	for _, name := range slices.Sorted(maps.Keys(p.extra)) {
		f := p.extra[name]
		run(name, func() error { return f(in) })
	}
}

// median is the median of xs, 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// flip returns a copy of b with byte i changed (bit 0 flipped).
func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x01
	return c
}

// flipBase64After returns a copy of b in which the base64 character at
// offset off after the first occurrence of marker is replaced by another
// base64 character, so that the decoded bytes change but the text still
// decodes: the tampering reaches the signature check instead of failing
// the base64 decoder.
func flipBase64After(tb testing.TB, b []byte, marker string, off int) []byte {
	tb.Helper()
	i := bytes.Index(b, []byte(marker))
	if i < 0 {
		tb.Fatalf("marker %q not found", marker)
	}
	i += len(marker) + off
	c := append([]byte(nil), b...)
	if c[i] == 'A' {
		c[i] = 'B'
	} else {
		c[i] = 'A'
	}
	return c
}
