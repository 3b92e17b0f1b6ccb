package policy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/vsa"
)

// ErrInput: the evaluation input is unusable (no artifact digest, no time,
// too many inputs). Evaluate returns it as an error, not as a FAILED
// Result: nothing was evaluated.
var ErrInput = errors.New("policy: unusable evaluation input")

// Input is what a caller hands to Evaluate: the artifact (by digest), the
// attestations and the evidence that came with it. Everything in it is
// untrusted. Evaluate reads its byte slices while it runs and keeps none
// of them (what a Result or the Policy's caches hold is copied): they must
// not change until Evaluate returns, and may be reused after.
type Input struct {
	// Name and PURL select the artifact's expectations (Artifact.Match).
	Name string
	PURL string
	// Artifact is the artifact's digest set, e.g. from buildtrust.Digest.
	// Required.
	Artifact buildtrust.DigestSet
	// ResourceURI is the URI the consumer requested the artifact under
	// (VSA-VER-5); it is compared with input VSAs and written into the
	// output VSA. Optional unless VSAs are accepted.
	ResourceURI string
	// Attestations are attestation files: each a DSSE envelope or a JSON
	// Lines bundle of envelopes. Order does not matter (ITE-BUN-2).
	Attestations [][]byte
	// Evidence are raw evidence blobs that attestations reference by
	// digest (event logs, SEV-SNP reports, TDX quotes and collateral), and
	// response-time TEE reports. Small evidence travels inline in the
	// attestations and need not be repeated here.
	Evidence [][]byte
	// Time is the evaluation time: certificates, collateral, assessments
	// and freshness are judged at it. Required; there is no hidden
	// time.Now, so a decision can be reproduced.
	Time time.Time
}

// Verdict is the outcome of an evaluation.
type Verdict string

// Verdicts, spelled as VSA verificationResult values.
const (
	Passed Verdict = "PASSED"
	Failed Verdict = "FAILED"
)

// Check is one named check of an evaluation (buildtrust.Check) and whether
// it decides the verdict.
type Check struct {
	buildtrust.Check
	// Advisory is true for checks of a BuildEnv link above the required
	// level: they are run and reported, and decide the level reached, but
	// do not decide the verdict. Everything else is required.
	Advisory bool `json:"advisory,omitempty"`
}

// UsedAttestation is an input that a passing check relied on.
type UsedAttestation struct {
	// Role is what the input was used as: provenance, vsa, assessment,
	// image-provenance, reference-values, launch, dispatch, evidence.
	Role string `json:"role"`
	// Digest is the SHA-256 of the exact bytes (the envelope or the blob).
	Digest buildtrust.DigestSet `json:"digest"`
	// Source says where it was in the input: "attestations[1] line 3".
	Source string `json:"source"`
}

// IgnoredInput is an input that nothing used, and why. Ignoring never
// turns a denial into an approval (ITE-PR-4).
type IgnoredInput struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// Result is the decision and its explanation, check by check.
type Result struct {
	Verdict Verdict `json:"verdict"`
	// Policy names the policy: name, URI and digest when known.
	Policy PolicyRef `json:"policy"`
	// Artifact is what was evaluated.
	Artifact ArtifactRef `json:"artifact"`
	// Time is the evaluation time.
	Time time.Time `json:"time"`
	// BuildLevel and BuildEnvLevel are the levels reached (0–3);
	// Required… the levels the policy asked for.
	BuildLevel            int `json:"buildLevel"`
	BuildEnvLevel         int `json:"buildEnvLevel"`
	RequiredBuildLevel    int `json:"requiredBuildLevel"`
	RequiredBuildEnvLevel int `json:"requiredBuildEnvLevel"`
	// Checks lists every check: passed, failed and not applicable.
	Checks []Check `json:"checks"`
	// OpenThreats are the catalog threats no passed check mitigates.
	OpenThreats []threat.ID `json:"openThreats"`
	// Attestations are the inputs the decision relied on.
	Attestations []UsedAttestation `json:"attestations"`
	// Ignored are inputs nothing used.
	Ignored []IgnoredInput `json:"ignored,omitempty"`

	inputs []inputRef // every input envelope by digest, for the VSA
}

// PolicyRef identifies the policy of a result.
type PolicyRef struct {
	Name   string               `json:"name,omitempty"`
	URI    string               `json:"uri,omitempty"`
	Digest buildtrust.DigestSet `json:"digest,omitempty"`
}

// ArtifactRef identifies the evaluated artifact.
type ArtifactRef struct {
	Name        string               `json:"name,omitempty"`
	PURL        string               `json:"purl,omitempty"`
	Digest      buildtrust.DigestSet `json:"digest"`
	ResourceURI string               `json:"resourceUri,omitempty"`
}

