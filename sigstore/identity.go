package sigstore

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
)

// IdentityKind is the provenance.Identity Kind of a Fulcio certificate
// identity.
const IdentityKind = "sigstore"

// GitHubActionsIssuer is the OIDC issuer of GitHub Actions workflow tokens.
const GitHubActionsIssuer = "https://token.actions.githubusercontent.com"

// CertIdentity is the identity a Fulcio certificate attests: the OIDC
// issuer, the SubjectAlternativeName, and the Fulcio extensions
// (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md). For
// certificates that predate the v2 extensions (OIDs 1.3.6.1.4.1.57264.1.8
// to .22), the GitHub fields are taken from the deprecated .2–.6
// extensions: source repository "https://github.com/" + .5, ref .6, digest
// .3, trigger .2. Fields the certificate does not carry are empty.
type CertIdentity struct {
	Issuer                 string `json:"issuer"`
	SAN                    string `json:"san"`
	SourceRepositoryURI    string `json:"sourceRepositoryURI,omitempty"`
	SourceRepositoryDigest string `json:"sourceRepositoryDigest,omitempty"`
	SourceRepositoryRef    string `json:"sourceRepositoryRef,omitempty"`
	BuildSignerURI         string `json:"buildSignerURI,omitempty"`
	BuildSignerDigest      string `json:"buildSignerDigest,omitempty"`
	RunnerEnvironment      string `json:"runnerEnvironment,omitempty"`
	BuildTrigger           string `json:"buildTrigger,omitempty"`
	BuildConfigURI         string `json:"buildConfigURI,omitempty"`
	RunInvocationURI       string `json:"runInvocationURI,omitempty"`
}

// identityFromSummary maps sigstore-go's certificate summary.
func identityFromSummary(s certificate.Summary) CertIdentity {
	e := s.Extensions
	id := CertIdentity{
		Issuer:                 e.Issuer,
		SAN:                    s.SubjectAlternativeName,
		SourceRepositoryURI:    e.SourceRepositoryURI,
		SourceRepositoryDigest: e.SourceRepositoryDigest,
		SourceRepositoryRef:    e.SourceRepositoryRef,
		BuildSignerURI:         e.BuildSignerURI,
		BuildSignerDigest:      e.BuildSignerDigest,
		RunnerEnvironment:      e.RunnerEnvironment,
		BuildTrigger:           e.BuildTrigger,
		BuildConfigURI:         e.BuildConfigURI,
		RunInvocationURI:       e.RunInvocationURI,
	}
	if id.Issuer == GitHubActionsIssuer {
		if id.SourceRepositoryURI == "" && e.GithubWorkflowRepository != "" {
			id.SourceRepositoryURI = "https://github.com/" + e.GithubWorkflowRepository
		}
		if id.SourceRepositoryRef == "" {
			id.SourceRepositoryRef = e.GithubWorkflowRef
		}
		if id.SourceRepositoryDigest == "" {
			id.SourceRepositoryDigest = e.GithubWorkflowSHA
		}
		if id.BuildTrigger == "" {
			id.BuildTrigger = e.GithubWorkflowTrigger
		}
	}
	return id
}

// identityFromCertificate summarizes a parsed leaf certificate.
func identityFromCertificate(c *x509.Certificate) (CertIdentity, error) {
	s, err := certificate.SummarizeCertificate(c)
	if err != nil {
		return CertIdentity{}, err
	}
	return identityFromSummary(s), nil
}

// String is the canonical form of the identity: deterministic JSON (fixed
// field order, empty fields omitted). It is the ID of the
// provenance.Identity, so equal identities have equal IDs.
func (c CertIdentity) String() string {
	b, err := json.Marshal(c)
	if err != nil { // cannot happen: only strings
		return ""
	}
	return string(b)
}

// ProvenanceIdentity is the signer identity for provenance.Attestation:
// Kind IdentityKind and ID the canonical string.
func (c CertIdentity) ProvenanceIdentity() provenance.Identity {
	return provenance.Identity{Kind: IdentityKind, ID: c.String()}
}

// ParseIdentity reads the ID of a provenance.Identity of kind IdentityKind
// back into a CertIdentity.
func ParseIdentity(id provenance.Identity) (CertIdentity, error) {
	if id.Kind != IdentityKind {
		return CertIdentity{}, fmt.Errorf("%w: identity kind %q", ErrMalformed, id.Kind)
	}
	if len(id.ID) > MaxBundleSize {
		return CertIdentity{}, fmt.Errorf("%w: identity too long", buildtrust.ErrTooLarge)
	}
	var c CertIdentity
	if err := json.Unmarshal([]byte(id.ID), &c); err != nil {
		return CertIdentity{}, fmt.Errorf("%w: identity: %v", ErrMalformed, err)
	}
	if c.String() != id.ID { // only canonical IDs are accepted
		return CertIdentity{}, fmt.Errorf("%w: identity is not canonical", ErrMalformed)
	}
	return c, nil
}

