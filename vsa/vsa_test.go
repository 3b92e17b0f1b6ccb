package vsa_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/strictjson"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/vsa"
)

func seedKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func newSigner(t testing.TB, b byte) (*buildtrust.KeySigner, *buildtrust.PublicKey) {
	t.Helper()
	s, err := buildtrust.NewSigner(seedKey(b), buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s, s.PublicKey()
}

func digest(c string) buildtrust.DigestSet {
	return buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat(c, 64)}
}

var verifiedAt = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	verifierA = "https://verifier-a.example/publication_verifier"
	verifierB = "https://verifier-b.example/publication_verifier"
	resource  = "https://registry.example/pkg/example-1.2.3.tar.gz"
)

func predicate() vsa.Predicate {
	return vsa.Predicate{
		Verifier:           vsa.Verifier{ID: verifierA, Version: map[string]string{"buildtrust": "v0.1.0"}},
		TimeVerified:       verifiedAt,
		ResourceURI:        resource,
		Policy:             buildtrust.ResourceDescriptor{URI: "https://verifier-a.example/policy.json", Digest: digest("1")},
		InputAttestations:  []buildtrust.ResourceDescriptor{{URI: "https://registry.example/pkg/example.intoto.jsonl", Digest: digest("2")}},
		VerificationResult: vsa.Passed,
		VerifiedLevels:     []string{"SLSA_BUILD_LEVEL_3", vsa.BuildEnvLevel(2), vsa.BuildReproduced},
		DependencyLevels:   map[string]uint64{"SLSA_BUILD_LEVEL_3": 5, "SLSA_BUILD_LEVEL_1": 1},
		SlsaVersion:        "1.2",
	}
}

func signVSA(t testing.TB, p vsa.Predicate, subject buildtrust.DigestSet, s buildtrust.Signer) []byte {
	t.Helper()
	st, err := vsa.New(p, buildtrust.ResourceDescriptor{Name: "example-1.2.3.tar.gz", Digest: subject})
	if err != nil {
		t.Fatal(err)
	}
	env, err := buildtrust.SignStatement(context.Background(), st, s)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(env)
	return out
}

