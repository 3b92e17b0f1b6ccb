package provenance

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/threat"
)

// Sentinel errors of Check. Each failed check also unwraps to the threats it
// guards (see CheckIDs).
var (
	// ErrNoTrustRoot: Options.TrustRoot is empty. Nothing is trusted by default.
	ErrNoTrustRoot = errors.New("provenance: no trust root")
	// ErrMissingExpectation: a required expectation is unset (artifact
	// digest, builder IDs, source repository) and its Insecure… opt-out is not.
	ErrMissingExpectation = errors.New("provenance: missing required expectation")
	// ErrMismatch: a provenance claim differs from the expectation.
	ErrMismatch = errors.New("provenance: claim does not match expectation")
	// ErrUntrustedBuilder: no trust-root entry accepts this (signer, builder) pair.
	ErrUntrustedBuilder = errors.New("provenance: untrusted (signer, builder) pair")
	// ErrUnknownParameter: an externalParameters entry no rule accounts for (PROV-VER-6).
	ErrUnknownParameter = errors.New("provenance: unexpected external parameter")
	// ErrLevel: the trust root grants a lower Build level than required.
	ErrLevel = errors.New("provenance: build level below requirement")
	// ErrNotLocated: the profile of this buildType does not say where a
	// checked fact is, or the provenance does not contain it.
	ErrNotLocated = errors.New("provenance: claim not found in provenance")
	// ErrTime: build timestamps are inconsistent or outside the window.
	ErrTime = errors.New("provenance: build time check failed")
)

// Check IDs, each with the threats it guards (REQUIREMENTS.md §6.1).
const (
	CheckPredicateType = "provenance.predicateType" // PROV-VER-4
	CheckSubject       = "provenance.subject"       // PROV-VER-3: F3, G5
	CheckBuilderID     = "provenance.builder.id"    // PROV-VER-6: F1, G1
	CheckBuilderSigner = "provenance.builder.signer"
	CheckLevel         = "provenance.level"         // PROV-VER-5
	CheckBuildType     = "provenance.buildType"     // D3
	CheckConfigPath    = "provenance.configPath"    // D3
	CheckSourceRepo    = "provenance.source.repo"   // D1, D5
	CheckSourceRef     = "provenance.source.ref"    // D2
	CheckSourceCommit  = "provenance.source.commit" // D2
	CheckParameters    = "provenance.parameters"    // D4, E3
	CheckDependencies  = "provenance.dependencies"  // PROV-VER-7: DEP-2, DEP-3
	CheckTime          = "provenance.time"
)

var checkThreats = map[string][]threat.ID{
	CheckPredicateType: {threat.F2},
	CheckSubject:       {threat.F3, threat.G5},
	CheckBuilderID:     {threat.F1, threat.G1},
	CheckBuilderSigner: {threat.F1, threat.F4, threat.G6},
	CheckBuildType:     {threat.D3},
	CheckConfigPath:    {threat.D3},
	CheckSourceRepo:    {threat.D1, threat.D5},
	CheckSourceRef:     {threat.D2},
	CheckSourceCommit:  {threat.D2},
	CheckParameters:    {threat.D4, threat.E3},
	CheckDependencies:  {threat.DEP_2, threat.DEP_3},
}

// Identity is who signed a statement, as established by a signature
// verifier: Kind "key" with the buildtrust.PublicKey ID, or another kind
// (such as a Sigstore certificate identity) from another verifier.
type Identity struct {
	Kind string
	ID   string
}

// KeyIdentity is the Identity of a trusted key.
func KeyIdentity(k *buildtrust.PublicKey) Identity { return Identity{Kind: "key", ID: k.ID()} }

// SignerRule decides whether a verified signer may sign for a builder
// (PROV-9). Key rules come from SignedBy; other verifiers (the sigstore
// module's certificate identities) implement it for their own kinds.
type SignerRule interface {
	AcceptsSigner(Identity) bool
}

