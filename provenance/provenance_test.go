package provenance

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/threat"
)

const (
	testBuilder   = "https://github.com/example/builder/.github/workflows/build.yml"
	testBuildType = "https://actions.github.io/buildtypes/workflow/v1"
	testRepo      = "github.com/example/app"
	testCommit    = "0123456789abcdef0123456789abcdef01234567"
)

var (
	artifactSHA256 = strings.Repeat("ab", 32)
	startedOn      = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	finishedOn     = startedOn.Add(4 * time.Minute)
)

func newKey(t testing.TB) *buildtrust.KeySigner {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := buildtrust.NewSigner(priv, buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sample is a GitHub-Actions-shaped provenance using every field.
func sample() Provenance {
	return Provenance{
		BuildDefinition: BuildDefinition{
			BuildType: testBuildType,
			ExternalParameters: map[string]any{
				"workflow": map[string]any{"ref": "refs/tags/v1.2.3", "repository": "https://" + testRepo, "path": ".github/workflows/release.yml"},
				"inputs":   map[string]any{"release": true, "count": json.Number("9007199254740993")},
			},
			InternalParameters: map[string]any{"github": map[string]any{"event_name": "push"}},
			ResolvedDependencies: []buildtrust.ResourceDescriptor{{
				URI: "git+https://" + testRepo + "@refs/tags/v1.2.3", Digest: buildtrust.DigestSet{buildtrust.GitCommit: testCommit}}, {
				URI: toolchainURI, Digest: buildtrust.DigestSet{buildtrust.SHA256: toolchainSHA256}}},
		},
		RunDetails: RunDetails{
			Builder:    Builder{ID: testBuilder + "@refs/tags/v2.1.0", Version: map[string]string{"runner": "2.300"}},
			Metadata:   &BuildMetadata{InvocationID: "https://github.com/example/app/actions/runs/1/attempts/1", StartedOn: &startedOn, FinishedOn: &finishedOn},
			Byproducts: []buildtrust.ResourceDescriptor{{Name: "log", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("cd", 32)}}},
		},
	}
}

var subjects = []buildtrust.ResourceDescriptor{
	{Name: "app-linux-amd64", Digest: buildtrust.DigestSet{buildtrust.SHA256: artifactSHA256}},
	{Name: "app-darwin-arm64", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("ef", 32)}},
}

func expectations() Expectations {
	return Expectations{
		Artifact:         buildtrust.DigestSet{buildtrust.SHA256: artifactSHA256},
		BuilderIDs:       []string{testBuilder},
		SourceRepository: testRepo,
		SourceTag:        "v1.2.3",
		SourceCommit:     testCommit,
		ConfigPath:       ".github/workflows/release.yml",
		BuildTypes:       []string{testBuildType},
		Parameters: map[string]ParameterRule{
			"/inputs/release": {Values: []any{true}},
			"/inputs/count":   {Values: []any{json.Number("9007199254740993")}},
		},
		Dependencies:  []DependencyRule{{URI: "https://go.dev/dl/*", Digests: []buildtrust.DigestSet{{buildtrust.SHA256: toolchainSHA256}}, Required: true}},
		MinBuildLevel: 3,
	}
}

const toolchainURI = "https://go.dev/dl/go1.26.0.linux-amd64.tar.gz"

var toolchainSHA256 = strings.Repeat("7a", 32)