// Passed reports whether the verdict is PASSED.
func (r *Result) Passed() bool { return r.Verdict == Passed }

// Failures returns the failed checks that decided the verdict.
func (r *Result) Failures() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Outcome == buildtrust.Fail && !c.Advisory {
			out = append(out, c)
		}
	}
	return out
}

// Err returns the failures as errors joined (nil when the verdict is
// PASSED): each a *buildtrust.CheckError, so errors.Is(err, threat.E10)
// tells which threat an evaluation stopped.
func (r *Result) Err() error {
	var errs []error
	for _, c := range r.Failures() {
		errs = append(errs, &buildtrust.CheckError{Check: c.ID, Threats: c.Threats, Err: errors.New(c.Message)})
	}
	return errors.Join(errs...)
}

// Check IDs of the policy's own checks. The checks of the packages below
// keep their IDs (provenance.*, vsa.*, tpm.*, tee.*, scai.*).
const (
	CheckArtifact     = "policy.artifact"      // an artifact entry selects the artifact
	CheckProvenance   = "policy.provenance"    // some verified provenance passed (F2)
	CheckBuildLevel   = "policy.buildLevel"    // the Build level reached ≥ required
	CheckBuildEnv     = "policy.buildEnvLevel" // the BuildEnv level reached ≥ required
	CheckVSA          = "policy.vsa"           // an input VSA stood in
	CheckAssessment   = "policy.assessment"    // builder assessment (PROV-VER-10)
	CheckMaxAge       = "policy.maxAge"        // the build is recent enough
	CheckRulePrefix   = "policy.rule."         // + rule name
	CheckAttestations = "policy.attestations"  // the input could be read
)

type envelopeIn struct {
	source string
	raw    []byte
	sum    [32]byte // SHA-256 of raw
	digest string   // hex of sum
	known  bool     // sum was remembered (knownBytes), raw is kept already
	kept   bool     // the parse is a copy of the one the Policy keeps
	envelopeParse
}

// envelopeParse is what was parsed from an envelope's bytes. None of it is
// trusted: a role uses it only after verify accepted the signatures over
// these very bytes. Image attestations are kept parsed by the Policy
// (keepParsed); an evaluation that meets the same bytes again starts from a
// copy, so the memo fields are filled per evaluation and what the pointers
// reach is never written.
type envelopeParse struct {
	env *buildtrust.Envelope
	st  *buildtrust.Statement // parsed from env.Payload

	// The statement parsed as a SCAI report, and that report read as each
	// BuildEnv attestation, each done at most once: every envelope is tried
	// in several roles, and the predicate is the costly part.
	reportDone, launchDone, dispatchDone, refDone bool
	reportV                                       *scai.Report
	reportErr                                     error
	launchV                                       *scai.Launch
	dispatchV                                     *scai.Dispatch
	refV                                          *scai.ImageReferenceValues
	refErr                                        error
	// The statement parsed as SLSA provenance, once (nil when it is not):
	// a build image's provenance is checked again in every build on it.
	provDone bool
	provV    *provenance.Parsed
}

// parsedProvenance parses the (unverified) statement as provenance once,
// for provenance.Check to reuse (Attestation.Parsed).
func (in *envelopeIn) parsedProvenance() *provenance.Parsed {
	if !in.provDone {
		in.provDone = true
		in.provV, _ = provenance.Parse(in.st) // Check parses again to report an error
	}
	return in.provV
}

// report parses the (unverified) statement as a SCAI report once.
func (in *envelopeIn) report() (*scai.Report, error) {
	if !in.reportDone {
		in.reportDone = true
		in.reportV, in.reportErr = scai.Parse(in.st)
	}
	return in.reportV, in.reportErr
}

// asLaunch reads the statement as a launch attestation once.
func (in *envelopeIn) asLaunch() *scai.Launch {
	if !in.launchDone {
		in.launchDone = true
		if in.st != nil && scai.IsPredicateType(in.st.PredicateType) {
			if rep, err := in.report(); err == nil {
				in.launchV, _ = rep.Launch()
			}
		}
	}
	return in.launchV
}

// asDispatch reads the statement as a dispatch attestation once.
func (in *envelopeIn) asDispatch() *scai.Dispatch {
	if !in.dispatchDone {
		in.dispatchDone = true
		if in.st != nil && scai.IsPredicateType(in.st.PredicateType) {
			if rep, err := in.report(); err == nil {
				in.dispatchV, _ = rep.Dispatch()
			}
		}
	}
	return in.dispatchV
}

// asReferenceValues reads the statement as image reference values once.
func (in *envelopeIn) asReferenceValues() (*scai.ImageReferenceValues, error) {
	if !in.refDone {
		in.refDone = true
		rep, err := in.report()
		if err == nil {
			in.refV, in.refErr = rep.ImageReferenceValues()
		} else {
			in.refErr = err
		}
	}
	return in.refV, in.refErr
}