// KeyRule is a SignerRule for a set of keys. Verify uses its keys to check
// the envelope signature.
type KeyRule struct{ keys []*buildtrust.PublicKey }

// SignedBy accepts signatures by any of the keys.
func SignedBy(keys ...*buildtrust.PublicKey) KeyRule { return KeyRule{keys: slices.Clone(keys)} }

// AcceptsSigner implements SignerRule.
func (r KeyRule) AcceptsSigner(id Identity) bool {
	return id.Kind == "key" && slices.ContainsFunc(r.keys, func(k *buildtrust.PublicKey) bool { return k != nil && k.ID() == id.ID })
}

// Keys returns the rule's keys.
func (r KeyRule) Keys() []*buildtrust.PublicKey { return slices.Clone(r.keys) }

// TrustedBuilder is one root of trust (PROV-VER-1): a builder, the signers
// allowed to sign its provenance, and the highest Build level that pair can
// earn.
type TrustedBuilder struct {
	// ID is matched like Expectations.BuilderIDs: "…/builder.yml" trusts every
	// version, "…/builder.yml@v1.9.0" only that one.
	ID string
	// Signers are the identities allowed to sign for the builder. Required:
	// an entry without signers trusts nobody.
	Signers []SignerRule
	// MaxLevel is the Build level (0–3) provenance from this pair earns.
	MaxLevel int
}

// Attestation is a provenance statement whose signature was verified, and
// who signed it. Check trusts both fields: build it from a verifier
// (FromVerified, or the sigstore module), never from unverified input.
type Attestation struct {
	Statement *buildtrust.Statement
	Signers   []Identity
	// Parsed optionally carries what Parse returned for this very
	// Statement (the same pointer), for a caller that checks one statement
	// again and again (a build image's provenance, in every build on it):
	// Check then does not parse it again. A Parsed of any other statement
	// is ignored. Check does not modify it.
	Parsed *Parsed
}

// FromVerified builds the Attestation of a DSSE-verified statement.
func FromVerified(vs *buildtrust.VerifiedStatement) Attestation {
	a := Attestation{Statement: vs.Statement}
	for _, k := range vs.Signers {
		a.Signers = append(a.Signers, KeyIdentity(k))
	}
	return a
}

// ParameterRule constrains one external parameter: its value must equal one
// of Values, compared as JSON (so 123 and json.Number("123") are equal, and
// "123" is not).
type ParameterRule struct {
	Values []any
}

// DependencyRule constrains the resolvedDependencies whose uri matches URI
// (PROV-VER-7): each must carry a digest, under the Expectations'
// DigestPolicy, that matches one of Digests; with Required at least one
// must be listed. Pinning the build's tools and fetched inputs this way
// stops a build that used other ones (THREAT-DEP-2, THREAT-DEP-3) — as far
// as the builder records them truthfully, which Build L3 is about.
type DependencyRule struct {
	// URI is the dependency's uri, exactly, or a prefix when it ends in
	// "*" ("https://go.dev/dl/*"). Required.
	URI string
	// Digests are the accepted digest sets; empty: any dependency at URI
	// is accepted as long as it has a collision-resistant digest.
	Digests []buildtrust.DigestSet
	// Required fails the check when no dependency matches URI.
	Required bool
}

func (d DependencyRule) matches(uri string) bool {
	if prefix, ok := strings.CutSuffix(d.URI, "*"); ok {
		return strings.HasPrefix(uri, prefix)
	}
	return uri == d.URI
}

