package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/strictjson"
	"github.com/buildtrust/buildtrust/threat"
)

// AssessmentPredicateType is the predicate type of a signed builder
// assessment: the answers of a build platform's operator (or of an auditor)
// to the SLSA "verifying build systems" questionnaire, the Build level they
// are meant to support, who assessed, and for how long it holds. SLSA names
// no format for it (ASSESS-H1 removed the v1.0-rc1 clause); this is
// buildtrust's.
const AssessmentPredicateType = "https://buildtrust.dev/builder-assessment/v1"

// ErrAssessment: a builder assessment is missing, unsigned by a trusted
// party, self-asserted where a third party is required, expired, or does not
// support the claimed level.
var ErrAssessment = errors.New("policy: builder assessment not acceptable")

// AssessmentPredicate is the JSON predicate of a builder assessment.
type AssessmentPredicate struct {
	Builder      AssessmentBuilder `json:"builder"`
	ClaimedLevel int               `json:"claimedLevel"`
	// Answers maps threat prompt IDs ("control-plane/administration/1") to
	// the operator's answers.
	Answers map[string]string `json:"answers"`
	// Assessor names the third party that certified the answers; absent
	// for a self-assessment.
	Assessor     *AssessmentParty `json:"assessor,omitempty"`
	SelfAttested bool             `json:"selfAttested"`
	IssuedAt     time.Time        `json:"issuedAt"`
	ExpiresAt    time.Time        `json:"expiresAt"`
}

// AssessmentBuilder names the assessed builder by its builder.id.
type AssessmentBuilder struct {
	ID string `json:"id"`
}

// AssessmentParty names an assessor.
type AssessmentParty struct {
	ID string `json:"id"`
}

// Threat returns the assessment in the threat package's terms, for
// threat.Assessment.Validate.
func (a *AssessmentPredicate) Threat() threat.Assessment {
	t := threat.Assessment{Builder: a.Builder.ID, ClaimedLevel: a.ClaimedLevel, Answers: a.Answers,
		SelfAttested: a.SelfAttested, IssuedAt: a.IssuedAt, ExpiresAt: a.ExpiresAt}
	if a.Assessor != nil {
		t.Assessor = a.Assessor.ID
	}
	return t
}

// builderSubject is the statement subject naming a builder: in-toto
// subjects need a digest, and a builder is named by its ID, so the subject
// is the ID with the SHA-256 of its UTF-8 bytes.
func builderSubject(id string) buildtrust.ResourceDescriptor {
	sum := sha256.Sum256([]byte(id))
	return buildtrust.ResourceDescriptor{URI: id, Digest: buildtrust.DigestSet{buildtrust.SHA256: hex.EncodeToString(sum[:])}}
}

// NewAssessment builds the statement of a builder assessment, after
// checking it with threat.Assessment.Validate at its IssuedAt time. Sign it
// with buildtrust.SignStatement: with the assessor's key for a third-party
// assessment, the operator's for a self-assessment.
func NewAssessment(a AssessmentPredicate) (*buildtrust.Statement, error) {
	if a.IssuedAt.IsZero() || a.ExpiresAt.IsZero() {
		return nil, fmt.Errorf("%w: an assessment needs issuedAt and expiresAt", ErrAssessment)
	}
	if err := a.Threat().Validate(a.IssuedAt); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAssessment, err)
	}
	if a.SelfAttested == (a.Assessor != nil) {
		return nil, fmt.Errorf("%w: an assessment is either self-attested or names its assessor", ErrAssessment)
	}
	a.IssuedAt, a.ExpiresAt = a.IssuedAt.UTC(), a.ExpiresAt.UTC()
	return buildtrust.NewStatement(AssessmentPredicateType, a, builderSubject(a.Builder.ID))
}

// ParseAssessment decodes a builder-assessment predicate strictly
// (duplicate keys, case-folded names rejected; unknown fields ignored). It
// establishes no trust.
func ParseAssessment(st *buildtrust.Statement) (*AssessmentPredicate, error) {
	if st.PredicateType != AssessmentPredicateType {
		return nil, fmt.Errorf("%w: predicate type %q", ErrAssessment, st.PredicateType)
	}
	var a AssessmentPredicate
	if err := strictjson.Unmarshal(st.Predicate, &a, strictjson.Options{}); err != nil {
		return nil, fmt.Errorf("%w: %w", buildtrust.ErrMalformed, err)
	}
	want := builderSubject(a.Builder.ID)
	if len(st.Subject) != 1 || (buildtrust.DigestPolicy{}).Match(st.Subject[0].Digest, want.Digest) != nil {
		return nil, fmt.Errorf("%w: the subject does not name builder %q", ErrAssessment, a.Builder.ID)
	}
	return &a, nil
}