type evaluation struct {
	p      *Policy
	ctx    context.Context
	in     Input
	art    *compiledArtifact
	res    *Result
	envs   []*envelopeIn
	blobs  map[string]blob // hex SHA-256 → evidence bytes
	claims map[string]any  // CEL variables
	// What the CEL variables provenance and environment are made of, when
	// verified; rendered only if the artifact has rules.
	provClaims *provenance.Parsed
	envChain   *chain
}

// Evaluate verifies every attestation and piece of evidence with the
// packages below and applies the policy's expectations for the artifact,
// returning a Result that explains itself check by check. The error is
// non-nil only for unusable input (ErrInput); a rejected artifact is a
// FAILED Result with a nil error.
func (p *Policy) Evaluate(ctx context.Context, in Input) (*Result, error) {
	if err := requireTime(in.Time); err != nil {
		return nil, err
	}
	if len(in.Artifact) == 0 {
		return nil, fmt.Errorf("%w: no artifact digest", ErrInput)
	}
	if err := in.Artifact.Validate(); err != nil {
		return nil, fmt.Errorf("%w: artifact digest: %v", ErrInput, err)
	}
	if len(in.Attestations)+len(in.Evidence) > limits.MaxPolicyInputs {
		return nil, fmt.Errorf("%w: more than %d inputs", ErrInput, limits.MaxPolicyInputs)
	}
	total := 0
	for _, b := range in.Attestations {
		total += len(b)
	}
	for _, b := range in.Evidence {
		total += len(b)
	}
	if total > limits.MaxPolicyInputBytes {
		return nil, fmt.Errorf("%w: %w", ErrInput, limits.TooLarge("attestations and evidence together", limits.MaxPolicyInputBytes))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	e := &evaluation{p: p, ctx: ctx, in: in, blobs: map[string]blob{},
		claims: map[string]any{VarProvenance: map[string]any{}, VarEnvironment: map[string]any{}}}
	e.res = &Result{
		Policy:   PolicyRef{Name: p.doc.Name, URI: p.policyURI(), Digest: p.source.Clone()},
		Artifact: ArtifactRef{Name: in.Name, PURL: in.PURL, Digest: in.Artifact.Clone(), ResourceURI: in.ResourceURI},
		Time:     in.Time.UTC(),
		Checks:   make([]Check, 0, 96), // a full BuildEnv L3 evaluation runs about 70
	}
	e.claims[VarArtifact] = map[string]any{"name": in.Name, "purl": in.PURL, "resourceUri": in.ResourceURI, "digest": digestMap(in.Artifact)}
	if err := e.read(); err != nil {
		return nil, err
	}
	e.art = p.selectArtifact(in)
	if e.art == nil {
		e.add(Check{Check: buildtrust.Check{ID: CheckArtifact, Outcome: buildtrust.Fail,
			Actual: firstNonEmpty(in.Name, in.PURL, "(no name)"), Message: "no artifact entry of the policy selects this artifact: nothing is accepted by default"}})
		return e.finish(), nil
	}
	a := e.art.doc
	e.res.RequiredBuildLevel, e.res.RequiredBuildEnvLevel = a.BuildLevel, a.BuildEnvLevel
	e.add(Check{Check: buildtrust.Check{ID: CheckArtifact, Outcome: buildtrust.Pass, Actual: fmt.Sprintf("artifacts[%d]", e.art.index)}})

	// A trusted VSA that meets a requirement stands in for the checks it
	// summarizes: they still run and are reported, as advisory.
	vsaLevels := e.inputVSAs()
	prov := e.provenance(vsaLevels != nil && vsaLevels.build >= a.BuildLevel)
	e.buildLevel(prov, vsaLevels)
	e.buildEnv(prov, vsaLevels)
	e.maxAge(prov)
	e.rules()
	return e.finish(), nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func digestMap(d buildtrust.DigestSet) map[string]any {
	out := map[string]any{}
	for k, v := range d {
		out[k] = v
	}
	return out
}

func (p *Policy) policyURI() string {
	if p.doc.VSA != nil && p.doc.VSA.PolicyURI != "" {
		return p.doc.VSA.PolicyURI
	}
	return p.doc.URI
}

// selectArtifact returns the first artifact entry whose patterns match.
func (p *Policy) selectArtifact(in Input) *compiledArtifact {
	for _, a := range p.artifacts {
		for _, pat := range a.doc.Match.Names {
			if ok, _ := path.Match(pat, in.Name); ok && in.Name != "" {
				return a
			}
		}
		for _, pat := range a.doc.Match.PURLs {
			if ok, _ := path.Match(pat, in.PURL); ok && in.PURL != "" {
				return a
			}
		}
	}
	return nil
}

// read splits the attestation files into envelopes and indexes the
// evidence. Unreadable inputs are ignored with a reason.
func (e *evaluation) read() error {
	for i, data := range e.in.Attestations {
		src := "attestations[" + strconv.Itoa(i) + "]"
		// A file of several lines is a bundle, or a pretty-printed envelope
		// (never kept): hashing it before parsing would be wasted.
		oneLine := bytes.IndexByte(bytes.TrimSpace(data), '\n') < 0
		if e.addEnvelope(src, data, oneLine) == nil {
			continue
		}
		lines, err := limits.SplitLines(data, limits.MaxBundleBytes, limits.MaxBundleLines, "bundle")
		if err != nil {
			e.ignore(src, "neither a DSSE envelope nor a JSON Lines bundle: "+err.Error())
			continue
		}
		for _, l := range lines {
			lsrc := fmt.Sprintf("%s line %d", src, l.Number)
			if err := e.addEnvelope(lsrc, l.Data, true); err != nil {
				e.ignore(lsrc, "not a DSSE envelope: "+err.Error())
			}
		}
	}
	if len(e.envs) > limits.MaxPolicyAttestations {
		return fmt.Errorf("%w: more than %d attestations", ErrInput, limits.MaxPolicyAttestations)
	}
	for _, b := range e.in.Evidence {
		// Hashed once, not copied: Input's bytes do not change while
		// Evaluate runs (its contract), and the verifiers below copy what
		// they keep.
		sum, known := e.p.known.sha256(b)
		e.blobs[hex.EncodeToString(sum[:])] = blob{b, known}
	}
	return nil
}

// blob is an evidence blob of the Input, and whether its digest was
// remembered (knownBytes) rather than computed.
type blob struct {
	data  []byte
	known bool
}

// addEnvelope parses raw as an envelope (or, when lookup is set, takes the
// parse the Policy kept of the same bytes) and adds it to the evaluation's
// inputs.
func (e *evaluation) addEnvelope(src string, raw []byte, lookup bool) error {
	in := &envelopeIn{source: src, raw: raw}
	var kept *envelopeParse
	if lookup {
		in.sum, in.known = e.p.known.sha256(raw)
		kept, _ = e.p.keptParse(in.sum)
	}
	if kept != nil {
		in.envelopeParse, in.kept = *kept, true
	} else {
		env, err := buildtrust.ParseEnvelope(raw)
		if err != nil {
			return err
		}
		if !lookup {
			in.sum = sha256.Sum256(raw)
		}
		in.env = env
		// The statement is parsed now only to route the envelope to the keys
		// that could have signed it; nothing of it is used before a signature
		// over these very bytes verifies.
		if st, err := env.Statement(); err == nil { // shares env.Payload, which nothing changes
			in.st = st
		}
	}
	in.digest = hex.EncodeToString(in.sum[:])
	e.envs = append(e.envs, in)
	e.res.inputs = append(e.res.inputs, inputRef{in.digest, src})
	return nil
}

// keepParsed keeps the parse of an image attestation that just verified
// for the next evaluation that meets the same bytes: image provenance and
// reference values recur in every build on an image, while everything else
// is new with each build. Only what verified under the policy's image keys
// is kept, so inputs nobody trusted cannot fill the cache or evict what is
// useful. The signatures are verified again every time.
func (e *evaluation) keepParsed(in *envelopeIn) {
	if e.p.parsed == nil || len(in.raw) > limits.MaxCachedEnvelopeBytes {
		return
	}
	if !in.kept { // a parse taken from the Policy is there already
		kept := in.envelopeParse
		e.p.parsed.Put(in.sum, &kept)
	}
	if !in.known {
		e.p.known.keep(in.raw, in.digest)
	}
}

// keptParse returns the parse kept for the envelope whose SHA-256 is sum.
// A Policy not built by Compile (the zero value) keeps nothing.
func (p *Policy) keptParse(sum [32]byte) (*envelopeParse, bool) {
	if p.parsed == nil {
		return nil, false
	}
	return p.parsed.Get(sum)
}

func (e *evaluation) ignore(src, reason string) {
	e.res.Ignored = append(e.res.Ignored, IgnoredInput{Source: src, Reason: reason})
}

// verify checks an envelope's signatures with keys and returns the verified
// statement, reusing the statement parsed from the same payload bytes.
func (e *evaluation) verify(in *envelopeIn, keys []*buildtrust.PublicKey) (*buildtrust.VerifiedStatement, error) {
	if in.st == nil {
		return nil, fmt.Errorf("%w: payload is not an in-toto statement", buildtrust.ErrMalformed)
	}
	if len(keys) == 0 {
		return nil, buildtrust.ErrNoTrustedKeys
	}
	// The envelope is the evaluation's own parse (or the Policy's kept one),
	// never changed, so what verified is its payload itself: no copy.
	signers, err := in.env.VerifySigners(buildtrust.VerifyOptions{Keys: keys})
	if err != nil {
		return nil, err
	}
	return &buildtrust.VerifiedStatement{Statement: in.st, PayloadType: in.env.PayloadType, Payload: in.env.Payload, Signers: signers}, nil
}

// inputRef is an input envelope by SHA-256 (hex) and where it came from.
type inputRef struct{ sha256, source string }

func (e *evaluation) use(role string, in *envelopeIn) { e.record(role, in.digest, in.source) }

// record lists an input a passing check relied on, once per role.
func (e *evaluation) record(role, digest, source string) {
	// A scan: an evaluation uses a handful of inputs.
	for _, u := range e.res.Attestations {
		if u.Role == role && u.Digest[buildtrust.SHA256] == digest {
			return
		}
	}
	if e.res.Attestations == nil {
		e.res.Attestations = make([]UsedAttestation, 0, 12) // a BuildEnv L3 evaluation uses about 10
	}
	e.res.Attestations = append(e.res.Attestations, UsedAttestation{Role: role, Digest: buildtrust.DigestSet{buildtrust.SHA256: digest}, Source: source})
}

func (e *evaluation) add(cs ...Check) { e.res.Checks = append(e.res.Checks, cs...) }

// addAll appends checks of a package below, marked advisory or not.
func (e *evaluation) addAll(advisory bool, cs []buildtrust.Check) {
	for _, c := range cs {
		e.add(Check{Check: c, Advisory: advisory})
	}
}

func pass(id string, threats []threat.ID, actual string) Check {
	return Check{Check: buildtrust.Check{ID: id, Threats: threats, Outcome: buildtrust.Pass, Actual: actual}}
}

func fail(id string, threats []threat.ID, expected, actual, msg string) Check {
	return Check{Check: buildtrust.Check{ID: id, Threats: threats, Outcome: buildtrust.Fail, Expected: expected, Actual: actual, Message: msg}}
}

func notApplicable(id string, threats []threat.ID, msg string) Check {
	return Check{Check: buildtrust.Check{ID: id, Threats: threats, Outcome: buildtrust.NotApplicable, Message: msg}}
}

// checkFromErr turns a *buildtrust.CheckError into a failed check.
func checkFromErr(fallbackID string, threats []threat.ID, err error) Check {
	var ce *buildtrust.CheckError
	if errors.As(err, &ce) {
		return fail(ce.Check, ce.Threats, "", "", err.Error())
	}
	return fail(fallbackID, threats, "", "", err.Error())
}

// provOutcome is the provenance that passed, or the best that did not.
type provOutcome struct {
	in     *envelopeIn
	vs     *buildtrust.VerifiedStatement
	result *provenance.Result
	passed bool
}

// provenance verifies every envelope that could be provenance for the
// artifact and checks it against the expectations. Of those that pass, the
// one whose build environment reaches the highest BuildEnv level wins (the
// first of them, when the policy requires no environment or they tie), so
// that neither the order of the inputs (ITE-BUN-1) nor another build of
// the same artifact on a broken environment decides; when none passes, the
// one with the most passed checks explains why. More attestations can only
// add candidates (ITE-PR-4).
func (e *evaluation) provenance(advisory bool) *provOutcome {
	exp := e.art.exp
	if exp == nil {
		return nil
	}
	x := *exp
	x.Artifact = e.in.Artifact
	opts := provenance.Options{TrustRoot: e.p.builders, Profiles: e.p.profiles, Now: e.in.Time}
	var best *provOutcome
	// Provenance that did not get as far as the checks, kept to explain a
	// failure: about other artifacts (with the subject error), or about
	// this one but without a trusted signature.
	var otherSubjects []*envelopeIn
	var subjectErrs []error
	var unsigned *envelopeIn
	bestScore := -1
	var passing []*provOutcome
	for _, in := range e.envs {
		if in.st == nil || !isProvenanceType(in.st.PredicateType) {
			continue
		}
		if _, err := in.st.MatchSubjects(e.in.Artifact, buildtrust.DigestPolicy{}); err != nil {
			otherSubjects, subjectErrs = append(otherSubjects, in), append(subjectErrs, err)
			continue
		}
		vs, err := e.verify(in, e.p.builderKeys)
		if err != nil {
			if unsigned == nil {
				unsigned = in
			}
			continue
		}
		att := provenance.FromVerified(vs)
		att.Parsed = in.parsedProvenance()
		r, err := provenance.Check(att, x, opts)
		if r == nil {
			continue
		}
		out := &provOutcome{in: in, vs: vs, result: r, passed: err == nil}
		if out.passed {
			// Each is compared by following its environment: bounded like
			// the launches one evaluation follows.
			if len(passing) < limits.MaxPolicyCandidates {
				passing = append(passing, out)
			}
			continue
		}
		if s := passedCount(r.Checks); s > bestScore && len(passing) == 0 {
			best, bestScore = out, s
		}
	}
	switch {
	case len(passing) == 1 || len(passing) > 1 && e.art.env == nil:
		best = passing[0]
	case len(passing) > 1:
		best = e.furthestEnvironment(passing)
	}
	if best == nil {
		// Genuine provenance of other bytes says more than "none": the
		// artifact was swapped after the build, or its provenance replayed.
		// Checked only now, so unrelated provenance costs no signature check
		// on the success path.
		for i, in := range otherSubjects {
			if _, err := e.verify(in, e.p.builderKeys); err == nil {
				threats, why := []threat.ID{threat.F3, threat.G5}, subjectErrs[i]
				var ce *buildtrust.CheckError
				if errors.As(why, &ce) {
					threats, why = ce.Threats, ce.Err // V2 too when only weak digests overlap
				}
				e.add(Check{Check: fail(provenance.CheckSubject, threats, e.in.Artifact.String(), subjectsText(in.st),
					"provenance signed by a trusted builder is not about these bytes: "+why.Error()).Check, Advisory: advisory})
				break
			}
		}
		if unsigned != nil {
			e.add(Check{Check: fail(provenance.CheckBuilderSigner, []threat.ID{threat.F4, threat.G6}, "a signature by a key of trust.builders", "none valid",
				unsigned.source+": provenance for these bytes without a valid signature by a trusted builder key (edited after signing, or signed by another key)").Check, Advisory: advisory})
		}
		e.add(Check{Check: fail(CheckProvenance, []threat.ID{threat.F2, threat.G3}, "provenance signed by a trusted builder for this artifact", "none",
			"no provenance for this artifact verified with the keys of trust.builders").Check, Advisory: advisory})
		return nil
	}
	e.addAll(advisory, best.result.Checks)
	if best.passed {
		e.use("provenance", best.in)
		e.add(pass(CheckProvenance, []threat.ID{threat.F2, threat.G3}, best.in.source))
		e.provClaims = best.result.Provenance
	} else {
		e.add(Check{Check: fail(CheckProvenance, []threat.ID{threat.F2, threat.G3}, "provenance that meets the expectations", best.in.source,
			"the best provenance found failed the checks above").Check, Advisory: advisory})
	}
	return best
}

// furthestEnvironment returns the provenance, of several that passed,
// whose environment chain reaches the highest BuildEnv level (the first on
// a tie). The chains are followed here only to compare them: their checks
// are dropped, and buildEnv follows the winner's again.
func (e *evaluation) furthestEnvironment(passing []*provOutcome) *provOutcome {
	best, bestLevel := passing[0], -1
	mark := len(e.res.Checks)
	for _, p := range passing {
		level, n := 0, 0
		for _, in := range e.envs {
			l := in.asLaunch()
			if l == nil {
				continue
			}
			if n++; n > limits.MaxPolicyCandidates {
				break
			}
			level = max(level, e.followChain(p, in, l).level)
			e.res.Checks = e.res.Checks[:mark]
		}
		if level > bestLevel {
			best, bestLevel = p, level
		}
	}
	return best
}

// subjectsText names a statement's subjects by name and digest.
func subjectsText(st *buildtrust.Statement) string {
	var parts []string
	for _, sub := range st.Subject {
		parts = append(parts, strings.TrimSpace(sub.Name+" "+sub.Digest.String()))
	}
	return strings.Join(parts, ", ")
}

func passedCount(cs []buildtrust.Check) int {
	n := 0
	for _, c := range cs {
		if c.Outcome == buildtrust.Pass {
			n++
		}
	}
	return n
}

func isProvenanceType(t string) bool {
	return t == provenance.PredicateTypeV1 || t == provenance.PredicateTypeV02 || t == provenance.PredicateTypeV01
}

// provenanceClaims renders verified provenance as the CEL variable.
func provenanceClaims(p *provenance.Parsed) map[string]any {
	b, err := json.Marshal(p.Provenance)
	if err != nil {
		return map[string]any{}
	}
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return map[string]any{}
	}
	return celValue(v).(map[string]any)
}

// vsaStandIn is what a trusted input VSA vouches for.
type vsaStandIn struct {
	in       *envelopeIn
	build    int
	buildEnv int
	time     time.Time
}

// inputVSAs verifies VSAs about the artifact from trusted verifiers, when
// the artifact entry accepts them.
func (e *evaluation) inputVSAs() *vsaStandIn {
	acc := e.art.doc.AcceptVSAs
	if acc == nil {
		return nil
	}
	uri := acc.ResourceURI
	if uri == "" {
		uri = e.in.ResourceURI
	}
	threats := []threat.ID{threat.G2, threat.G4, threat.G6}
	if uri == "" {
		e.add(fail(CheckVSA, threats, "a resourceUri to compare VSAs with", "none",
			"acceptVSAs needs the requested resourceUri (VSA-VER-5): set it in the policy or the input"))
		return nil
	}
	required := []string{vsa.LevelToken(vsa.TrackBuild, max(e.art.doc.BuildLevel, 1))}
	var best *vsaStandIn
	var lastChecks []buildtrust.Check
	var lastErr error
	for _, in := range e.envs {
		if in.st == nil || in.st.PredicateType != vsa.PredicateType {
			continue
		}
		v, err := vsa.Verify(in.raw, vsa.Options{Verifiers: e.p.verifiers, Subject: e.in.Artifact, ResourceURI: uri,
			RequiredLevels: required, MaxAge: acc.MaxAge.Duration, Now: e.in.Time})
		if err != nil {
			lastErr = err
			continue
		}
		s := &vsaStandIn{in: in, time: v.Predicate.TimeVerified}
		for _, l := range v.Predicate.VerifiedLevels {
			if track, lvl, ok := vsa.ParseLevel(l); ok && lvl > 0 {
				switch track {
				case vsa.TrackBuild:
					s.build = max(s.build, lvl)
				case vsa.TrackBuildEnv:
					s.buildEnv = max(s.buildEnv, lvl)
				}
			}
		}
		if best == nil || s.build+s.buildEnv > best.build+best.buildEnv {
			best, lastChecks = s, v.Checks
		}
	}
	if best == nil {
		if lastErr != nil {
			e.add(Check{Check: checkFromErr(CheckVSA, threats, lastErr).Check, Advisory: e.art.exp != nil})
		} else {
			e.add(notApplicable(CheckVSA, threats, "no VSA for this artifact was presented"))
		}
		return nil
	}
	e.addAll(false, lastChecks)
	e.use("vsa", best.in)
	e.add(pass(CheckVSA, threats, fmt.Sprintf("%s: Build L%d, BuildEnv L%d", best.in.source, best.build, best.buildEnv)))
	return best
}

// buildLevel decides the Build level: the trust root's level for the
// provenance that passed (capped by the builder assessment), or a trusted
// VSA's.
func (e *evaluation) buildLevel(prov *provOutcome, v *vsaStandIn) {
	level := 0
	if prov != nil && prov.passed {
		level = e.assessment(prov)
	}
	if v != nil && v.build > level {
		level = v.build
	}
	e.res.BuildLevel = level
	req := e.art.doc.BuildLevel
	threats := levelThreats(threat.Level("Build L"), req)
	if req == 0 {
		e.add(notApplicable(CheckBuildLevel, nil, "the policy requires no Build level"))
		return
	}
	want, got := fmt.Sprintf("≥ L%d", req), fmt.Sprintf("L%d", level)
	if level >= req {
		e.add(pass(CheckBuildLevel, threats, got))
	} else {
		e.add(fail(CheckBuildLevel, threats, want, got, "the Build level reached is below the policy's"))
	}
}

// levelThreats are the threats a level of a track addresses, up to level.
func levelThreats(prefix threat.Level, level int) []threat.ID {
	if ids, ok := levelThreatIDs()[fmt.Sprintf("%s%d", prefix, level)]; ok {
		return ids
	}
	return nil
}

// levelThreatIDs maps "Build L2", "BuildEnv L3", … to the threats of that
// level and those below, computed once (the catalog is fixed). The slices
// are shared: callers must not modify them.
var levelThreatIDs = sync.OnceValue(func() map[string][]threat.ID {
	m := map[string][]threat.ID{}
	for _, prefix := range []string{"Build L", "BuildEnv L"} {
		var ids []threat.ID
		for l := 0; l <= 3; l++ {
			if l > 0 {
				for _, t := range threat.ByLevel(threat.Level(fmt.Sprintf("%s%d", prefix, l))) {
					ids = append(ids, t.ID)
				}
			}
			m[fmt.Sprintf("%s%d", prefix, l)] = slices.Clip(slices.Clone(ids))
		}
	}
	return m
})

// maxAge bounds how old the build is.
func (e *evaluation) maxAge(prov *provOutcome) {
	limit := e.art.doc.MaxAge.Duration
	if limit <= 0 {
		return
	}
	var when time.Time
	if prov != nil && prov.passed && prov.result.Provenance.RunDetails.Metadata != nil {
		if f := prov.result.Provenance.RunDetails.Metadata.FinishedOn; f != nil {
			when = *f
		} else if s := prov.result.Provenance.RunDetails.Metadata.StartedOn; s != nil {
			when = *s
		}
	}
	threats := []threat.ID{threat.G4}
	if when.IsZero() {
		e.add(fail(CheckMaxAge, threats, "a build time within "+limit.String(), "none", "the verified provenance records no build time"))
		return
	}
	age := e.in.Time.Sub(when)
	if age > limit || age < -time.Minute {
		e.add(fail(CheckMaxAge, threats, "within "+limit.String(), when.UTC().Format(time.RFC3339), "the build is too old or in the future"))
		return
	}
	e.add(pass(CheckMaxAge, threats, when.UTC().Format(time.RFC3339)))
}

// rules evaluates the artifact's CEL rules over the verified claims.
func (e *evaluation) rules() {
	if len(e.art.rules) == 0 {
		return
	}
	if e.provClaims != nil {
		e.claims[VarProvenance] = provenanceClaims(e.provClaims)
	}
	if e.envChain != nil {
		e.claims[VarEnvironment] = e.envChain.envClaims()
	}
	e.claims[VarBuildLevel] = int64(e.res.BuildLevel)
	e.claims[VarBuildEnvLevel] = int64(e.res.BuildEnvLevel)
	for _, r := range e.art.rules {
		ok, why := r.eval(e.ctx, e.claims)
		id := CheckRulePrefix + r.name
		if ok {
			e.add(pass(id, r.threats, "true"))
			continue
		}
		msg := r.message
		if msg == "" {
			msg = "the rule did not hold"
		}
		if why != "" {
			msg += " (" + why + ")"
		}
		e.add(fail(id, r.threats, "true", "false", msg))
	}
}

// finish decides the verdict and the open threats.
func (e *evaluation) finish() *Result {
	r := e.res
	r.Verdict = Passed
	threats := problemThreats()
	mitigated, open := make([]bool, len(threats.ids)), len(threats.ids)
	var last []threat.ID // checks in a row often share one threat list
	for _, c := range r.Checks {
		switch {
		case c.Outcome == buildtrust.Fail && !c.Advisory:
			r.Verdict = Failed
		case c.Outcome == buildtrust.Pass && len(c.Threats) > 0 && !sameSlice(c.Threats, last):
			last = c.Threats
			for _, id := range c.Threats {
				if i, ok := threats.index[id]; ok && !mitigated[i] {
					mitigated[i] = true
					open--
				}
			}
		}
	}
	if len(r.Checks) == 0 {
		r.Verdict = Failed
	}
	if open > 0 {
		r.OpenThreats = make([]threat.ID, 0, open)
	}
	for i, id := range threats.ids {
		if !mitigated[i] {
			r.OpenThreats = append(r.OpenThreats, id)
		}
	}
	// Inputs nothing used are listed, once each.
	usedDigests := map[string]bool{}
	for _, u := range r.Attestations {
		usedDigests[u.Digest[buildtrust.SHA256]] = true
	}
	for _, in := range e.envs {
		if !usedDigests[in.digest] {
			reason := "not needed by any passing check"
			if in.st == nil {
				reason = "payload is not an in-toto statement"
			}
			r.Ignored = append(r.Ignored, IgnoredInput{Source: in.source, Reason: reason})
		}
	}
	slices.SortStableFunc(r.Attestations, func(a, b UsedAttestation) int { return roleOrder(a.Role) - roleOrder(b.Role) })
	return r
}

// sameSlice reports whether a and b are the same (non-empty) slice.
func sameSlice(a, b []threat.ID) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// problemThreats lists, in catalog order, the threats a check can leave
// open (threat.Cover's Open with nothing mitigated), computed once: Cover
// copies the whole catalog, which an evaluation need not pay for.
var problemThreats = sync.OnceValue(func() threatIndex {
	t := threatIndex{index: map[threat.ID]int{}}
	for _, open := range threat.Cover(nil).Open {
		t.index[open.ID] = len(t.ids)
		t.ids = append(t.ids, open.ID)
	}
	return t
})

// threatIndex is a list of threats and each one's position in it.
type threatIndex struct {
	ids   []threat.ID
	index map[threat.ID]int
}

var roles = []string{"provenance", "vsa", "assessment", "image-provenance", "image-vsa", "reference-values", "launch", "dispatch", "evidence"}

func roleOrder(role string) int {
	if i := slices.Index(roles, role); i >= 0 {
		return i
	}
	return len(roles)
}

// matchesAny reports whether d matches one of the sets.
func matchesAny(d buildtrust.DigestSet, sets []buildtrust.DigestSet) bool {
	for _, s := range sets {
		if (buildtrust.DigestPolicy{}).Match(d, s) == nil {
			return true
		}
	}
	return false
}