// Expectations are what the consumer expects of an artifact's provenance
// (PROV-VER-6). A zero optional field means "not checked" and is reported
// NOT_APPLICABLE; required fields fail closed when unset.
type Expectations struct {
	// Artifact is the artifact's digest set. Required unless
	// InsecureSkipSubject.
	Artifact     buildtrust.DigestSet
	DigestPolicy buildtrust.DigestPolicy

	// BuilderIDs are the accepted builder.id values. Required. An entry
	// without a version accepts every version of that builder;
	// "…@v1.9.0" or "…@refs/tags/v1.9.0" accept that version only.
	BuilderIDs []string
	// BuilderVersions, when set, is a semver range the builder's version
	// must satisfy, e.g. ">=v1.7.0, <v3". A builder without a version fails.
	BuilderVersions string

	// SourceRepository is the canonical source repository, e.g.
	// "github.com/org/repo" (any URI form is canonicalized). Required unless
	// InsecureSkipSource.
	SourceRepository string
	// SourceBranch, SourceTag: exact branch or tag name ("main", "v1.2.3").
	SourceBranch string
	SourceTag    string
	// SourceVersionedTag: a semver the source tag must match at the given
	// precision: "v1.2" accepts tags v1.2 and v1.2.x; "v1.2.3" exactly v1.2.3.
	SourceVersionedTag string
	// SourceCommit: the full hex commit.
	SourceCommit string
	// ConfigPath: the build configuration (workflow path, entry point).
	ConfigPath string

	// BuildTypes are the accepted buildType URIs.
	BuildTypes []string

	// Parameters constrain externalParameters by JSON Pointer relative to
	// externalParameters (e.g. "/inputs/release"). IgnoreParameters are
	// pointers whose subtrees are not checked. Any other parameter fails
	// the check (PROV-VER-6) unless InsecureAllowUnknownParameters.
	Parameters       map[string]ParameterRule
	IgnoreParameters []string

	// Dependencies constrain resolvedDependencies (PROV-VER-7); empty: not
	// checked. Dependencies no rule matches are not constrained.
	Dependencies []DependencyRule

	// NotBefore and NotAfter bound startedOn and finishedOn; zero: unbounded.
	NotBefore, NotAfter time.Time

	// MinBuildLevel is the Build level the trust root must grant (0–3).
	MinBuildLevel int

	// InsecureSkipSubject does not bind the provenance to an artifact: any
	// artifact could then pass as the one built (THREAT-F3).
	InsecureSkipSubject bool
	// InsecureSkipSource does not check the source repository: a build from
	// a fork would pass (THREAT-D1).
	InsecureSkipSource bool
	// InsecureAllowUnknownParameters accepts parameters no rule mentions: an
	// attacker-chosen input could change the build (THREAT-D4).
	InsecureAllowUnknownParameters bool
}

// Options configure Check.
type Options struct {
	// TrustRoot lists the trusted (signer, builder) pairs. Required.
	TrustRoot []TrustedBuilder
	// Profiles describe buildTypes this package does not know; they are
	// consulted before the built-in ones.
	Profiles []Profile
	// Now is the verification time for timestamp sanity. Zero means
	// time.Now().
	Now time.Time
}

// maxClockSkew is how far in the future a build may claim to have run.
const maxClockSkew = 5 * time.Minute

// Result lists every check Check ran, passed, failed or not applicable,
// with the provenance as normalized and the Build level granted.
type Result struct {
	Provenance *Parsed
	// Subjects are the statement's subjects matching the artifact.
	Subjects []buildtrust.ResourceDescriptor
	// BuildLevel is the level granted by the trust root for the signer and
	// builder (PROV-VER-5); 0 when untrusted.
	BuildLevel int
	Checks     []buildtrust.Check
	errs       []error
}

// Err returns the failed checks joined (nil when all passed). Each is a
// *buildtrust.CheckError naming its check and threats.
func (r *Result) Err() error { return errors.Join(r.errs...) }

// Passed reports whether no check failed.
func (r *Result) Passed() bool { return len(r.errs) == 0 }

func (r *Result) pass(id, expected, actual string) {
	r.Checks = append(r.Checks, buildtrust.Check{ID: id, Threats: checkThreats[id], Outcome: buildtrust.Pass, Expected: expected, Actual: actual})
}

func (r *Result) skip(id, why string) {
	r.Checks = append(r.Checks, buildtrust.Check{ID: id, Threats: checkThreats[id], Outcome: buildtrust.NotApplicable, Message: why})
}