// Dependency rules pin resolvedDependencies by digest (PROV-VER-7): another
// toolchain, a missing required one, one without a digest or with only a
// weak digest fails provenance.dependencies naming DEP-2 and DEP-3.
func TestDependencies(t *testing.T) {
	signer := newKey(t)
	tests := []struct {
		name  string
		deps  func([]buildtrust.ResourceDescriptor) []buildtrust.ResourceDescriptor
		rules []DependencyRule
		pass  bool
	}{
		{name: "pinned", pass: true},
		{name: "exact URI", rules: []DependencyRule{{URI: toolchainURI, Digests: []buildtrust.DigestSet{{buildtrust.SHA256: toolchainSHA256}}}}, pass: true},
		{name: "any digest at the URI", rules: []DependencyRule{{URI: toolchainURI}}, pass: true},
		{name: "unmatched optional rule", rules: []DependencyRule{{URI: "https://other.example/*"}}, pass: true},
		{name: "other toolchain", deps: func(d []buildtrust.ResourceDescriptor) []buildtrust.ResourceDescriptor {
			d[1].Digest = buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("66", 32)}
			return d
		}},
		{name: "required toolchain missing", deps: func(d []buildtrust.ResourceDescriptor) []buildtrust.ResourceDescriptor { return d[:1] }},
		{name: "no digest", deps: func(d []buildtrust.ResourceDescriptor) []buildtrust.ResourceDescriptor {
			d[1].Digest = nil
			d[1].Content = []byte("x") // still a valid descriptor
			return d
		}},
		{name: "weak digest only", rules: []DependencyRule{{URI: "git+https://*"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sample()
			deps := slices.Clone(p.BuildDefinition.ResolvedDependencies)
			if tt.deps != nil {
				deps = tt.deps(deps)
			}
			p.BuildDefinition.ResolvedDependencies = deps
			exp := expectations()
			if tt.rules != nil {
				exp.Dependencies = tt.rules
			}
			res, err := Verify(signed(t, signer, p), exp, options(signer))
			if tt.pass {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *buildtrust.CheckError
			if !errors.As(err, &ce) || ce.Check != CheckDependencies || !errors.Is(err, threat.DEP_2) || !errors.Is(err, threat.DEP_3) {
				t.Fatalf("err = %v, want %s naming DEP-2 and DEP-3", err, CheckDependencies)
			}
			if res == nil || res.Passed() {
				t.Fatal("result passed")
			}
		})
	}
}

func options(signer *buildtrust.KeySigner) Options {
	return Options{
		TrustRoot: []TrustedBuilder{{ID: testBuilder, Signers: []SignerRule{SignedBy(signer.PublicKey())}, MaxLevel: 3}},
		Now:       finishedOn.Add(time.Hour),
	}
}

func signed(t testing.TB, signer buildtrust.Signer, p Provenance) []byte {
	t.Helper()
	env, err := Sign(context.Background(), p, subjects, signer)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(env)
	return data
}

func TestRoundTripEveryField(t *testing.T) {
	signer := newKey(t)
	res, err := Verify(signed(t, signer, sample()), expectations(), options(signer))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !res.Passed() || res.BuildLevel != 3 || len(res.Subjects) != 1 || res.Subjects[0].Name != "app-linux-amd64" {
		t.Fatalf("result: %+v", res)
	}
	for _, c := range res.Checks {
		if c.Outcome != buildtrust.Pass {
			t.Errorf("check %s: %s %s", c.ID, c.Outcome, c.Message)
		}
	}
	if !reflect.DeepEqual(res.Provenance.Provenance, sample()) {
		t.Errorf("provenance changed in the round trip:\n%+v\n%+v", res.Provenance.Provenance, sample())
	}
	// What we produce is valid for the in-toto Go binding too.
	pb, err := res.Provenance.ToProto()
	if err != nil {
		t.Fatal(err)
	}
	if err := pb.Validate(); err != nil {
		t.Fatalf("in-toto binding rejects our provenance: %v", err)
	}
	back, err := FromProto(pb)
	if err != nil || back.RunDetails.Builder.ID != sample().RunDetails.Builder.ID {
		t.Fatalf("FromProto: %v", err)
	}
}

// TestThreatsRejected shows each attack the checks mitigate being rejected,
// with errors.Is naming the threat (REQUIREMENTS.md §6.1).
func TestThreatsRejected(t *testing.T) {
	signer := newKey(t)
	attacker := newKey(t)
	mod := func(f func(*Provenance)) []byte {
		p := sample()
		f(&p)
		return signed(t, signer, p)
	}
	expWith := func(f func(*Expectations)) Expectations {
		e := expectations()
		f(&e)
		return e
	}
	good := signed(t, signer, sample())
	tests := []struct {
		name   string
		threat threat.ID
		check  string
		env    []byte
		exp    Expectations
		opts   Options
	}{
		{"build from a fork", threat.D1, CheckSourceRepo, mod(func(p *Provenance) {
			p.BuildDefinition.ExternalParameters["workflow"].(map[string]any)["repository"] = "https://github.com/evil/app"
		}), expectations(), options(signer)},
		{"look-alike owner", threat.D1, CheckSourceRepo, mod(func(p *Provenance) {
			p.BuildDefinition.ExternalParameters["workflow"].(map[string]any)["repository"] = "https://github.com/examp1e/app"
		}), expectations(), options(signer)},
		{"unofficial branch", threat.D2, CheckSourceRef, mod(func(p *Provenance) {
			p.BuildDefinition.ExternalParameters["workflow"].(map[string]any)["ref"] = "refs/heads/experimental"
		}), expectations(), options(signer)},
		{"other commit", threat.D2, CheckSourceCommit, good, expWith(func(e *Expectations) { e.SourceCommit = strings.Repeat("f", 40) }), options(signer)},
		{"unofficial build steps", threat.D3, CheckConfigPath, mod(func(p *Provenance) {
			p.BuildDefinition.ExternalParameters["workflow"].(map[string]any)["path"] = ".github/workflows/debug.yml"
		}), expectations(), options(signer)},
		{"unofficial buildType", threat.D3, CheckBuildType, good, expWith(func(e *Expectations) { e.BuildTypes = []string{"https://example.com/other/v1"} }), options(signer)},
		{"unofficial parameter value", threat.D4, CheckParameters, mod(func(p *Provenance) {
			p.BuildDefinition.ExternalParameters["inputs"].(map[string]any)["release"] = false
		}), expectations(), options(signer)},
		{"injected parameter", threat.D4, CheckParameters, mod(func(p *Provenance) {
			p.BuildDefinition.ExternalParameters["inputs"].(map[string]any)["cflags"] = "-DBACKDOOR"
		}), expectations(), options(signer)},
		{"owner-controlled parameter", threat.E3, CheckParameters, mod(func(p *Provenance) {
			p.BuildDefinition.ExternalParameters["debug_ssh"] = true
		}), expectations(), options(signer)},
		{"untrusted CI/CD", threat.F1, CheckBuilderID, good, expWith(func(e *Expectations) {
			e.BuilderIDs = []string{"https://github.com/example/builder/.github/workflows/other.yml"}
		}), options(signer)},
		{"builder version not accepted", threat.F1, CheckBuilderID, good, expWith(func(e *Expectations) { e.BuilderIDs = []string{testBuilder + "@v2.0.0"} }), options(signer)},
		{"builder version outside range", threat.F1, CheckBuilderID, good, expWith(func(e *Expectations) { e.BuilderVersions = ">=v2.2.0" }), options(signer)},
		{"signer not trusted for this builder", threat.F1, CheckBuilderSigner, good, expectations(), Options{
			TrustRoot: []TrustedBuilder{{ID: "https://other.example/builder", Signers: []SignerRule{SignedBy(signer.PublicKey())}, MaxLevel: 3},
				{ID: testBuilder, Signers: []SignerRule{SignedBy(attacker.PublicKey())}, MaxLevel: 3}},
			Now: finishedOn.Add(time.Hour)}},
		{"tampered artifact", threat.F3, CheckSubject, good, expWith(func(e *Expectations) {
			e.Artifact = buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("00", 32)}
		}), options(signer)},
		{"level too low for isolation guarantees", threat.E4, CheckLevel, good, expectations(), Options{
			TrustRoot: []TrustedBuilder{{ID: testBuilder, Signers: []SignerRule{SignedBy(signer.PublicKey())}, MaxLevel: 2}},
			Now:       finishedOn.Add(time.Hour)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Verify(tc.env, tc.exp, tc.opts)
			if err == nil {
				t.Fatal("attack accepted")
			}
			if !errors.Is(err, tc.threat) {
				t.Fatalf("error does not name threat %s: %v", tc.threat, err)
			}
			failed := false
			for _, c := range res.Checks {
				failed = failed || c.ID == tc.check && c.Outcome == buildtrust.Fail
			}
			if !failed {
				t.Errorf("check %s did not fail: %+v", tc.check, res.Checks)
			}
		})
	}

	// Tampered and attacker-signed provenance never reach the checks (F4, G6).
	env, _ := buildtrust.ParseEnvelope(good)
	env.Payload = []byte(strings.Replace(string(env.Payload), "github.com/example/app", "github.com/evil0/app", 1))
	tampered, _ := json.Marshal(env)
	for name, data := range map[string][]byte{"tampered": tampered, "attacker-signed": signed(t, attacker, sample())} {
		if _, err := Verify(data, expectations(), options(signer)); !errors.Is(err, threat.F4) || !errors.Is(err, buildtrust.ErrSignature) {
			t.Errorf("%s provenance: err = %v", name, err)
		}
	}
}