// Producer and consumer mirror each other: New → sign → Verify returns the
// same predicate, with every check listed.
func TestRoundTrip(t *testing.T) {
	sA, pA := newSigner(t, 1)
	env := signVSA(t, predicate(), digest("a"), sA)
	v, err := vsa.Verify(env, vsa.Options{
		Verifiers:      map[string][]*buildtrust.PublicKey{verifierA: {pA}},
		Subject:        digest("a"),
		ResourceURI:    resource,
		RequiredLevels: []string{"SLSA_BUILD_LEVEL_2", vsa.BuildEnvLevel(1)},
		PolicyURI:      "https://verifier-a.example/policy.json",
		PolicyDigest:   digest("1"),
		MaxAge:         24 * time.Hour,
		Now:            verifiedAt.Add(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*v.Predicate, predicate()) {
		t.Errorf("round trip:\n got %+v\nwant %+v", *v.Predicate, predicate())
	}
	var ids []string
	for _, c := range v.Checks {
		if c.Outcome != buildtrust.Pass {
			t.Errorf("check %s: %s", c.ID, c.Outcome)
		}
		ids = append(ids, c.ID)
	}
	want := "vsa.signature vsa.predicateType vsa.verifier vsa.subject vsa.resourceUri vsa.result vsa.level vsa.policy vsa.fresh"
	if strings.Join(ids, " ") != want {
		t.Errorf("checks %v", ids)
	}
	if v.Verifier != verifierA || len(v.Signers) != 1 {
		t.Errorf("verifier %s signers %d", v.Verifier, len(v.Signers))
	}
	// Deterministic JSON: the same predicate encodes to the same bytes.
	a, _ := json.Marshal(predicate())
	b, _ := json.Marshal(predicate())
	if !bytes.Equal(a, b) {
		t.Error("predicate encoding is not deterministic")
	}
}

// VSA-VER-1…8 consumer-side rejections, each naming its threat.
func TestVerifyRejections(t *testing.T) {
	sA, pA := newSigner(t, 1)
	sB, pB := newSigner(t, 2)
	sX, _ := newSigner(t, 3)
	base := func() vsa.Options {
		return vsa.Options{
			Verifiers:      map[string][]*buildtrust.PublicKey{verifierA: {pA}, verifierB: {pB}},
			Subject:        digest("a"),
			ResourceURI:    resource,
			RequiredLevels: []string{"SLSA_BUILD_LEVEL_3"},
			MaxAge:         24 * time.Hour,
			Now:            verifiedAt.Add(time.Hour),
		}
	}
	with := func(edit func(*vsa.Predicate)) vsa.Predicate {
		p := predicate()
		edit(&p)
		return p
	}
	good := signVSA(t, predicate(), digest("a"), sA)
	var env map[string]any
	_ = json.Unmarshal(good, &env)
	st, _ := vsa.New(predicate(), buildtrust.ResourceDescriptor{Digest: digest("a")})
	payload, _ := st.Marshal()
	env["payload"] = bytes.Replace(payload, []byte(digest("a")["sha256"]), []byte(digest("b")["sha256"]), 1)
	tampered, _ := json.Marshal(env)
	prov, _ := buildtrust.NewStatement("https://slsa.dev/provenance/v1", nil, buildtrust.ResourceDescriptor{Digest: digest("a")})
	provEnv, _ := buildtrust.SignStatement(context.Background(), prov, sA)
	provJSON, _ := json.Marshal(provEnv)

	tests := []struct {
		name    string
		env     []byte
		opts    func(*vsa.Options)
		wantErr error
		check   string
		threats []threat.ID
	}{
		{"G2: signed by an untrusted key", signVSA(t, predicate(), digest("a"), sX), nil,
			buildtrust.ErrSignature, vsa.CheckSignature, []threat.ID{threat.G2, threat.G6}},
		{"G2: key trusted for verifier B signs as verifier A", signVSA(t, predicate(), digest("a"), sB), nil,
			vsa.ErrUntrustedVerifier, vsa.CheckVerifier, []threat.ID{threat.G2}},
		{"G2: verifier not trusted at all", signVSA(t, with(func(p *vsa.Predicate) { p.Verifier.ID = "https://evil.example/v" }), digest("a"), sA), nil,
			vsa.ErrUntrustedVerifier, vsa.CheckVerifier, []threat.ID{threat.G2}},
		{"G6: payload tampered after signing", tampered, nil,
			buildtrust.ErrSignature, vsa.CheckSignature, []threat.ID{threat.G6}},
		{"G5: artifact differs from subject", good, func(o *vsa.Options) { o.Subject = digest("c") },
			buildtrust.ErrSubjectMismatch, vsa.CheckSubject, []threat.ID{threat.G5}},
		{"G4: resourceUri of another package", signVSA(t, with(func(p *vsa.Predicate) { p.ResourceURI = "https://registry.example/pkg/evil-1.0.tar.gz" }), digest("a"), sA), nil,
			vsa.ErrResourceURI, vsa.CheckResourceURI, []threat.ID{threat.G4}},
		{"G4: resourceUri differs only in case", good, func(o *vsa.Options) { o.ResourceURI = strings.ToUpper(resource) },
			vsa.ErrResourceURI, vsa.CheckResourceURI, []threat.ID{threat.G4}},
		{"G1: verification FAILED", signVSA(t, with(func(p *vsa.Predicate) {
			p.VerificationResult = vsa.Failed
			p.VerifiedLevels = []string{vsa.FailedResult}
		}), digest("a"), sA), nil,
			vsa.ErrFailed, vsa.CheckResult, []threat.ID{threat.G1}},
		{"G1: required level missing", signVSA(t, with(func(p *vsa.Predicate) { p.VerifiedLevels = []string{"SLSA_BUILD_LEVEL_2"} }), digest("a"), sA), nil,
			vsa.ErrLevel, vsa.CheckLevel, []threat.ID{threat.G1}},
		{"G1: BuildEnv level too low", good, func(o *vsa.Options) { o.RequiredLevels = []string{vsa.BuildEnvLevel(3)} },
			vsa.ErrLevel, vsa.CheckLevel, []threat.ID{threat.G1}},
		{"G4: stale VSA replayed", good, func(o *vsa.Options) { o.Now = verifiedAt.Add(48 * time.Hour) },
			vsa.ErrStale, vsa.CheckFresh, []threat.ID{threat.G4}},
		{"G4: VSA from the future", good, func(o *vsa.Options) { o.Now = verifiedAt.Add(-time.Minute) },
			vsa.ErrStale, vsa.CheckFresh, []threat.ID{threat.G4}},
		{"G4: undated VSA with MaxAge", signVSA(t, with(func(p *vsa.Predicate) { p.TimeVerified = time.Time{} }), digest("a"), sA), nil,
			vsa.ErrStale, vsa.CheckFresh, []threat.ID{threat.G4}},
		{"policy of another URI", good, func(o *vsa.Options) { o.PolicyURI = "https://verifier-a.example/other.json" },
			vsa.ErrPolicy, vsa.CheckPolicy, nil},
		{"policy digest differs", good, func(o *vsa.Options) { o.PolicyDigest = digest("9") },
			vsa.ErrPolicy, vsa.CheckPolicy, nil},
		{"E8: image VSA for another image", good, func(o *vsa.Options) { o.Subject = digest("c"); o.BuildImage = true },
			buildtrust.ErrSubjectMismatch, vsa.CheckSubject, []threat.ID{threat.G5, threat.E8}},
		{"E8: image VSA FAILED", signVSA(t, with(func(p *vsa.Predicate) { p.VerificationResult = vsa.Failed }), digest("a"), sA), func(o *vsa.Options) { o.BuildImage = true },
			vsa.ErrFailed, vsa.CheckResult, []threat.ID{threat.G1, threat.E8}},
		{"provenance is not a VSA", provJSON, nil,
			vsa.ErrPredicateType, vsa.CheckPredicateType, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := base()
			if tc.opts != nil {
				tc.opts(&opts)
			}
			v, err := vsa.Verify(tc.env, opts)
			if v != nil {
				t.Error("unverified data returned")
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			var ce *buildtrust.CheckError
			if !errors.As(err, &ce) || ce.Check != tc.check {
				t.Fatalf("check of %v, want %s", err, tc.check)
			}
			for _, id := range tc.threats {
				if !errors.Is(err, id) {
					t.Errorf("%v does not name threat %s", err, id)
				}
			}
		})
	}
}

// Missing trust inputs and expectations fail closed (VSA-VER-2/4/5/7).
func TestVerifyOptionsFailClosed(t *testing.T) {
	sA, pA := newSigner(t, 1)
	env := signVSA(t, predicate(), digest("a"), sA)
	full := vsa.Options{Verifiers: map[string][]*buildtrust.PublicKey{verifierA: {pA}}, Subject: digest("a"), ResourceURI: resource, RequiredLevels: []string{"SLSA_BUILD_LEVEL_1"}}
	tests := []struct {
		name    string
		edit    func(*vsa.Options)
		wantErr error
	}{
		{"no verifiers", func(o *vsa.Options) { o.Verifiers = nil }, vsa.ErrNoTrustedVerifiers},
		{"verifier without keys", func(o *vsa.Options) { o.Verifiers = map[string][]*buildtrust.PublicKey{verifierA: nil} }, vsa.ErrNoTrustedVerifiers},
		{"no subject", func(o *vsa.Options) { o.Subject = nil }, vsa.ErrMissingExpectation},
		{"no resourceUri", func(o *vsa.Options) { o.ResourceURI = "" }, vsa.ErrMissingExpectation},
		{"no level", func(o *vsa.Options) { o.RequiredLevels = nil }, vsa.ErrMissingExpectation},
		{"threshold above keys", func(o *vsa.Options) { o.Threshold = 2 }, buildtrust.ErrSignature},
	}
	for _, tc := range tests {
		opts := full
		tc.edit(&opts)
		if _, err := vsa.Verify(env, opts); !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantErr)
		}
	}
	if _, err := vsa.Verify(env, full); err != nil {
		t.Errorf("full options: %v", err)
	}
	if _, err := vsa.Verify([]byte("{"), full); !errors.Is(err, buildtrust.ErrMalformed) {
		t.Errorf("garbage: %v", err)
	}
}