// IdentityRule is the certificate identity a consumer trusts (PROV-9): the
// OIDC issuer and the SubjectAlternativeName, optionally narrowed by Fulcio
// extensions. Compile it to get a Matcher, which is a
// provenance.SignerRule for provenance.TrustedBuilder.Signers.
type IdentityRule struct {
	// Issuer is the exact OIDC issuer. Required: a rule without it is invalid.
	Issuer string
	// SAN is the exact SubjectAlternativeName, e.g.
	// "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0".
	// Exactly one of SAN and SANRegexp is required.
	SAN string
	// SANRegexp is a regular expression the whole SAN must match: it is
	// anchored as ^(?:SANRegexp)$, so a pattern cannot match a prefix of a
	// fork's or attacker's workflow by accident.
	SANRegexp string
	// The Fulcio extensions, each compared exactly when non-empty; empty
	// means not constrained.
	SourceRepositoryURI    string
	SourceRepositoryDigest string
	SourceRepositoryRef    string
	BuildSignerURI         string
	BuildSignerDigest      string
	RunnerEnvironment      string
	BuildTrigger           string
}

// Matcher is a compiled IdentityRule. It implements provenance.SignerRule.
type Matcher struct {
	rule IdentityRule
	san  *regexp.Regexp
}

var _ provenance.SignerRule = (*Matcher)(nil)

// Compile validates the rule: Issuer set, exactly one of SAN and SANRegexp,
// and the regexp valid. Errors wrap ErrInvalidRule.
func (r IdentityRule) Compile() (*Matcher, error) {
	if r.Issuer == "" {
		return nil, fmt.Errorf("%w: issuer is required", ErrInvalidRule)
	}
	if (r.SAN == "") == (r.SANRegexp == "") {
		return nil, fmt.Errorf("%w: exactly one of SAN and SANRegexp is required", ErrInvalidRule)
	}
	m := &Matcher{rule: r}
	if r.SANRegexp != "" {
		if len(r.SANRegexp) > maxSANRegexpLen {
			return nil, fmt.Errorf("%w: SAN regexp longer than %d bytes", ErrInvalidRule, maxSANRegexpLen)
		}
		re, err := regexp.Compile(`^(?:` + r.SANRegexp + `)$`)
		if err != nil {
			return nil, fmt.Errorf("%w: SAN regexp: %v", ErrInvalidRule, err)
		}
		m.san = re
	}
	return m, nil
}

// MustCompile is Compile that panics on an invalid rule; for rules written
// in source code.
func (r IdentityRule) MustCompile() *Matcher {
	m, err := r.Compile()
	if err != nil {
		panic(err)
	}
	return m
}

// AcceptsSigner implements provenance.SignerRule: the identity is a
// sigstore certificate identity that satisfies every part of the rule.
func (m *Matcher) AcceptsSigner(id provenance.Identity) bool {
	if m == nil || id.Kind != IdentityKind {
		return false
	}
	c, err := ParseIdentity(id)
	if err != nil {
		return false
	}
	return m.Check(c) == nil
}

// Check compares the identity with the rule and records one named check
// per constrained field (issuer, SAN, each extension). It returns the first
// failure as a *buildtrust.CheckError wrapping ErrIdentity and the check's
// threats, or nil.
func (m *Matcher) Check(c CertIdentity) error {
	_, err := m.Checks(c)
	return err
}

// Checks is Check, also returning every check it ran.
func (m *Matcher) Checks(c CertIdentity) ([]buildtrust.Check, error) {
	var checks []buildtrust.Check
	var first error
	cmp := func(id, want, got string) {
		switch {
		case want == "":
			notApplicable(&checks, id, "not constrained by the rule")
		case want == got:
			pass(&checks, id, want, got)
		default:
			err := fail(&checks, id, ErrIdentity, want, got, "certificate has %q, rule requires %q", got, want)
			if first == nil {
				first = err
			}
		}
	}
	cmp(CheckIdentityIssuer, m.rule.Issuer, c.Issuer)
	if m.san != nil {
		if m.san.MatchString(c.SAN) {
			pass(&checks, CheckIdentitySAN, m.san.String(), c.SAN)
		} else if err := fail(&checks, CheckIdentitySAN, ErrIdentity, m.san.String(), c.SAN, "SAN %q does not match %s", c.SAN, m.san); first == nil {
			first = err
		}
	} else {
		cmp(CheckIdentitySAN, m.rule.SAN, c.SAN)
	}
	cmp(CheckIdentitySourceRepo, m.rule.SourceRepositoryURI, c.SourceRepositoryURI)
	cmp(CheckIdentitySourceDigest, m.rule.SourceRepositoryDigest, c.SourceRepositoryDigest)
	cmp(CheckIdentitySourceRef, m.rule.SourceRepositoryRef, c.SourceRepositoryRef)
	cmp(CheckIdentityBuildSigner, m.rule.BuildSignerURI, c.BuildSignerURI)
	cmp(CheckIdentityBuildDigest, m.rule.BuildSignerDigest, c.BuildSignerDigest)
	cmp(CheckIdentityRunnerEnv, m.rule.RunnerEnvironment, c.RunnerEnvironment)
	cmp(CheckIdentityTrigger, m.rule.BuildTrigger, c.BuildTrigger)
	return checks, first
}

// workflowPath returns a GitHub workflow URI without its "@ref" suffix.
func workflowPath(uri string) string {
	if i := strings.LastIndexByte(uri, '@'); i >= 0 {
		return uri[:i]
	}
	return uri
}
