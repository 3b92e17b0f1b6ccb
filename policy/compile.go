package policy

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/docdecode"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/text"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/sevsnp"
	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/tpm"
)

// Policy is a compiled policy: keys parsed, roots loaded, CEL rules compiled,
// verifiers built. It is immutable and safe for concurrent use; build it once
// and evaluate many artifacts with it (its hardware verifiers cache verified
// certificate chains and collateral, and it keeps the image attestations
// that verified parsed, since every build on an image presents them again;
// their signatures are checked on every evaluation).
type Policy struct {
	doc    Document
	source buildtrust.DigestSet // digest of the bytes the policy was read from

	keys          map[string]*buildtrust.PublicKey
	builders      []provenance.TrustedBuilder
	builderKeys   []*buildtrust.PublicKey
	assess        map[string]*compiledAssessment // builder ID → requirement
	verifiers     map[string][]*buildtrust.PublicKey
	imageBuilders []provenance.TrustedBuilder
	imageKeys     []*buildtrust.PublicKey
	producerKeys  []*buildtrust.PublicKey
	launchSigners []*buildtrust.PublicKey
	assessors     map[string][]*buildtrust.PublicKey
	akTrust       *tpm.AKTrust
	snpRoots      *sevsnp.Roots
	tdxRoots      *tdx.Roots
	profiles      []provenance.Profile
	artifacts     []*compiledArtifact
	rules         map[string]*compiledRule
	environments  map[string]*compiledEnvironment

	// parsed keeps image attestations parsed, by the SHA-256 of their
	// bytes (keepParsed).
	parsed *tee.Cache[*envelopeParse]
	// known remembers the digests of recurring inputs (knownBytes).
	known *knownBytes
}

type compiledAssessment struct {
	thirdParty bool
	selfKeys   []*buildtrust.PublicKey
}

type compiledArtifact struct {
	index int
	doc   *Artifact
	exp   *provenance.Expectations // nil when no provenance expectations
	env   *compiledEnvironment
	rules []*compiledRule
}

type compiledEnvironment struct {
	name       string
	doc        *Environment
	images     []buildtrust.DigestSet
	components []scai.Component
	// componentIDs are the check IDs of components, in the same order.
	componentIDs []string
	pcrs         []tpm.PCRReference
	snp          *sevsnp.Verifier
	snpWant      [][]byte
	tdx          *tdx.Verifier
	tdxWant      [][]byte
}

// ErrInvalid: the policy document is not valid. The error is a Problems
// value listing every problem with its location.
var ErrInvalid = errors.New("policy: invalid policy")

// Problem is one thing wrong with a policy document, where it is.
type Problem struct {
	// Line and Column locate the problem in the source (1-based); zero
	// when the policy was not read from text.
	Line, Column int
	// Path is the JSON Pointer of the offending value, e.g.
	// "/trust/builders/0/keys/1".
	Path string
	// Message says what is wrong.
	Message string
	// Err is the sentinel the problem wraps (ErrInvalid, or a decoding
	// sentinel).
	Err error
}

func (p Problem) String() string {
	loc := p.Path
	if loc == "" {
		loc = "/"
	}
	if p.Line > 0 {
		return fmt.Sprintf("%d:%d: %s: %s", p.Line, p.Column, loc, p.Message)
	}
	return fmt.Sprintf("%s: %s", loc, p.Message)
}