// VSA-2…12: parse rules on our own adversarial documents.
func TestParsePredicate(t *testing.T) {
	const ok = `"verifier":{"id":"https://v.example"},"resourceUri":"https://r.example/a","policy":{"uri":"https://p.example"},"verificationResult":"PASSED"`
	tests := []struct {
		name    string
		in      string
		wantErr error
		check   func(*vsa.Predicate) bool
	}{
		{"minimal 1.1", `{` + ok + `,"verifiedLevels":["SLSA_BUILD_LEVEL_1"]}`, nil, func(p *vsa.Predicate) bool { return p.TimeVerified.IsZero() && p.DependencyLevels == nil }},
		{"dependencyLevels {} means no dependencies (VSA-10)", `{` + ok + `,"verifiedLevels":[],"dependencyLevels":{}}`, nil, func(p *vsa.Predicate) bool { return p.DependencyLevels != nil && len(p.DependencyLevels) == 0 }},
		{"dependencyLevels null means no claim", `{` + ok + `,"verifiedLevels":[],"dependencyLevels":null}`, nil, func(p *vsa.Predicate) bool { return p.DependencyLevels == nil }},
		{"dependencyLevels as protojson strings (P-JSON-6)", `{` + ok + `,"verifiedLevels":[],"dependencyLevels":{"SLSA_BUILD_LEVEL_3":"18446744073709551615"}}`, nil, func(p *vsa.Predicate) bool { return p.DependencyLevels["SLSA_BUILD_LEVEL_3"] == 1<<64-1 }},
		{"URI extension fields ignored (VSA-2)", `{` + ok + `,"verifiedLevels":[],"https://ext.example/x":{"a":1}}`, nil, nil},
		{"fractional UTC time", `{` + ok + `,"verifiedLevels":[],"timeVerified":"1985-04-12T23:20:50.52Z"}`, nil, func(p *vsa.Predicate) bool { return p.TimeVerified.Nanosecond() == 520000000 }},
		{"custom and property levels", `{` + ok + `,"verifiedLevels":["SLSA_BUILD_LEVEL_3","SLSA_SOURCE_TWO_PARTY_REVIEWED","ACME_SIGNED"]}`, nil, nil},
		{"verifiedLevels missing (VSA-9)", `{` + ok + `}`, buildtrust.ErrMalformed, nil},
		{"verifier.id missing (VSA-3)", `{"verifier":{},"resourceUri":"https://r","policy":{"uri":"https://p"},"verificationResult":"PASSED","verifiedLevels":[]}`, buildtrust.ErrMalformed, nil},
		{"verifier.id relative", `{"verifier":{"id":"publication_verifier"},"resourceUri":"https://r","policy":{"uri":"https://p"},"verificationResult":"PASSED","verifiedLevels":[]}`, buildtrust.ErrMalformed, nil},
		{"resourceUri missing (VSA-5)", `{"verifier":{"id":"https://v"},"policy":{"uri":"https://p"},"verificationResult":"PASSED","verifiedLevels":[]}`, buildtrust.ErrMalformed, nil},
		{"policy.uri missing (VSA-6)", `{"verifier":{"id":"https://v"},"resourceUri":"https://r","policy":{"digest":{"sha256":"` + strings.Repeat("a", 64) + `"}},"verificationResult":"PASSED","verifiedLevels":[]}`, buildtrust.ErrMalformed, nil},
		{"input attestation without digest (VSA-7)", `{` + ok + `,"verifiedLevels":[],"inputAttestations":[{"uri":"https://a"}]}`, buildtrust.ErrMalformed, nil},
		{"result lower case (VSA-8)", `{"verifier":{"id":"https://v"},"resourceUri":"https://r","policy":{"uri":"https://p"},"verificationResult":"passed","verifiedLevels":[]}`, buildtrust.ErrMalformed, nil},
		{"two build levels (VSA-9)", `{` + ok + `,"verifiedLevels":["SLSA_BUILD_LEVEL_3","SLSA_BUILD_LEVEL_2"]}`, buildtrust.ErrMalformed, nil},
		{"bad SLSA_ token (VSA-12)", `{` + ok + `,"verifiedLevels":["SLSA_build_level_3"]}`, buildtrust.ErrMalformed, nil},
		{"slsaVersion not MAJOR.MINOR (VSA-11)", `{` + ok + `,"verifiedLevels":[],"slsaVersion":"1"}`, buildtrust.ErrMalformed, nil},
		{"time with offset (ITE-FT-2)", `{` + ok + `,"verifiedLevels":[],"timeVerified":"2026-01-01T00:00:00+01:00"}`, buildtrust.ErrMalformed, nil},
		{"negative count", `{` + ok + `,"verifiedLevels":[],"dependencyLevels":{"SLSA_BUILD_LEVEL_1":-1}}`, buildtrust.ErrMalformed, nil},
		{"fractional count", `{` + ok + `,"verifiedLevels":[],"dependencyLevels":{"SLSA_BUILD_LEVEL_1":1.5}}`, buildtrust.ErrMalformed, nil},
		{"duplicate key", `{` + ok + `,"verifiedLevels":[],"resourceUri":"https://other"}`, strictjson.ErrDuplicateKey, nil},
		{"case-folded duplicate", `{` + ok + `,"verifiedLevels":[],"ResourceUri":"https://other"}`, strictjson.ErrCaseMismatch, nil},
		{"too many levels", `{` + ok + `,"verifiedLevels":[` + strings.Repeat(`"X",`, 64) + `"X"]}`, buildtrust.ErrTooLarge, nil},
		{"not an object", `[]`, buildtrust.ErrMalformed, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := vsa.ParsePredicate([]byte(tc.in))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil && !tc.check(p) {
				t.Errorf("parsed %+v", p)
			}
		})
	}
}

