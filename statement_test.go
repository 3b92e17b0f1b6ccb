package buildtrust

import (
	"errors"
	"strings"
	"testing"

	ita1 "github.com/in-toto/attestation/go/v1"
)

var (
	hex64  = strings.Repeat("a1", 32)
	hex40  = strings.Repeat("b2", 20)
	hex128 = strings.Repeat("c3", 64)
)

func TestParseStatement(t *testing.T) {
	stmt := func(subject, rest string) string {
		return `{"_type":"https://in-toto.io/Statement/v1","subject":[` + subject + `],"predicateType":"https://slsa.dev/provenance/v1"` + rest + `}`
	}
	sub := `{"name":"a","digest":{"sha256":"` + hex64 + `"}}`
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"minimal", stmt(sub, `,"predicate":{}`), nil},
		// ITE-ST-4, GAP-2: the predicate is optional (the Go binding requires it).
		{"predicate absent", stmt(sub, ``), nil},
		{"predicate null", stmt(sub, `,"predicate":null`), nil},
		{"legacy v0.1", strings.Replace(stmt(sub, ``), "Statement/v1", "Statement/v0.1", 1), nil},
		{"unknown fields ignored (ITE-PR-1)", stmt(sub, `,"predicate":{},"futureField":1`), nil},
		{"multiple digests", stmt(`{"digest":{"sha256":"`+hex64+`","sha512":"`+hex128+`"}}`, ``), nil},
		{"gitCommit sha1", stmt(`{"digest":{"gitCommit":"`+hex40+`"}}`, ``), nil},
		{"gitCommit sha256", stmt(`{"digest":{"gitCommit":"`+hex64+`"}}`, ``), nil},
		{"immutable non-crypto ID (ITE-DS-4)", stmt(`{"digest":{"arn":"arn:aws:ec2:us-east-1::image/ami-0abc"}}`, ``), nil},
		{"unknown _type", strings.Replace(stmt(sub, ``), "Statement/v1", "Statement/v2", 1), ErrStatementType},
		{"no _type", `{"subject":[` + sub + `],"predicateType":"https://x/y"}`, ErrStatementType},
		{"no subject", stmt(``, ``), ErrMalformed},
		{"subject without digest", stmt(`{"name":"a","uri":"https://x"}`, ``), ErrMalformed},
		{"upper-case hex (binding accepts it)", stmt(`{"digest":{"sha256":"`+strings.ToUpper(hex64)+`"}}`, ``), ErrMalformed},
		{"short sha256", stmt(`{"digest":{"sha256":"abcd"}}`, ``), ErrMalformed},
		{"gitCommit wrong length", stmt(`{"digest":{"gitCommit":"`+hex64[:50]+`"}}`, ``), ErrMalformed},
		{"empty digest value", stmt(`{"digest":{"sha256":""}}`, ``), ErrMalformed},
		{"missing predicateType", `{"_type":"https://in-toto.io/Statement/v1","subject":[` + sub + `]}`, ErrMalformed},
		{"relative predicateType", strings.Replace(stmt(sub, ``), "https://slsa.dev/provenance/v1", "provenance", 1), ErrMalformed},
		{"predicate is an array", stmt(sub, `,"predicate":[1]`), ErrMalformed},
		{"predicate is a string", stmt(sub, `,"predicate":"x"`), ErrMalformed},
		{"duplicate key", stmt(sub, `,"predicateType":"https://evil.example/v1"`), ErrMalformed},
		{"case-folded key", stmt(sub, `,"PredicateType":"https://evil.example/v1"`), ErrMalformed},
		{"wrong type", `{"_type":"https://in-toto.io/Statement/v1","subject":{},"predicateType":"https://x/y"}`, ErrMalformed},
		{"invalid UTF-8", stmt(`{"name":"a\xff","digest":{"sha256":"`+hex64+`"}}`, ``), ErrMalformed},
		{"control character in name", stmt(`{"name":"a\u0007","digest":{"sha256":"`+hex64+`"}}`, ``), ErrMalformed},
		{"trailing data", stmt(sub, ``) + `{}`, ErrMalformed},
		{"deep predicate", stmt(sub, `,"predicate":{"a":`+strings.Repeat("[", 100)+strings.Repeat("]", 100)+`}`), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := ParseStatement([]byte(tc.in))
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if st.Predicate != nil && st.Predicate[0] != '{' {
					t.Errorf("predicate %q", st.Predicate)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// GAP-1: the spec requires one of uri, digest or content; the in-toto Go
// binding requires one of name, uri or digest. We follow the spec.
func TestResourceDescriptorSpecRule(t *testing.T) {
	contentOnly := ResourceDescriptor{Content: []byte("hello")}
	if err := contentOnly.Validate(); err != nil {
		t.Errorf("content-only descriptor rejected: %v", err)
	}
	if err := (&ita1.ResourceDescriptor{Content: []byte("hello")}).Validate(); err == nil {
		t.Error("the in-toto binding now accepts content-only descriptors; GAP-1 note is stale")
	}
	nameOnly := ResourceDescriptor{Name: "x"}
	if err := nameOnly.Validate(); !errors.Is(err, ErrMalformed) {
		t.Errorf("name-only descriptor accepted: %v", err)
	}
}

func TestMatchSubjects(t *testing.T) {
	st, err := NewStatement("https://example.com/p/v1", nil,
		ResourceDescriptor{Name: "a", Digest: DigestSet{SHA256: hex64}},
		ResourceDescriptor{Name: "b", Digest: DigestSet{SHA256: strings.Repeat("0", 64), "sha1": hex40}},
	)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.MatchSubjects(DigestSet{SHA256: hex64, SHA512: hex128}, DigestPolicy{})
	if err != nil || len(got) != 1 || got[0].Name != "a" {
		t.Fatalf("match = %v, %v", got, err)
	}
	// Only a SHA-1 in common: never enough by default (THREAT-V2).
	_, err = st.MatchSubjects(DigestSet{"sha1": hex40}, DigestPolicy{})
	if !errors.Is(err, ErrWeakDigest) {
		t.Fatalf("sha1-only match: %v", err)
	}
	var ce *CheckError
	if !errors.As(err, &ce) || ce.Check != CheckStatementSubject {
		t.Fatalf("not a subject CheckError: %v", err)
	}
	if got, err := st.MatchSubjects(DigestSet{"sha1": hex40}, DigestPolicy{InsecureAllowWeakDigests: true}); err != nil || got[0].Name != "b" {
		t.Fatalf("insecure sha1 match = %v, %v", got, err)
	}
	if _, err := st.MatchSubjects(DigestSet{SHA256: strings.Repeat("f", 64)}, DigestPolicy{}); !errors.Is(err, ErrSubjectMismatch) {
		t.Fatalf("mismatch: %v", err)
	}
	// A real disagreement outranks a weak-only overlap in the reported cause.
	_, err = st.MatchSubjects(DigestSet{SHA256: strings.Repeat("f", 64), "sha1": hex40}, DigestPolicy{})
	if !errors.Is(err, ErrSubjectMismatch) || errors.Is(err, ErrWeakDigest) {
		t.Fatalf("differing sha256 plus sha1 overlap: %v", err)
	}
}

func TestStatementProtoRoundTrip(t *testing.T) {
	st, err := NewStatement("https://slsa.dev/provenance/v1",
		map[string]any{"buildDefinition": map[string]any{"buildType": "https://example.com/b/v1", "externalParameters": map[string]any{"ref": "refs/heads/main"}}},
		ResourceDescriptor{Name: "a", Digest: DigestSet{SHA256: hex64}, Annotations: map[string]any{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("binding rejects our statement: %v", err)
	}
	if p.GetSubject()[0].GetDigest()[SHA256] != hex64 || p.GetPredicateType() != st.PredicateType {
		t.Errorf("proto = %v", p)
	}
	back, err := StatementFromProto(p)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := st.Marshal()
	b, _ := back.Marshal()
	if string(a) != string(b) {
		t.Errorf("round trip changed the statement:\n%s\n%s", a, b)
	}
	// The binding accepts upper-case hex; converting into our type does not.
	p.Subject[0].Digest[SHA256] = strings.ToUpper(hex64)
	if _, err := StatementFromProto(p); !errors.Is(err, ErrMalformed) {
		t.Errorf("upper-case digest from proto accepted: %v", err)
	}
}

// Marshal output is deterministic and keeps numbers exact (P-JSON-2, P-JSON-5).
func TestStatementDeterministic(t *testing.T) {
	pred := []byte(`{"z":1,"a":{"n":9007199254740993,"s":"<&>"}}`)
	st, err := NewStatement("https://example.com/p/v1", pred, ResourceDescriptor{Digest: DigestSet{SHA256: hex64}})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := st.Marshal()
	want := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"` + hex64 + `"}}],"predicateType":"https://example.com/p/v1","predicate":{"a":{"n":9007199254740993,"s":"<&>"},"z":1}}`
	if string(out) != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", out, want)
	}
}