// assessment applies the trust entry's assessment requirement to the
// provenance that passed and returns the Build level it supports: the trust
// root's level, capped at L2 when the builder needs an assessment and has no
// acceptable one (PROV-VER-10: a consumer trusts a builder at L3 for how it
// is built and run, which provenance cannot show).
func (e *evaluation) assessment(prov *provOutcome) int {
	level := prov.result.BuildLevel
	builderID := prov.result.Provenance.RunDetails.Builder.ID
	var req *compiledAssessment
	var entryID string
	for _, b := range e.p.doc.Trust.Builders {
		if b.Assessment != nil && (b.ID == builderID || strings.HasPrefix(builderID, b.ID+"@")) {
			req, entryID = e.p.assess[b.ID], b.ID
			break
		}
	}
	threats := []threat.ID{threat.F1, threat.G1}
	advisory := e.art.doc.BuildLevel < 3
	if req == nil {
		e.add(notApplicable(CheckAssessment, threats, "the policy requires no assessment of this builder"))
		return level
	}
	if level < 3 {
		e.add(Check{Check: notApplicable(CheckAssessment, threats, "the builder is trusted below L3; no assessment needed").Check})
		return level
	}
	var lastWhy string
	for _, in := range e.envs {
		if in.st == nil || in.st.PredicateType != AssessmentPredicateType {
			continue
		}
		ok, why := e.acceptAssessment(in, req, entryID)
		if ok {
			e.use("assessment", in)
			e.add(pass(CheckAssessment, threats, in.source))
			return level
		}
		lastWhy = why
	}
	if lastWhy == "" {
		lastWhy = "no assessment of this builder was presented"
	}
	e.add(Check{Check: fail(CheckAssessment, threats, "a valid Build L3 assessment of "+entryID, "none", lastWhy+"; the builder is trusted at L2 at most").Check, Advisory: advisory})
	return min(level, 2)
}

// acceptAssessment verifies one assessment envelope against the requirement.
func (e *evaluation) acceptAssessment(in *envelopeIn, req *compiledAssessment, builderID string) (bool, string) {
	var keys []*buildtrust.PublicKey
	owner := map[string]string{} // key ID → assessor ID
	for id, ks := range e.p.assessors {
		for _, k := range ks {
			keys = append(keys, k)
			owner[k.ID()] = id
		}
	}
	if !req.thirdParty {
		for _, k := range req.selfKeys {
			keys = append(keys, k)
			owner[k.ID()] = ""
		}
	}
	vs, err := e.verify(in, dedupKeys(keys))
	if err != nil {
		return false, in.source + ": not signed by a trusted assessor" + map[bool]string{true: "", false: " or the builder's operator"}[req.thirdParty]
	}
	a, err := ParseAssessment(vs.Statement)
	if err != nil {
		return false, in.source + ": " + err.Error()
	}
	if a.Builder.ID != builderID {
		return false, fmt.Sprintf("%s: assesses %q, not %q", in.source, a.Builder.ID, builderID)
	}
	signer := owner[vs.Signers[0].ID()]
	switch {
	case signer == "" && !a.SelfAttested:
		return false, in.source + ": signed by the operator but not marked self-attested"
	case signer != "" && (a.SelfAttested || a.Assessor == nil || a.Assessor.ID != signer):
		return false, fmt.Sprintf("%s: signed by assessor %q but names another assessor", in.source, signer)
	case req.thirdParty && a.SelfAttested:
		return false, in.source + ": self-attested, but the policy requires a third-party assessment"
	}
	if a.ClaimedLevel < 3 {
		return false, fmt.Sprintf("%s: claims Build L%d, not L3", in.source, a.ClaimedLevel)
	}
	if err := a.Threat().Validate(e.in.Time); err != nil {
		return false, in.source + ": " + strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	return true, ""
}

// SignAssessment is NewAssessment followed by buildtrust.SignStatement.
func SignAssessment(ctx context.Context, a AssessmentPredicate, signers ...buildtrust.Signer) ([]byte, error) {
	st, err := NewAssessment(a)
	if err != nil {
		return nil, err
	}
	env, err := buildtrust.SignStatement(ctx, st, signers...)
	if err != nil {
		return nil, err
	}
	return json.Marshal(env)
}