// VSA-12: a level implies all lower levels of its track.
func TestSatisfies(t *testing.T) {
	tests := []struct {
		verified []string
		required string
		want     bool
	}{
		{[]string{"SLSA_BUILD_LEVEL_3"}, "SLSA_BUILD_LEVEL_2", true},
		{[]string{"SLSA_BUILD_LEVEL_3"}, "SLSA_BUILD_LEVEL_3", true},
		{[]string{"SLSA_BUILD_LEVEL_2"}, "SLSA_BUILD_LEVEL_3", false},
		{[]string{"SLSA_SOURCE_LEVEL_3"}, "SLSA_BUILD_LEVEL_1", false},
		{[]string{"SLSA_BUILDENV_LEVEL_3"}, vsa.BuildEnvLevel(2), true},
		{[]string{"SLSA_BUILD_LEVEL_UNEVALUATED"}, "SLSA_BUILD_LEVEL_0", false},
		{[]string{"SLSA_BUILD_LEVEL_3"}, vsa.BuildReproduced, false},
		{[]string{vsa.BuildReproduced}, vsa.BuildReproduced, true},
		{[]string{vsa.FailedResult}, "SLSA_BUILD_LEVEL_1", false},
		{nil, "SLSA_BUILD_LEVEL_1", false},
	}
	for _, tc := range tests {
		if got := vsa.Satisfies(tc.verified, tc.required); got != tc.want {
			t.Errorf("Satisfies(%v, %s) = %v", tc.verified, tc.required, got)
		}
	}
	if vsa.BuildEnvLevel(2) != "SLSA_BUILDENV_LEVEL_2" || vsa.LevelToken(vsa.TrackSource, 1) != "SLSA_SOURCE_LEVEL_1" {
		t.Error("level tokens")
	}
	if tr, l, ok := vsa.ParseLevel("SLSA_BUILD_LEVEL_UNEVALUATED"); !ok || tr != "BUILD" || l != vsa.Unevaluated {
		t.Error("ParseLevel UNEVALUATED")
	}
}