func TestCheckFailsClosed(t *testing.T) {
	signer := newKey(t)
	data := signed(t, signer, sample())
	vs, err := buildtrust.VerifyStatement(data, buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{signer.PublicKey()}})
	if err != nil {
		t.Fatal(err)
	}
	att := FromVerified(vs)
	for name, tc := range map[string]struct {
		exp  Expectations
		opts Options
		want error
	}{
		"no trust root":     {expectations(), Options{}, ErrNoTrustRoot},
		"no builders":       {func() Expectations { e := expectations(); e.BuilderIDs = nil; return e }(), options(signer), ErrMissingExpectation},
		"no artifact":       {func() Expectations { e := expectations(); e.Artifact = nil; return e }(), options(signer), ErrMissingExpectation},
		"no source":         {func() Expectations { e := expectations(); e.SourceRepository = ""; return e }(), options(signer), ErrMissingExpectation},
		"bad level":         {func() Expectations { e := expectations(); e.MinBuildLevel = 4; return e }(), options(signer), ErrMissingExpectation},
		"signerless root":   {expectations(), Options{TrustRoot: []TrustedBuilder{{ID: testBuilder, MaxLevel: 3}}, Now: finishedOn}, ErrUntrustedBuilder},
		"empty trust entry": {expectations(), Options{TrustRoot: []TrustedBuilder{{Signers: []SignerRule{SignedBy(signer.PublicKey())}, MaxLevel: 3}}, Now: finishedOn}, ErrUntrustedBuilder},
	} {
		if _, err := Check(att, tc.exp, tc.opts); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	// An unknown buildType cannot have its source located: it fails, never passes.
	p := sample()
	p.BuildDefinition.BuildType = "https://example.com/unknown/v1"
	vs2, _ := buildtrust.VerifyStatement(signed(t, signer, p), buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{signer.PublicKey()}})
	exp := expectations()
	exp.BuildTypes = nil
	if _, err := Check(FromVerified(vs2), exp, options(signer)); !errors.Is(err, ErrNotLocated) || !errors.Is(err, threat.D1) {
		t.Fatalf("unknown buildType: %v", err)
	}
	// …until the caller describes it with a Profile.
	opts := options(signer)
	opts.Profiles = []Profile{{BuildTypes: []string{p.BuildDefinition.BuildType},
		Source: []string{"/buildDefinition/externalParameters/workflow/repository"}, Ref: []string{"/buildDefinition/externalParameters/workflow/ref"},
		ConfigPath: []string{"/buildDefinition/externalParameters/workflow/path"}, Covers: []string{"/workflow"}}}
	if res, err := Check(FromVerified(vs2), exp, opts); err != nil {
		t.Fatalf("custom profile: %v\n%+v", err, res.Checks)
	}
}