func (r *Result) fail(id string, threats []threat.ID, sentinel error, expected, actual, msg string) {
	if threats == nil {
		threats = checkThreats[id]
	}
	r.Checks = append(r.Checks, buildtrust.Check{ID: id, Threats: threats, Outcome: buildtrust.Fail, Expected: expected, Actual: actual, Message: msg})
	r.errs = append(r.errs, &buildtrust.CheckError{Check: id, Threats: threats,
		Err: fmt.Errorf("%w: %s (expected %q, got %q)", sentinel, msg, expected, actual)})
}

// Check compares a verified provenance attestation with the expectations and
// the trust root, running every check and recording each in the Result.
// The error is nil when all checks passed, otherwise the joined failures
// (errors.Is works for the sentinels and for the threat IDs). A non-nil
// Result is returned whenever the input could be parsed, so that callers can
// show why it was rejected.
func Check(att Attestation, exp Expectations, opts Options) (*Result, error) {
	if len(opts.TrustRoot) == 0 {
		return nil, ErrNoTrustRoot
	}
	switch {
	case len(exp.BuilderIDs) == 0:
		return nil, fmt.Errorf("%w: BuilderIDs", ErrMissingExpectation)
	case len(exp.Artifact) == 0 && !exp.InsecureSkipSubject:
		return nil, fmt.Errorf("%w: Artifact (or InsecureSkipSubject)", ErrMissingExpectation)
	case exp.SourceRepository == "" && !exp.InsecureSkipSource:
		return nil, fmt.Errorf("%w: SourceRepository (or InsecureSkipSource)", ErrMissingExpectation)
	case exp.MinBuildLevel < 0 || exp.MinBuildLevel > 3:
		return nil, fmt.Errorf("%w: MinBuildLevel %d is not 0–3", ErrMissingExpectation, exp.MinBuildLevel)
	}
	if att.Statement == nil {
		return nil, fmt.Errorf("%w: nil statement", ErrMalformed)
	}
	r := &Result{Checks: make([]buildtrust.Check, 0, 16)} // a full check records about 13
	st := att.Statement
	if st.PredicateType != PredicateTypeV1 && st.PredicateType != PredicateTypeV02 && st.PredicateType != PredicateTypeV01 {
		r.fail(CheckPredicateType, nil, ErrPredicateType, PredicateTypeV1, st.PredicateType, "not SLSA provenance")
		return r, r.Err()
	}
	p := att.Parsed
	if p == nil || p.from != st {
		var err error
		if p, err = Parse(st); err != nil {
			return nil, err
		}
	}
	r.Provenance = p
	r.pass(CheckPredicateType, PredicateTypeV1, st.PredicateType)

	checkSubject(r, st, exp)
	checkBuilder(r, p, att, exp, opts)
	checkBuildType(r, p, exp)
	prof, known := profileFor(p, opts.Profiles)
	checkSource(r, p, prof, known, exp)
	checkParameters(r, p, prof, exp)
	checkDependencies(r, p, exp)
	checkTime(r, p, exp, opts)
	return r, r.Err()
}

func checkSubject(r *Result, st *buildtrust.Statement, exp Expectations) {
	if exp.InsecureSkipSubject {
		r.skip(CheckSubject, "InsecureSkipSubject")
		return
	}
	subjects, err := st.MatchSubjects(exp.Artifact, exp.DigestPolicy)
	if err != nil {
		threats, cause := checkThreats[CheckSubject], err
		var ce *buildtrust.CheckError
		if errors.As(err, &ce) {
			threats, cause = ce.Threats, ce.Err
		}
		r.fail(CheckSubject, threats, cause, digestString(exp.Artifact), fmt.Sprintf("%d subjects", len(st.Subject)), "no subject matches the artifact")
		return
	}
	r.Subjects = subjects
	r.pass(CheckSubject, digestString(exp.Artifact), subjects[0].Name)
}

