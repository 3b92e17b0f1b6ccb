package buildtrust

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// FIPS 180-4 example vectors ("abc"), from the NIST CSRC example values.
func TestDigestKnownAnswers(t *testing.T) {
	got, n, err := Digest(strings.NewReader("abc"), SHA256, SHA384, SHA512, SHA3_256)
	if err != nil || n != 3 {
		t.Fatalf("Digest: n=%d err=%v", n, err)
	}
	want := DigestSet{
		SHA256:   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		SHA384:   "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
		SHA512:   "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
		SHA3_256: "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
	}
	for alg, v := range want {
		if got[alg] != v {
			t.Errorf("%s = %s, want %s", alg, got[alg], v)
		}
	}
	if err := got.Validate(); err != nil {
		t.Errorf("computed set invalid: %v", err)
	}
}

func TestDigestStreams(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 100_000) // 1.6 MB, several buffers
	want := sha256.Sum256(data)
	for name, r := range map[string]io.Reader{
		"reader":     bytes.NewReader(data),
		"one byte":   iotest.OneByteReader(bytes.NewReader(data[:5000])),
		"half reads": iotest.HalfReader(bytes.NewReader(data)),
	} {
		got, n, err := Digest(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wantHex := hex.EncodeToString(want[:])
		if name == "one byte" {
			s := sha256.Sum256(data[:5000])
			wantHex = hex.EncodeToString(s[:])
		}
		if got[SHA256] != wantHex || n == 0 {
			t.Errorf("%s: got %s (%d bytes)", name, got[SHA256], n)
		}
	}
	if _, _, err := Digest(iotest.ErrReader(io.ErrUnexpectedEOF)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read error not reported: %v", err)
	}
	for _, alg := range []string{"md5", "sha1", "blake2b", "nope"} {
		if _, _, err := Digest(strings.NewReader("x"), alg); err == nil {
			t.Errorf("Digest(%s) succeeded", alg)
		}
	}
}

// Memory use of Digest must not grow with the input.
func TestDigestAllocationsIndependentOfSize(t *testing.T) {
	allocs := func(size int) float64 {
		return testing.AllocsPerRun(3, func() {
			if _, _, err := Digest(io.LimitReader(zeroReader{}, int64(size)), SHA256, SHA512); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(1<<10), allocs(64<<20)
	if large > small {
		t.Fatalf("allocations grow with size: %v for 1 KiB, %v for 64 MiB", small, large)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestDigestSetValidate(t *testing.T) {
	tests := []struct {
		name string
		set  DigestSet
		ok   bool
	}{
		{"sha256", DigestSet{SHA256: hex64}, true},
		{"empty", DigestSet{}, false},
		{"nil", nil, false},
		{"empty algorithm name", DigestSet{"": hex64}, false},
		{"sha512 wrong length", DigestSet{SHA512: hex64}, false},
		{"not hex", DigestSet{SHA256: strings.Repeat("zz", 32)}, false},
		{"blake2b 512", DigestSet{"blake2b": hex128}, true},
		{"blake2b odd", DigestSet{"blake2b": hex128[:127]}, false},
		{"immutable id", DigestSet{"ami": "ami-0abcdef1234567890"}, true},
		{"huge value", DigestSet{"ami": strings.Repeat("x", 2000)}, false},
	}
	for _, tc := range tests {
		if err := tc.set.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	big := DigestSet{}
	for i := range MaxDigestsPerSet + 1 {
		big[strings.Repeat("x", i+1)] = "v"
	}
	if err := big.Validate(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize set: %v", err)
	}
}

// TestDigestSetValidateDeterministic: Validate checks in map order and sorts
// only to report an error, which must still be the first invalid algorithm
// in sorted order, whatever the map order.
func TestDigestSetValidateDeterministic(t *testing.T) {
	set := DigestSet{
		SHA256: hex64, "ami": "ami-1", "blake2b": hex128[:127], SHA512: hex64,
		"sha1": "XX", "zz": strings.Repeat("x", 2000), GitCommit: hex64,
	}
	want := validateDigest("blake2b", set["blake2b"]).Error()
	for range 100 {
		if err := set.Validate(); err == nil || err.Error() != want {
			t.Fatalf("Validate = %v, want %s", err, want)
		}
	}
	delete(set, "blake2b")
	delete(set, SHA512)
	want = validateDigest("sha1", "XX").Error()
	for range 100 {
		if err := set.Validate(); err == nil || err.Error() != want {
			t.Fatalf("Validate = %v, want %s", err, want)
		}
	}
}

func TestDigestPolicyMatch(t *testing.T) {
	other64 := strings.Repeat("0", 64)
	tests := []struct {
		name    string
		p       DigestPolicy
		a, b    DigestSet
		wantErr error
	}{
		{"same sha256", DigestPolicy{}, DigestSet{SHA256: hex64}, DigestSet{SHA256: hex64, SHA512: hex128}, nil},
		{"different sha256", DigestPolicy{}, DigestSet{SHA256: hex64}, DigestSet{SHA256: other64}, ErrSubjectMismatch},
		{"no common algorithm", DigestPolicy{}, DigestSet{SHA256: hex64}, DigestSet{SHA512: hex128}, ErrSubjectMismatch},
		{"agree on one, disagree on another", DigestPolicy{}, DigestSet{SHA256: hex64, SHA512: hex128},
			DigestSet{SHA256: hex64, SHA512: strings.Repeat("0", 128)}, ErrSubjectMismatch},
		{"md5 only", DigestPolicy{}, DigestSet{"md5": hex64[:32]}, DigestSet{"md5": hex64[:32]}, ErrWeakDigest},
		{"sha1 git commit only", DigestPolicy{}, DigestSet{GitCommit: hex40}, DigestSet{GitCommit: hex40}, ErrWeakDigest},
		{"sha256 git commit", DigestPolicy{}, DigestSet{GitCommit: hex64}, DigestSet{GitCommit: hex64}, nil},
		{"weak listed but not insecure", DigestPolicy{Algorithms: []string{"sha1"}}, DigestSet{"sha1": hex40}, DigestSet{"sha1": hex40}, ErrWeakDigest},
		{"weak allowed insecurely", DigestPolicy{InsecureAllowWeakDigests: true}, DigestSet{"sha1": hex40}, DigestSet{"sha1": hex40}, nil},
		{"restricted to sha512", DigestPolicy{Algorithms: []string{SHA512}}, DigestSet{SHA256: hex64}, DigestSet{SHA256: hex64}, ErrWeakDigest},
		{"immutable id unlisted", DigestPolicy{}, DigestSet{"ami": "ami-1"}, DigestSet{"ami": "ami-1"}, ErrWeakDigest},
		{"immutable id listed", DigestPolicy{Algorithms: []string{"ami"}}, DigestSet{"ami": "ami-1"}, DigestSet{"ami": "ami-1"}, nil},
		{"short blake2b is not strong", DigestPolicy{}, DigestSet{"blake2b": hex40}, DigestSet{"blake2b": hex40}, ErrWeakDigest},
	}
	for _, tc := range tests {
		err := tc.p.Match(tc.a, tc.b)
		if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantErr)
		}
	}
}

// String is deterministic: algorithms sorted, so messages and check values
// do not depend on map order.
func TestDigestSetString(t *testing.T) {
	d := DigestSet{SHA512: "bb", SHA256: "aa", "gitCommit": "cc"}
	if got, want := d.String(), "gitCommit:cc,sha256:aa,sha512:bb"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (DigestSet(nil)).String(); got != "" {
		t.Errorf("nil set = %q", got)
	}
}