// SVR-1: produce, sign, parse; required fields; properties as levels.
func TestSVR(t *testing.T) {
	in := vsa.SVR{
		Verifier:    vsa.SVRVerifier{ID: "https://control-plane.example/admission/v2"},
		TimeCreated: verifiedAt,
		Properties:  []string{vsa.BuildEnvLevel(2), "ACME_ADMITTED_1"},
	}
	st, err := vsa.NewSVR(in, buildtrust.ResourceDescriptor{Digest: digest("e")})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(st.Predicate, []byte(`"policies":[]`)) {
		t.Errorf("policies not encoded as []: %s", st.Predicate)
	}
	s, _ := newSigner(t, 1)
	env, _ := buildtrust.SignStatement(context.Background(), st, s)
	raw, _ := json.Marshal(env)
	vs, err := buildtrust.VerifyStatement(raw, buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{s.PublicKey()}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := vsa.ParseSVR(vs.Statement)
	if err != nil {
		t.Fatal(err)
	}
	in.Verifier.Policies = []buildtrust.ResourceDescriptor{}
	if !reflect.DeepEqual(*got, in) {
		t.Errorf("got %+v want %+v", *got, in)
	}
	if !got.Has(vsa.BuildEnvLevel(1)) || got.Has(vsa.BuildEnvLevel(3)) {
		t.Error("Has")
	}
	for name, pred := range map[string]string{
		"policies missing (v0.2)": `{"verifier":{"id":"https://v"},"timeCreated":"2026-01-01T00:00:00Z","properties":[]}`,
		"time missing":            `{"verifier":{"id":"https://v","policies":[]},"properties":[]}`,
		"properties missing":      `{"verifier":{"id":"https://v","policies":[]},"timeCreated":"2026-01-01T00:00:00Z"}`,
		"bad policy descriptor":   `{"verifier":{"id":"https://v","policies":[{"name":"x"}]},"timeCreated":"2026-01-01T00:00:00Z","properties":[]}`,
		"verifier id relative":    `{"verifier":{"id":"v","policies":[]},"timeCreated":"2026-01-01T00:00:00Z","properties":[]}`,
	} {
		if _, err := vsa.ParseSVRPredicate([]byte(pred)); !errors.Is(err, buildtrust.ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := vsa.ParseSVR(&buildtrust.Statement{PredicateType: "https://in-toto.io/attestation/svr/v0.1"}); !errors.Is(err, vsa.ErrPredicateType) {
		t.Errorf("v0.1 read as v0.2: %v", err)
	}
	if _, err := vsa.NewSVR(vsa.SVR{Verifier: vsa.SVRVerifier{ID: "https://v"}}, buildtrust.ResourceDescriptor{Digest: digest("e")}); !errors.Is(err, buildtrust.ErrMalformed) {
		t.Errorf("SVR without time: %v", err)
	}
}