// Problems is every problem found in a policy, in document order. It is the
// error Decode, Compile and Parse return for an invalid policy.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "policy: %d problem(s):", len(ps))
	for _, p := range ps {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap lets errors.Is find ErrInvalid and each problem's sentinel.
func (ps Problems) Unwrap() []error {
	errs := []error{ErrInvalid}
	for _, p := range ps {
		if p.Err != nil {
			errs = append(errs, p.Err)
		}
	}
	return errs
}

// problems collects problems by JSON Pointer.
type problems struct {
	list Problems
	pos  func(pointer string) (line, col int)
}

func (p *problems) add(ptr string, format string, args ...any) {
	if len(p.list) >= limits.MaxPolicyProblems {
		return
	}
	pr := Problem{Path: ptr, Message: fmt.Sprintf(format, args...), Err: ErrInvalid}
	if p.pos != nil {
		pr.Line, pr.Column = p.pos(ptr)
	}
	p.list = append(p.list, pr)
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	out := slices.Clone(p.list)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}

// CompileOptions configure Compile.
type CompileOptions struct {
	// Source is the policy's digest, for the VSA's policy.digest. Parse
	// sets it to the SHA-256 of the bytes read. Zero: Document-built
	// policies have no digest, and VSAs then name the policy by URI only.
	Source buildtrust.DigestSet

	pos func(pointer string) (line, col int)
}

// Compile checks a policy document as a whole — every problem is reported,
// not just the first — and compiles it: keys parsed, roots loaded, CEL
// rules type-checked against the claims they may read, TEE verifiers built.
func Compile(doc Document, opts CompileOptions) (*Policy, error) {
	ps := &problems{pos: opts.pos}
	p := &Policy{
		doc: doc, source: opts.Source.Clone(),
		keys: map[string]*buildtrust.PublicKey{}, assess: map[string]*compiledAssessment{},
		verifiers: map[string][]*buildtrust.PublicKey{}, assessors: map[string][]*buildtrust.PublicKey{},
		rules: map[string]*compiledRule{}, environments: map[string]*compiledEnvironment{},
		parsed: tee.NewCache[*envelopeParse](limits.ImageAttestationCacheEntries),
		known:  newKnownBytes(),
	}
	if doc.APIVersion != APIVersion {
		ps.add("/apiVersion", "apiVersion is %q; this version of buildtrust reads %q", doc.APIVersion, APIVersion)
	}
	p.compileKeys(ps)
	p.compileTrust(ps)
	for i, pr := range doc.Profiles {
		at := fmt.Sprintf("/profiles/%d", i)
		if len(pr.BuildTypes) == 0 {
			ps.add(at+"/buildTypes", "a profile needs at least one buildType")
		}
		p.profiles = append(p.profiles, provenance.Profile{BuildTypes: pr.BuildTypes, Source: pr.Source, Ref: pr.Ref,
			Branch: pr.Branch, Tag: pr.Tag, Commit: pr.Commit, ConfigPath: pr.ConfigPath, Covers: pr.Covers})
	}
	p.compileRules(ps)
	names := make([]string, 0, len(doc.Environments))
	for name := range doc.Environments {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		e := doc.Environments[name]
		p.environments[name] = p.compileEnvironment(ps, name, &e)
	}
	if len(doc.Artifacts) == 0 {
		ps.add("/artifacts", "no artifacts: a policy that expects nothing of any artifact accepts nothing")
	}
	for i := range doc.Artifacts {
		p.artifacts = append(p.artifacts, p.compileArtifact(ps, i))
	}
	if doc.VSA != nil {
		if !isAbsoluteURI(doc.VSA.Verifier) {
			ps.add("/vsa/verifier", "verifier must be an absolute URI")
		}
		if doc.VSA.PolicyURI == "" && doc.URI == "" {
			ps.add("/vsa", "a VSA needs the policy's URI: set uri or vsa.policyUri")
		}
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return p, nil
}

func isAbsoluteURI(s string) bool { return len(s) <= limits.MaxTypeURIBytes && text.AbsoluteURI(s) }

func (p *Policy) compileKeys(ps *problems) {
	names := make([]string, 0, len(p.doc.Trust.Keys))
	for n := range p.doc.Trust.Keys {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		k := p.doc.Trust.Keys[n]
		at := docdecode.Pointer("trust", "keys", n)
		key, err := buildtrust.ParsePublicKey([]byte(k.PEM), buildtrust.KeyOptions{Scheme: buildtrust.Scheme(k.Scheme), Name: n})
		if err != nil {
			ps.add(at+"/pem", "key %q: %v", n, err)
			continue
		}
		p.keys[n] = key
	}
}

// keyList resolves key names; unknown names are problems.
func (p *Policy) keyList(ps *problems, at string, names []string) []*buildtrust.PublicKey {
	var out []*buildtrust.PublicKey
	for i, n := range names {
		k, ok := p.keys[n]
		if !ok {
			if _, declared := p.doc.Trust.Keys[n]; !declared {
				ps.add(fmt.Sprintf("%s/%d", at, i), "unknown key %q: declare it under trust.keys", n)
			}
			continue
		}
		out = append(out, k)
	}
	return out
}

func (p *Policy) compileTrust(ps *problems) {
	t := &p.doc.Trust
	p.builders, p.builderKeys = p.compileBuilders(ps, "/trust/builders", t.Builders)
	p.imageBuilders, p.imageKeys = p.compileBuilders(ps, "/trust/imageBuilders", t.ImageBuilders)
	for i, b := range t.Builders {
		if b.Assessment == nil {
			continue
		}
		at := fmt.Sprintf("/trust/builders/%d/assessment", i)
		ca := &compiledAssessment{thirdParty: b.Assessment.ThirdParty, selfKeys: p.keyList(ps, at+"/selfKeys", b.Assessment.SelfKeys)}
		if ca.thirdParty && len(t.Assessors) == 0 {
			ps.add(at, "a third-party assessment is required but trust.assessors is empty")
		}
		if !ca.thirdParty && len(b.Assessment.SelfKeys) == 0 && len(t.Assessors) == 0 {
			ps.add(at, "an assessment is required but neither selfKeys nor trust.assessors can sign one")
		}
		p.assess[b.ID] = ca
	}
	parties := func(at string, list []TrustedParty, into map[string][]*buildtrust.PublicKey) {
		for i, v := range list {
			pat := fmt.Sprintf("%s/%d", at, i)
			if !isAbsoluteURI(v.ID) {
				ps.add(pat+"/id", "id must be an absolute URI")
			}
			if len(v.Keys) == 0 {
				ps.add(pat+"/keys", "no keys: an entry without keys trusts nobody")
			}
			if _, dup := into[v.ID]; dup {
				ps.add(pat+"/id", "%q is listed twice", v.ID)
			}
			if into != nil {
				into[v.ID] = p.keyList(ps, pat+"/keys", v.Keys)
			}
		}
	}
	parties("/trust/verifiers", t.Verifiers, p.verifiers)
	parties("/trust/assessors", t.Assessors, p.assessors)
	producers := map[string][]*buildtrust.PublicKey{}
	parties("/trust/imageProducers", t.ImageProducers, producers)
	for _, v := range t.ImageProducers {
		p.producerKeys = append(p.producerKeys, producers[v.ID]...)
	}
	p.launchSigners = p.keyList(ps, "/trust/launchSigners", t.LaunchSigners)

	if t.TPM != nil {
		at := "/trust/tpm"
		switch {
		case len(t.TPM.AKKeys) > 0 && t.TPM.AKRootsPEM != "":
			ps.add(at, "set akKeys or akRootsPEM, not both")
		case len(t.TPM.AKKeys) > 0:
			var keys []crypto.PublicKey
			for i, k := range p.keyList(ps, at+"/akKeys", t.TPM.AKKeys) {
				switch k.Public().(type) {
				case *ecdsa.PublicKey, *rsa.PublicKey:
					keys = append(keys, k.Public())
				default:
					ps.add(fmt.Sprintf("%s/akKeys/%d", at, i), "an attestation key is ECDSA or RSA, not %T", k.Public())
				}
			}
			p.akTrust = &tpm.AKTrust{Keys: keys}
		case t.TPM.AKRootsPEM != "":
			pool, err := certPool(t.TPM.AKRootsPEM)
			if err != nil {
				ps.add(at+"/akRootsPEM", "%v", err)
			}
			p.akTrust = &tpm.AKTrust{Roots: pool}
		default:
			ps.add(at, "set akKeys or akRootsPEM")
		}
	}
	if t.SEVSNP != nil {
		at := "/trust/sevsnp"
		var bundles []sevsnp.RootBundle
		for _, b := range t.SEVSNP.Roots {
			bundles = append(bundles, sevsnp.RootBundle{ProductLine: b.ProductLine, PEM: []byte(b.PEM)})
		}
		switch {
		case t.SEVSNP.EmbeddedRoots && len(bundles) > 0:
			ps.add(at, "set embeddedRoots or roots, not both")
		case t.SEVSNP.EmbeddedRoots:
			r, err := sevsnp.EmbeddedRoots()
			if err != nil {
				ps.add(at, "%v", err)
			}
			p.snpRoots = r
		case len(bundles) > 0:
			r, err := sevsnp.ParseRoots(bundles...)
			if err != nil {
				ps.add(at+"/roots", "%v", err)
			}
			p.snpRoots = r
		default:
			ps.add(at, "set embeddedRoots or roots")
		}
	}
	if t.TDX != nil {
		at := "/trust/tdx"
		switch {
		case t.TDX.IntelRoot && t.TDX.RootsPEM != "":
			ps.add(at, "set intelRoot or rootsPEM, not both")
		case t.TDX.IntelRoot:
			r, err := tdx.IntelRoots()
			if err != nil {
				ps.add(at, "%v", err)
			}
			p.tdxRoots = r
		case t.TDX.RootsPEM != "":
			r, err := tdx.ParseRoots([]byte(t.TDX.RootsPEM))
			if err != nil {
				ps.add(at+"/rootsPEM", "%v", err)
			}
			p.tdxRoots = r
		default:
			ps.add(at, "set intelRoot or rootsPEM")
		}
	}
}

func (p *Policy) compileBuilders(ps *problems, at string, list []TrustedBuilder) ([]provenance.TrustedBuilder, []*buildtrust.PublicKey) {
	var out []provenance.TrustedBuilder
	var all []*buildtrust.PublicKey
	for i, b := range list {
		bat := fmt.Sprintf("%s/%d", at, i)
		if b.ID == "" {
			ps.add(bat+"/id", "a builder needs an id")
		}
		if b.MaxLevel < 0 || b.MaxLevel > 3 {
			ps.add(bat+"/maxLevel", "maxLevel must be 0–3, not %d", b.MaxLevel)
		}
		if len(b.Keys) == 0 {
			ps.add(bat+"/keys", "no keys: a builder without signers trusts nobody")
		}
		keys := p.keyList(ps, bat+"/keys", b.Keys)
		all = append(all, keys...)
		out = append(out, provenance.TrustedBuilder{ID: b.ID, Signers: []provenance.SignerRule{provenance.SignedBy(keys...)}, MaxLevel: b.MaxLevel})
	}
	return out, dedupKeys(all)
}

func dedupKeys(keys []*buildtrust.PublicKey) []*buildtrust.PublicKey {
	seen := map[string]bool{}
	var out []*buildtrust.PublicKey
	for _, k := range keys {
		if !seen[k.ID()] {
			seen[k.ID()] = true
			out = append(out, k)
		}
	}
	return out
}

func (p *Policy) compileArtifact(ps *problems, i int) *compiledArtifact {
	a := &p.doc.Artifacts[i]
	at := fmt.Sprintf("/artifacts/%d", i)
	ca := &compiledArtifact{index: i, doc: a}
	if len(a.Match.Names) == 0 && len(a.Match.PURLs) == 0 {
		ps.add(at+"/match", "match selects nothing: give names or purls (\"*\" selects every artifact)")
	}
	for j, pat := range append(slices.Clone(a.Match.Names), a.Match.PURLs...) {
		if _, err := path.Match(pat, ""); err != nil {
			ps.add(fmt.Sprintf("%s/match/%d", at, j), "bad pattern %q: %v", pat, err)
		}
	}
	if a.BuildLevel < 0 || a.BuildLevel > 3 {
		ps.add(at+"/buildLevel", "buildLevel must be 0–3")
	}
	if a.BuildEnvLevel < 0 || a.BuildEnvLevel > 3 {
		ps.add(at+"/buildEnvLevel", "buildEnvLevel must be 0–3")
	}
	// BENV-L1-3, BENV-L2-5: a BuildEnv level presumes the Build level of
	// the platform (L1 needs Build L2, L2 and L3 need Build L3).
	if need := buildLevelFor(a.BuildEnvLevel); a.BuildLevel < need {
		ps.add(at+"/buildLevel", "buildEnvLevel %d requires buildLevel %d or more (BENV-L1-3, BENV-L2-5)", a.BuildEnvLevel, need)
	}
	if a.BuildLevel > 0 && a.Provenance == nil && a.AcceptVSAs == nil {
		ps.add(at, "buildLevel %d needs provenance expectations (or acceptVSAs)", a.BuildLevel)
	}
	if a.BuildLevel == 0 && a.Provenance == nil && a.AcceptVSAs == nil && len(a.Rules) == 0 {
		ps.add(at, "this entry checks nothing: set buildLevel with provenance expectations, acceptVSAs or rules")
	}
	if a.Provenance != nil {
		ca.exp = p.compileExpectations(ps, at+"/provenance", a.Provenance)
	}
	if a.AcceptVSAs != nil && len(p.doc.Trust.Verifiers) == 0 {
		ps.add(at+"/acceptVSAs", "VSAs are accepted but trust.verifiers is empty")
	}
	if a.BuildEnvLevel > 0 || a.Environment != "" || a.RequireResponseBinding {
		env, ok := p.environments[a.Environment]
		switch {
		case a.Environment == "":
			ps.add(at+"/environment", "buildEnvLevel %d needs an environment", a.BuildEnvLevel)
		case !ok:
			ps.add(at+"/environment", "unknown environment %q", a.Environment)
		default:
			ca.env = env
		}
		p.requireEnvironmentTrust(ps, at, a)
	}
	for j, name := range a.Rules {
		r, ok := p.rules[name]
		if !ok {
			if !p.ruleDeclared(name) {
				ps.add(fmt.Sprintf("%s/rules/%d", at, j), "unknown rule %q", name)
			}
			continue
		}
		ca.rules = append(ca.rules, r)
	}
	return ca
}

func (p *Policy) ruleDeclared(name string) bool {
	for _, r := range p.doc.Rules {
		if r.Name == name {
			return true
		}
	}
	return false
}

// acceptsImageVSAs reports whether the artifact's environment lets image
// VSAs stand in for image provenance (then trust.verifiers, not
// trust.imageBuilders, vouches for the image).
func (p *Policy) acceptsImageVSAs(a *Artifact) bool {
	e, ok := p.doc.Environments[a.Environment]
	return ok && e.AcceptImageVSAs != nil
}

// requireEnvironmentTrust reports the trust inputs a BuildEnv level needs
// and the policy lacks: missing roots fail at compile time, not as a
// surprise denial for every artifact.
func (p *Policy) requireEnvironmentTrust(ps *problems, at string, a *Artifact) {
	t := &p.doc.Trust
	if a.BuildEnvLevel >= 1 && len(t.ImageBuilders) == 0 && !p.acceptsImageVSAs(a) {
		ps.add(at+"/buildEnvLevel", "BuildEnv L1 needs trust.imageBuilders (BENV-L1-1)")
	}
	if a.BuildEnvLevel >= 2 {
		if len(t.ImageProducers) == 0 {
			ps.add(at+"/buildEnvLevel", "BuildEnv L2 needs trust.imageProducers to sign reference values (BENV-L2-2)")
		}
		if t.TPM == nil {
			ps.add(at+"/buildEnvLevel", "BuildEnv L2 needs trust.tpm (BENV-L2-3)")
		}
	}
	if (a.BuildEnvLevel >= 3 || a.RequireResponseBinding) && t.SEVSNP == nil && t.TDX == nil {
		ps.add(at+"/buildEnvLevel", "BuildEnv L3 needs trust.sevsnp or trust.tdx (BENV-L3-1)")
	}
}

func buildLevelFor(envLevel int) int {
	switch {
	case envLevel >= 2:
		return 3
	case envLevel == 1:
		return 2
	}
	return 0
}

func (p *Policy) compileExpectations(ps *problems, at string, e *ProvenanceExpectations) *provenance.Expectations {
	if len(e.Builders) == 0 {
		ps.add(at+"/builders", "no builders: name at least one trusted builder ID")
	}
	for i, id := range e.Builders {
		found := false
		for _, b := range p.doc.Trust.Builders {
			if b.ID == id || strings.HasPrefix(id, b.ID+"@") || strings.HasPrefix(b.ID, id+"@") {
				found = true
			}
		}
		if !found {
			ps.add(fmt.Sprintf("%s/builders/%d", at, i), "builder %q is not in trust.builders", id)
		}
	}
	if e.SourceRepository == "" && !e.InsecureSkipSource {
		ps.add(at+"/sourceRepository", "sourceRepository is required (or insecureSkipSource): without it a build from a fork passes (THREAT-D1)")
	}
	if e.Branch != "" && (e.Tag != "" || e.VersionedTag != "") {
		ps.add(at, "set branch or tag/versionedTag, not both")
	}
	params := map[string]provenance.ParameterRule{}
	for ptr, values := range e.Parameters {
		if ptr != "" && !strings.HasPrefix(ptr, "/") {
			ps.add(at+docdecode.Pointer("parameters", ptr), "parameter keys are JSON Pointers starting with /")
		}
		if len(values) == 0 {
			ps.add(at+docdecode.Pointer("parameters", ptr), "no allowed values")
		}
		params[ptr] = provenance.ParameterRule{Values: values}
	}
	var deps []provenance.DependencyRule
	for i, d := range e.Dependencies {
		dat := fmt.Sprintf("%s/dependencies/%d", at, i)
		if d.URI == "" || d.URI == "*" {
			ps.add(dat+"/uri", "a dependency rule needs a uri (or a prefix ending in *)")
		}
		rule := provenance.DependencyRule{URI: d.URI, Required: d.Required}
		for j, ds := range d.Digests {
			set := buildtrust.DigestSet(ds)
			if err := set.Validate(); err != nil {
				ps.add(fmt.Sprintf("%s/digests/%d", dat, j), "%v", err)
			}
			rule.Digests = append(rule.Digests, set)
		}
		deps = append(deps, rule)
	}
	return &provenance.Expectations{
		Dependencies: deps,
		BuilderIDs:   e.Builders, BuilderVersions: e.BuilderVersions, SourceRepository: e.SourceRepository,
		SourceBranch: e.Branch, SourceTag: e.Tag, SourceVersionedTag: e.VersionedTag, SourceCommit: e.Commit,
		ConfigPath: e.ConfigPath, BuildTypes: e.BuildTypes, Parameters: params, IgnoreParameters: e.IgnoreParameters,
		InsecureSkipSource: e.InsecureSkipSource, InsecureAllowUnknownParameters: e.InsecureAllowUnknownParameters,
	}
}

func (p *Policy) compileEnvironment(ps *problems, name string, e *Environment) *compiledEnvironment {
	at := docdecode.Pointer("environments", name)
	ce := &compiledEnvironment{name: name, doc: e}
	for i, d := range e.Images {
		ds := buildtrust.DigestSet(d)
		if err := ds.Validate(); err != nil {
			ps.add(fmt.Sprintf("%s/images/%d", at, i), "%v", err)
		}
		ce.images = append(ce.images, ds)
	}
	for i, id := range e.ImageBuilders {
		found := false
		for _, b := range p.doc.Trust.ImageBuilders {
			found = found || b.ID == id
		}
		if !found {
			ps.add(fmt.Sprintf("%s/imageBuilders/%d", at, i), "image builder %q is not in trust.imageBuilders", id)
		}
	}
	if e.AcceptImageVSAs != nil && len(p.doc.Trust.Verifiers) == 0 {
		ps.add(at+"/acceptImageVSAs", "image VSAs are accepted but trust.verifiers is empty")
	}
	if len(e.Components) == 0 {
		ce.components = slices.Clone(scai.RequiredComponents)
	}
	for _, c := range e.Components {
		ce.components = append(ce.components, scai.Component(c))
	}
	for _, c := range ce.components {
		ce.componentIDs = append(ce.componentIDs, CheckEnvBootComponent+string(c))
	}
	if e.TPM != nil {
		for i, v := range e.TPM.PCRs {
			ce.pcrs = append(ce.pcrs, tpm.PCRReference{Bank: v.Bank, Index: v.Index, Values: v.Values})
			rv := tpm.ReferenceValues{Type: tpm.ReferenceValuesType, PCRs: []tpm.PCRReference{ce.pcrs[len(ce.pcrs)-1]}}
			if err := rv.Validate(); err != nil {
				ps.add(fmt.Sprintf("%s/tpm/pcrs/%d", at, i), "%v", err)
			}
		}
		for i, idx := range e.TPM.RequiredPCRs {
			if idx < 0 || idx > 23 {
				ps.add(fmt.Sprintf("%s/tpm/requiredPCRs/%d", at, i), "PCR index must be 0–23")
			}
		}
	}
	if p.snpRoots != nil {
		ce.snp, ce.snpWant = p.snpVerifier(ps, at+"/sevsnp", e.SEVSNP)
	} else if e.SEVSNP != nil {
		ps.add(at+"/sevsnp", "SEV-SNP expectations without trust.sevsnp roots")
	}
	if p.tdxRoots != nil {
		ce.tdx, ce.tdxWant = p.tdxVerifier(ps, at+"/tdx", e.TDX)
	} else if e.TDX != nil {
		ps.add(at+"/tdx", "TDX expectations without trust.tdx roots")
	}
	return ce
}

// snpVerifier builds the environment's SEV-SNP verifier. Measurements are
// compared by Evaluate itself, against the policy's values and the image
// producer's signed reference values (buildenv.hardware.measurement), so the
// verifier accepts any measurement and reports it in the claims.
func (p *Policy) snpVerifier(ps *problems, at string, e *SEVSNPExpectations) (*sevsnp.Verifier, [][]byte) {
	if e == nil {
		e = &SEVSNPExpectations{}
	}
	opts := sevsnp.Options{Roots: p.snpRoots, Product: e.Product, InsecureAnyMeasurement: true,
		MinimumGuestSVN: e.MinimumGuestSVN, RefuseSMT: e.RefuseSMT, PermitProvisionalFirmware: e.PermitProvisionalFirmware,
		InsecureAllowDebug: e.InsecureAllowDebug}
	if e.MinimumTCB != nil {
		opts.MinimumTCB = sevsnp.TCBParts{Bootloader: e.MinimumTCB.Bootloader, TEE: e.MinimumTCB.TEE, SNP: e.MinimumTCB.SNP, Microcode: e.MinimumTCB.Microcode, FMC: e.MinimumTCB.FMC}
	}
	if e.VMPL != nil {
		if *e.VMPL < 0 || *e.VMPL > 3 {
			ps.add(at+"/vmpl", "vmpl must be 0–3")
		}
		v := uint32(*e.VMPL)
		opts.VMPL = &v
	}
	if e.HostData != "" {
		opts.HostData = hexField(ps, at+"/hostData", e.HostData, 32)
	}
	var want [][]byte
	for i, m := range e.Measurements {
		want = append(want, hexField(ps, fmt.Sprintf("%s/measurements/%d", at, i), m, 48))
	}
	v, err := sevsnp.NewVerifier(opts)
	if err != nil {
		ps.add(at, "%v", err)
	}
	return v, want
}

func (p *Policy) tdxVerifier(ps *problems, at string, e *TDXExpectations) (*tdx.Verifier, [][]byte) {
	if e == nil {
		e = &TDXExpectations{}
	}
	opts := tdx.Options{Roots: p.tdxRoots, InsecureAnyMeasurement: true, AcceptedTCBStatuses: e.AcceptedTCBStatuses,
		InsecureAllowDebug: e.InsecureAllowDebug}
	if len(e.RTMRs) > 4 {
		ps.add(at+"/rtmrs", "at most 4 RTMRs")
	}
	for i, r := range e.RTMRs {
		if i < 4 && r != "" {
			opts.RTMRs[i] = hexField(ps, fmt.Sprintf("%s/rtmrs/%d", at, i), r, 48)
		}
	}
	if e.MinimumTEETCBSVN != "" {
		copy(opts.MinimumTEETCBSVN[:], hexField(ps, at+"/minimumTEETCBSVN", e.MinimumTEETCBSVN, 16))
	}
	var want [][]byte
	for i, m := range e.MRTDs {
		want = append(want, hexField(ps, fmt.Sprintf("%s/mrtds/%d", at, i), m, 48))
	}
	v, err := tdx.NewVerifier(opts)
	if err != nil {
		ps.add(at, "%v", err)
	}
	return v, want
}

func hexField(ps *problems, at, s string, n int) []byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != n || strings.ToLower(s) != s {
		ps.add(at, "want %d bytes of lowercase hex", n)
		return nil
	}
	return b
}

// Document returns a copy of the policy's document.
func (p *Policy) Document() Document { return p.doc }

// Digest returns the digest of the bytes the policy was parsed from (nil
// for a policy compiled from a Document).
func (p *Policy) Digest() buildtrust.DigestSet { return p.source.Clone() }

func sourceDigest(data []byte) buildtrust.DigestSet {
	sum := sha256.Sum256(data)
	return buildtrust.DigestSet{buildtrust.SHA256: hex.EncodeToString(sum[:])}
}

// requireTime rejects a zero evaluation time: every verifier below takes the
// time explicitly, and a hidden time.Now would make decisions irreproducible.
func requireTime(t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%w: no evaluation time", ErrInput)
	}
	return nil
}

// certPool reads a PEM text of CERTIFICATE blocks. Anything else in it —
// another block type, a certificate that does not parse, no certificate at
// all — is an error, never skipped: a root the author meant to trust must
// not silently go missing.
func certPool(pemText string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	n := 0
	rest := []byte(pemText)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("a %q block where only certificates belong", b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %v", n+1, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 || len(bytes.TrimSpace(rest)) > 0 {
		return nil, fmt.Errorf("want PEM certificates only, found %d and %d stray bytes", n, len(bytes.TrimSpace(rest)))
	}
	return pool, nil
}
