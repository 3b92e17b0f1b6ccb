package tdx

import (
	"bytes"
	"encoding/binary"
	mathrand "math/rand/v2"
	"reflect"
	"testing"

	"github.com/google/go-tdx-guest/testing/testdata"
)

// The warm path's shortcuts must decide exactly as the code they replace.

// FuzzParseQuoteFast: parseQuoteFast accepts exactly the quotes
// parseQuoteProto (go-tdx-guest's QuoteToProto and our checks, everything
// ParseQuote does but the PEM split) accepts, with the same fields.
func FuzzParseQuoteFast(f *testing.F) {
	f.Add(testdata.RawQuote)
	f.Add(make([]byte, 0x600))
	f.Add(append(bytes.Clone(testdata.RawQuote), 1, 2, 3))
	f.Add(testdata.RawQuote[:len(testdata.RawQuote)-1])
	// Each size field of the signed data, off by one either way.
	authEnd := qeAuthStart + 2 + int(binary.LittleEndian.Uint16(testdata.RawQuote[qeAuthStart:]))
	for _, off := range []int{signedDataSize, certDataStart, certDataStart + 2, qeAuthStart, authEnd, authEnd + 2} {
		for _, d := range []byte{1, 0xff} {
			b := bytes.Clone(testdata.RawQuote)
			b[off] += d
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, errWant := parseQuoteProto(b)
		got, errGot := parseQuoteFast(b)
		if (errWant == nil) != (errGot == nil) {
			t.Fatalf("parseQuoteProto: %v; parseQuoteFast: %v", errWant, errGot)
		}
		if errWant != nil {
			return
		}
		if !sameQuote(want, got) {
			t.Fatalf("fields differ:\n%+v\n%+v", want, got)
		}
	})
}

// sameQuote compares every field but the protobuf (which parseQuoteFast
// does not build); it clears the slices it compared.
func sameQuote(want, got *Quote) bool {
	if !bytes.Equal(want.raw, got.raw) || !bytes.Equal(want.QEAuthData, got.QEAuthData) || !bytes.Equal(want.PCKChain, got.PCKChain) {
		return false
	}
	want.proto = nil
	want.raw, want.QEAuthData, want.PCKChain = nil, nil, nil
	got.raw, got.QEAuthData, got.PCKChain = nil, nil, nil
	return reflect.DeepEqual(want, got)
}

// TestParseQuoteFastMutations runs the comparison of FuzzParseQuoteFast on
// seeded random mutations of the real quote (fuzzing stalls in this
// package's workers, so this is the run every `go test` does): values
// written into the framing fields, random flips, truncations.
func TestParseQuoteFastMutations(t *testing.T) {
	rng := mathrand.New(mathrand.NewPCG(1, 2))
	authEnd := qeAuthStart + 2 + int(binary.LittleEndian.Uint16(testdata.RawQuote[qeAuthStart:]))
	fields := []int{0, headerAKType, headerTEEType, signedDataSize, certDataStart, certDataStart + 2, qeAuthStart, authEnd, authEnd + 2}
	accepted := 0
	for i := range 3000 {
		b := bytes.Clone(testdata.RawQuote)
		switch i % 4 {
		case 0: // a small value into a framing field
			off := fields[rng.IntN(len(fields))]
			binary.LittleEndian.PutUint16(b[off:], uint16(rng.IntN(0x2000)))
		case 1: // a size off by a little
			off := fields[3+rng.IntN(len(fields)-3)]
			binary.LittleEndian.PutUint16(b[off:], binary.LittleEndian.Uint16(b[off:])+uint16(rng.IntN(9))-4)
		case 2:
			b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
		case 3:
			b = b[:rng.IntN(len(b)+1)]
		}
		want, errWant := parseQuoteProto(b)
		got, errGot := parseQuoteFast(b)
		if (errWant == nil) != (errGot == nil) {
			t.Fatalf("mutation %d: parseQuoteProto: %v; parseQuoteFast: %v", i, errWant, errGot)
		}
		if errWant != nil {
			continue
		}
		accepted++
		if !sameQuote(want, got) {
			t.Fatalf("mutation %d: fields differ", i)
		}
	}
	if accepted == 0 || accepted == 3000 {
		t.Fatalf("%d of 3000 mutations parsed: the comparison saw only one side", accepted)
	}
}