func digestString(d buildtrust.DigestSet) string {
	for _, alg := range []string{buildtrust.SHA256, buildtrust.SHA512} {
		if v, ok := d[alg]; ok {
			return alg + ":" + v
		}
	}
	parts := make([]string, 0, len(d))
	for alg, v := range d {
		parts = append(parts, alg+":"+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// builderMatches reports whether a provenance builder.id satisfies an
// accepted entry ("X" any version, "X@v" that version).
func builderMatches(accepted, got string) bool {
	wantBase, wantVersion := splitBuilderID(accepted)
	gotBase, gotVersion := splitBuilderID(got)
	return wantBase == gotBase && (wantVersion == "" || wantVersion == gotVersion)
}

func checkBuilder(r *Result, p *Parsed, att Attestation, exp Expectations, opts Options) {
	got := p.RunDetails.Builder.ID
	accepted := strings.Join(exp.BuilderIDs, " | ")
	idOK := slices.ContainsFunc(exp.BuilderIDs, func(a string) bool { return builderMatches(a, got) })
	if idOK && exp.BuilderVersions != "" {
		_, version := splitBuilderID(got)
		v, ok := parseSemver(version)
		idOK = ok && satisfiesRange(v, exp.BuilderVersions)
		accepted += " with version " + exp.BuilderVersions
	}
	if idOK {
		r.pass(CheckBuilderID, accepted, got)
	} else {
		r.fail(CheckBuilderID, nil, ErrMismatch, accepted, got, "builder not accepted")
	}

	// The (signer, builder) pair must be in the trust root (PROV-9); the
	// level is the best such entry grants (PROV-VER-5).
	level, trusted := -1, false
	for _, tb := range opts.TrustRoot {
		if tb.ID == "" || !builderMatches(tb.ID, got) {
			continue
		}
		for _, rule := range tb.Signers {
			if rule != nil && slices.ContainsFunc(att.Signers, rule.AcceptsSigner) {
				trusted = true
				level = max(level, min(tb.MaxLevel, 3))
			}
		}
	}
	signers := make([]string, len(att.Signers))
	for i, s := range att.Signers {
		signers[i] = s.Kind + ":" + s.ID
	}
	if trusted {
		r.BuildLevel = max(level, 0)
		r.pass(CheckBuilderSigner, "a trust-root signer for "+got, strings.Join(signers, ","))
	} else {
		r.fail(CheckBuilderSigner, nil, ErrUntrustedBuilder, "a trust-root signer for "+got, strings.Join(signers, ","), "no trust-root entry lets these signers sign for this builder")
	}

	want := exp.MinBuildLevel
	if want == 0 {
		r.pass(CheckLevel, "L0", fmt.Sprintf("L%d", r.BuildLevel))
		return
	}
	if r.BuildLevel >= want {
		r.Checks = append(r.Checks, buildtrust.Check{ID: CheckLevel, Threats: levelThreats(want), Outcome: buildtrust.Pass,
			Expected: fmt.Sprintf("≥ L%d", want), Actual: fmt.Sprintf("L%d", r.BuildLevel)})
		return
	}
	r.fail(CheckLevel, levelThreats(want), ErrLevel, fmt.Sprintf("≥ L%d", want), fmt.Sprintf("L%d", r.BuildLevel), "trust root grants a lower Build level")
}

// levelThreats are the catalog threats addressed at Build levels up to n.
func levelThreats(n int) []threat.ID { return slices.Clone(buildLevelThreats()[n]) }

var buildLevelThreats = sync.OnceValue(func() [4][]threat.ID {
	var out [4][]threat.ID
	for n, l := range []threat.Level{threat.BuildL1, threat.BuildL2, threat.BuildL3} {
		out[n+1] = slices.Clone(out[n])
		for _, t := range threat.ByLevel(l) {
			out[n+1] = append(out[n+1], t.ID)
		}
	}
	return out
})

func checkBuildType(r *Result, p *Parsed, exp Expectations) {
	got := p.BuildDefinition.BuildType
	switch {
	case len(exp.BuildTypes) == 0:
		r.skip(CheckBuildType, "no expected buildType")
	case slices.Contains(exp.BuildTypes, got):
		r.pass(CheckBuildType, strings.Join(exp.BuildTypes, " | "), got)
	default:
		r.fail(CheckBuildType, nil, ErrMismatch, strings.Join(exp.BuildTypes, " | "), got, "buildType not accepted")
	}
}

func checkSource(r *Result, p *Parsed, prof Profile, known bool, exp Expectations) {
	if !known {
		// Fail closed: every expected source fact is unverifiable.
		const why = "no profile says where this buildType records its source; add one to Options.Profiles"
		bt := p.BuildDefinition.BuildType
		for _, c := range []struct {
			id     string
			wanted bool
		}{
			{CheckSourceRepo, !exp.InsecureSkipSource},
			{CheckSourceRef, exp.SourceBranch != "" || exp.SourceTag != "" || exp.SourceVersionedTag != ""},
			{CheckSourceCommit, exp.SourceCommit != ""},
			{CheckConfigPath, exp.ConfigPath != ""},
		} {
			if c.wanted {
				r.fail(c.id, nil, ErrNotLocated, "a profile for the buildType", bt, why)
			} else {
				r.skip(c.id, "not expected")
			}
		}
		return
	}
	sourceURI := p.firstString(prof.Source)
	repo, want := CanonicalRepository(sourceURI), canonicalLocation(exp.SourceRepository)
	switch {
	case exp.InsecureSkipSource:
		r.skip(CheckSourceRepo, "InsecureSkipSource")
	case sourceURI == "":
		r.fail(CheckSourceRepo, nil, ErrNotLocated, want, "", "provenance records no source")
	case repo == want:
		r.pass(CheckSourceRepo, want, repo)
	default:
		r.fail(CheckSourceRepo, nil, ErrMismatch, want, repo, "source repository differs")
	}

	ref := p.firstString(prof.Ref)
	if _, fromURI := splitRef(sourceURI); ref == "" && strings.HasPrefix(fromURI, "refs/") {
		ref = fromURI
	}
	if name := p.firstString(prof.Tag); ref == "" && name != "" {
		ref = refTag + name
	}
	if name := p.firstString(prof.Branch); ref == "" && name != "" {
		ref = refBranch + name
	}
	checkRef(r, ref, exp)

	if exp.SourceCommit == "" {
		r.skip(CheckSourceCommit, "no expected commit")
	} else {
		commit := p.firstString(prof.Commit)
		if commit == "" {
			commit = commitOf(sourceURI)
		}
		if commit == "" {
			commit = dependencyCommit(p, repo)
		}
		if strings.EqualFold(commit, exp.SourceCommit) && commit != "" {
			r.pass(CheckSourceCommit, exp.SourceCommit, commit)
		} else {
			r.fail(CheckSourceCommit, nil, ErrMismatch, exp.SourceCommit, commit, "source commit differs")
		}
	}

	if exp.ConfigPath == "" {
		r.skip(CheckConfigPath, "no expected build configuration")
	} else if got := p.firstString(prof.ConfigPath); got == exp.ConfigPath {
		r.pass(CheckConfigPath, exp.ConfigPath, got)
	} else {
		r.fail(CheckConfigPath, nil, ErrMismatch, exp.ConfigPath, got, "build configuration differs")
	}
}

// checkRef applies the branch, tag and versioned-tag expectations to a git
// ref such as "refs/heads/main" or "refs/tags/v1.2.3".
func checkRef(r *Result, ref string, exp Expectations) {
	if exp.SourceBranch == "" && exp.SourceTag == "" && exp.SourceVersionedTag == "" {
		r.skip(CheckSourceRef, "no expected branch or tag")
		return
	}
	branch, isBranch := strings.CutPrefix(ref, refBranch)
	tag, isTag := strings.CutPrefix(ref, refTag)
	if exp.SourceBranch != "" {
		if isBranch && branch == exp.SourceBranch {
			r.pass(CheckSourceRef, refBranch+exp.SourceBranch, ref)
		} else {
			r.fail(CheckSourceRef, nil, ErrMismatch, refBranch+exp.SourceBranch, ref, "source branch differs")
		}
	}
	if exp.SourceTag != "" {
		if isTag && tag == exp.SourceTag {
			r.pass(CheckSourceRef, refTag+exp.SourceTag, ref)
		} else {
			r.fail(CheckSourceRef, nil, ErrMismatch, refTag+exp.SourceTag, ref, "source tag differs")
		}
	}
	if exp.SourceVersionedTag != "" {
		want, wantOK := parseSemver(exp.SourceVersionedTag)
		got, gotOK := parseSemver(tag)
		if wantOK && isTag && gotOK && want.matchesVersionPrefix(got) {
			r.pass(CheckSourceRef, refTag+exp.SourceVersionedTag+" (semver)", ref)
		} else {
			r.fail(CheckSourceRef, nil, ErrMismatch, refTag+exp.SourceVersionedTag+" (semver)", ref, "source versioned tag differs")
		}
	}
}

// dependencyCommit finds the commit of the resolved dependency that is the
// source repository.
func dependencyCommit(p *Parsed, repo string) string {
	for _, rd := range p.BuildDefinition.ResolvedDependencies {
		if repo == "" || CanonicalRepository(rd.URI) != repo {
			continue
		}
		for _, alg := range []string{buildtrust.GitCommit, "sha1"} {
			if v := rd.Digest[alg]; v != "" {
				return v
			}
		}
	}
	return ""
}

// checkDependencies applies the dependency rules: every resolved
// dependency a rule matches must carry an accepted digest, and required
// ones must be there (PROV-VER-7).
func checkDependencies(r *Result, p *Parsed, exp Expectations) {
	if len(exp.Dependencies) == 0 {
		r.skip(CheckDependencies, "no dependency expectations")
		return
	}
	matched := 0
	for _, rule := range exp.Dependencies {
		found := false
		for _, rd := range p.BuildDefinition.ResolvedDependencies {
			if !rule.matches(rd.URI) {
				continue
			}
			found = true
			if len(rd.Digest) == 0 {
				r.fail(CheckDependencies, nil, ErrMismatch, "a digest", "none", fmt.Sprintf("dependency %s has no digest to pin it by", rd.URI))
				return
			}
			ok := len(rule.Digests) == 0 && exp.DigestPolicy.Match(rd.Digest, rd.Digest) == nil
			for _, want := range rule.Digests {
				ok = ok || exp.DigestPolicy.Match(rd.Digest, want) == nil
			}
			if !ok {
				r.fail(CheckDependencies, nil, ErrMismatch, digestSetsText(rule.Digests), rd.Digest.String(),
					fmt.Sprintf("dependency %s is not one the policy pins for %s", rd.URI, rule.URI))
				return
			}
			matched++
		}
		if !found && rule.Required {
			r.fail(CheckDependencies, nil, ErrMismatch, rule.URI, "absent", "a required dependency is not among resolvedDependencies")
			return
		}
	}
	r.pass(CheckDependencies, fmt.Sprintf("%d rules", len(exp.Dependencies)), fmt.Sprintf("%d dependencies pinned", matched))
}

func digestSetsText(ds []buildtrust.DigestSet) string {
	if len(ds) == 0 {
		return "any collision-resistant digest"
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return "one of " + strings.Join(parts, " | ")
}

// checkParameters applies the parameter rules, then rejects every leaf of
// externalParameters that no rule, ignore entry or profile accounts for
// (PROV-VER-6, THREAT-D4).
func checkParameters(r *Result, p *Parsed, prof Profile, exp Expectations) {
	ext := p.BuildDefinition.ExternalParameters
	pointers := make([]string, 0, len(exp.Parameters))
	for ptr := range exp.Parameters {
		pointers = append(pointers, ptr)
	}
	sort.Strings(pointers)
	failed := false
	for _, ptr := range pointers {
		rule := exp.Parameters[ptr]
		tokens, ok := splitPointer(ptr)
		got, present := walk(map[string]any(ext), tokens)
		want := make([]string, len(rule.Values))
		for i, v := range rule.Values {
			want[i] = canonicalValue(v)
		}
		gotText := "<absent>"
		if present {
			gotText = canonicalValue(got)
		}
		if ok && present && slices.Contains(want, gotText) {
			continue
		}
		failed = true
		r.fail(CheckParameters, nil, ErrMismatch, ptr+" = "+strings.Join(want, " | "), gotText, "external parameter "+ptr+" differs")
	}
	if !exp.InsecureAllowUnknownParameters {
		covered := append(append(append([]string{}, pointers...), exp.IgnoreParameters...), prof.Covers...)
		for _, leafPtr := range parameterLeaves(ext) {
			if !slices.ContainsFunc(covered, func(c string) bool { return leafPtr == c || strings.HasPrefix(leafPtr, c+"/") || c == "" }) {
				failed = true
				got, _ := walk(map[string]any(ext), mustTokens(leafPtr))
				r.fail(CheckParameters, nil, ErrUnknownParameter, "no parameter at "+leafPtr, canonicalValue(got), "unexpected external parameter "+leafPtr)
			}
		}
	}
	if !failed {
		r.pass(CheckParameters, fmt.Sprintf("%d rules, unknown parameters rejected: %t", len(pointers), !exp.InsecureAllowUnknownParameters), fmt.Sprintf("%d parameters", len(ext)))
	}
}

func mustTokens(ptr string) []string {
	t, _ := splitPointer(ptr)
	return t
}

// parameterLeaves lists the JSON Pointers of the leaves of v (objects are
// descended; arrays, scalars and empty objects are leaves), sorted, bounded
// by MaxParameterLeaves.
func parameterLeaves(v map[string]any) []string {
	var out []string
	var rec func(prefix string, node any)
	rec = func(prefix string, node any) {
		if len(out) >= limits.MaxParameterLeaves {
			return
		}
		if m, ok := node.(map[string]any); ok && (len(m) > 0 || prefix == "") {
			for k, child := range m {
				rec(prefix+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), child)
			}
			return
		}
		out = append(out, prefix)
	}
	rec("", v)
	sort.Strings(out)
	return out
}

func checkTime(r *Result, p *Parsed, exp Expectations, opts Options) {
	md := p.RunDetails.Metadata
	windowed := !exp.NotBefore.IsZero() || !exp.NotAfter.IsZero()
	if md == nil || (md.StartedOn == nil && md.FinishedOn == nil) {
		if windowed {
			r.fail(CheckTime, nil, ErrTime, "build time in window", "", "provenance records no build time")
		} else {
			r.skip(CheckTime, "provenance records no build time")
		}
		return
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	var problems []string
	if md.StartedOn != nil && md.FinishedOn != nil && md.FinishedOn.Before(*md.StartedOn) {
		problems = append(problems, "finishedOn before startedOn")
	}
	for _, t := range []*time.Time{md.StartedOn, md.FinishedOn} {
		switch {
		case t == nil:
		case t.After(now.Add(maxClockSkew)):
			problems = append(problems, "timestamp in the future: "+t.Format(time.RFC3339))
		case !exp.NotBefore.IsZero() && t.Before(exp.NotBefore):
			problems = append(problems, "before "+exp.NotBefore.Format(time.RFC3339))
		case !exp.NotAfter.IsZero() && t.After(exp.NotAfter):
			problems = append(problems, "after "+exp.NotAfter.Format(time.RFC3339))
		}
	}
	actual := ""
	if md.FinishedOn != nil {
		actual = md.FinishedOn.Format(time.RFC3339)
	}
	if len(problems) > 0 {
		r.fail(CheckTime, nil, ErrTime, "consistent timestamps in window", actual, strings.Join(problems, "; "))
		return
	}
	r.pass(CheckTime, "consistent timestamps in window", actual)
}