func TestTimeChecks(t *testing.T) {
	signer := newKey(t)
	for name, tc := range map[string]struct {
		mutate func(*Provenance, *Expectations, *Options)
		ok     bool
	}{
		"in window": {func(_ *Provenance, e *Expectations, _ *Options) {
			e.NotBefore, e.NotAfter = startedOn.Add(-time.Hour), finishedOn.Add(time.Hour)
		}, true},
		"after window":  {func(_ *Provenance, e *Expectations, _ *Options) { e.NotAfter = startedOn }, false},
		"before window": {func(_ *Provenance, e *Expectations, _ *Options) { e.NotBefore = finishedOn.Add(time.Second) }, false},
		"finished first": {func(p *Provenance, _ *Expectations, _ *Options) {
			early := startedOn.Add(-time.Hour)
			p.RunDetails.Metadata.FinishedOn = &early
		}, false},
		"from the future":   {func(_ *Provenance, _ *Expectations, o *Options) { o.Now = startedOn.Add(-time.Hour) }, false},
		"no times, windows": {func(p *Provenance, e *Expectations, _ *Options) { p.RunDetails.Metadata = nil; e.NotAfter = finishedOn }, false},
		"no times":          {func(p *Provenance, _ *Expectations, _ *Options) { p.RunDetails.Metadata = nil }, true},
	} {
		p, e, o := sample(), expectations(), options(signer)
		tc.mutate(&p, &e, &o)
		_, err := Verify(signed(t, signer, p), e, o)
		if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, ErrTime) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestVersionedTagsAndRefs(t *testing.T) {
	for _, tc := range []struct {
		want, got string
		ok        bool
	}{
		{"v13.0.30", "v13.0.30", true}, {"v13.0", "v13.0.30", true}, {"v13", "v13.0.30", true},
		{"v13.0.29", "v13.0.30", false}, {"v13.1", "v13.0.30", false}, {"v2", "v13.0.30", false}, {"v12.9", "v13.0.30", false},
		{"v14", "v14", true}, {"v14.0", "v14", true}, {"v14.1", "v14", false}, {"v14.2", "v14.2", true}, {"v14.2.1", "v14.2", false},
		{"v1.2.3-rc.1", "v1.2.3-rc.1", true}, {"v1.2.3", "v1.2.3-rc.1", false}, {"v1.2", "v1.2.0+build5", true},
		{"1.2.3", "v1.2.3", false}, {"v01", "v1", false},
	} {
		want, wok := parseSemver(tc.want)
		got, gok := parseSemver(tc.got)
		if ok := wok && gok && want.matchesVersionPrefix(got); ok != tc.ok {
			t.Errorf("%s ~ %s = %v, want %v", tc.want, tc.got, ok, tc.ok)
		}
	}
	for _, tc := range []struct {
		v, rng string
		ok     bool
	}{
		{"v1.9.0", ">=v1.7.0, <v3", true}, {"v3.0.0", ">=v1.7.0, <v3", false}, {"v1.2.0", ">=v1.7.0", false},
		{"v2.0.0-rc.1", ">=v2.0.0", false}, {"v2.0.0", "=v2.0.0", true}, {"v2.0.0", "v2.0.0", true}, {"v2.0.0", "~v2", false}, {"v2.0.0", "", false},
	} {
		v, _ := parseSemver(tc.v)
		if got := satisfiesRange(v, tc.rng); got != tc.ok {
			t.Errorf("%s in %q = %v", tc.v, tc.rng, got)
		}
	}
	for in, want := range map[string]string{
		"git+https://github.com/Org/repo@refs/heads/main":   "github.com/Org/repo",
		"https://GitHub.com/Org/repo.git":                   "github.com/Org/repo",
		"https://github.com/org/repo/commit/abc":            "github.com/org/repo",
		"git+ssh://git@github.com/org/repo":                 "github.com/org/repo",
		"https://user@example.com/a/b@v1.2.3":               "example.com/a/b",
		"github.com/org/repo":                               "github.com/org/repo",
		"git+http://github.com/org/repo":                    "http://github.com/org/repo",
		"git+https://android.googlesource.com/platform/x@x": "android.googlesource.com/platform/x",
	} {
		if got := CanonicalRepository(in); got != want {
			t.Errorf("CanonicalRepository(%q) = %q, want %q", in, got, want)
		}
	}
	for accepted, got := range map[string]string{testBuilder: testBuilder + "@refs/tags/v1.0.0", testBuilder + "@v1.0.0": testBuilder + "@refs/tags/v1.0.0", testBuilder + "@refs/tags/v1.0.0": testBuilder + "@v1.0.0"} {
		if !builderMatches(accepted, got) {
			t.Errorf("builder %s should accept %s", accepted, got)
		}
	}
	if builderMatches(testBuilder+"@v1.0.0", testBuilder) || builderMatches(testBuilder, testBuilder+"x@v1") {
		t.Error("builder matching too loose")
	}
}

// Attestation.Parsed spares a second parse of the same statement and
// changes nothing; a Parsed of another statement is ignored, never
// checked in its place.
func TestCheckReusesParseOfTheSameStatementOnly(t *testing.T) {
	signer := newKey(t)
	verified := func(p Provenance) *buildtrust.VerifiedStatement {
		vs, err := buildtrust.VerifyStatement(signed(t, signer, p), buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{signer.PublicKey()}})
		if err != nil {
			t.Fatal(err)
		}
		return vs
	}
	good := verified(sample())
	evil := sample()
	evil.BuildDefinition.ExternalParameters["workflow"].(map[string]any)["repository"] = "https://github.com/evil0/app"
	bad := verified(evil)

	want, err := Check(FromVerified(good), expectations(), options(signer))
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := Parse(good.Statement)
	if err != nil {
		t.Fatal(err)
	}
	att := FromVerified(good)
	att.Parsed = parsed
	got, err := Check(att, expectations(), options(signer))
	if err != nil || got.Provenance != parsed || !reflect.DeepEqual(got.Checks, want.Checks) {
		t.Fatalf("with Parsed: %v, reused=%v, checks equal=%v", err, got != nil && got.Provenance == parsed, got != nil && reflect.DeepEqual(got.Checks, want.Checks))
	}
	// The good statement's parse offered with the evil statement: the
	// evil statement is parsed and fails the source check.
	att = FromVerified(bad)
	att.Parsed = parsed
	if res, err := Check(att, expectations(), options(signer)); !errors.Is(err, ErrMismatch) || res.Provenance == parsed {
		t.Fatalf("another statement's parse was used: %v", err)
	}
	// A parse equal in value but of another Statement value is not reused.
	copyOfGood := *good.Statement
	att = FromVerified(good)
	att.Statement, att.Parsed = &copyOfGood, parsed
	if res, err := Check(att, expectations(), options(signer)); err != nil || res.Provenance == parsed {
		t.Fatalf("parse of another Statement value reused: %v", err)
	}
}
