package threat

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Errors returned (wrapped, and joined with errors.Join) by
// [Assessment.Validate].
var (
	// ErrInvalidAssessment reports a malformed assessment: no builder, a
	// claimed level outside Build L0–L3, a missing or inverted validity
	// window, or no validation time.
	ErrInvalidAssessment = errors.New("threat: invalid builder assessment")
	// ErrUnknownPrompt reports an answer to a prompt ID that is not in the
	// questionnaire (see [LookupPrompt]).
	ErrUnknownPrompt = errors.New("threat: unknown assessment prompt")
	// ErrUnansweredPrompt reports a prompt that a Build L3 assessment leaves
	// unanswered or answers with only white space.
	ErrUnansweredPrompt = errors.New("threat: unanswered assessment prompt")
	// ErrAssessmentExpired reports that the validation time is outside the
	// assessment's validity window: it has expired or is not yet valid (like
	// crypto/x509's Expired reason, one sentinel covers both).
	ErrAssessmentExpired = errors.New("threat: builder assessment expired or not yet valid")
)

// Assessment is a builder operator's answers to the build platform
// questionnaire (see [Components] and [Prompts]) together with the Build
// level the answers are meant to support (ASSESS-3…ASSESS-9).
//
// A consumer uses an assessment to decide which Build level to trust a
// builder for (PROV-VER-1, PROV-VER-10): the provenance alone cannot show how
// a platform is built and operated. Per ASSESS-9 ([BuilderEvaluation]) the
// answers are either self-attested (and should then be published) or
// certified by a third party.
//
// Historic note (ASSESS-H1): SLSA v1.0-rc1 required all provenance from
// Build L3+ builders to carry a non-forgeable attestation of the builder's
// L3+ capabilities with a limited validity period, signed with secrets
// belonging to the attesting party; the clause was removed before v1.0 and
// no format for it was ever specified. Assessment keeps the time-limited
// idea: a Build L3 assessment must have an expiry ([Assessment.ExpiresAt]).
// Signing and distributing assessments is out of scope for this package.
type Assessment struct {
	// Builder is the builder.id (PROV-8) the assessment is about. Required.
	Builder string
	// ClaimedLevel is the Build level (0–3) the operator claims.
	ClaimedLevel int
	// Answers maps prompt IDs (see [LookupPrompt]) to answers. Every key
	// must be a known prompt ID. At ClaimedLevel 3 every prompt of the v1.0
	// questionnaire must have a non-blank answer; the draft-only prompt may
	// be answered but is not required.
	Answers map[string]string
	// Assessor identifies who certified the answers, for a third-party
	// assessment. The zero value means none is named.
	Assessor string
	// SelfAttested reports that the builder's operator attests to the
	// answers itself rather than a third-party assessor.
	SelfAttested bool
	// IssuedAt is when the assessment becomes valid. The zero value means no
	// lower bound.
	IssuedAt time.Time
	// ExpiresAt is when the assessment stops being valid (exclusive). The
	// zero value means no expiry, which is allowed only below Build L3.
	ExpiresAt time.Time
}

// Validate checks the assessment against the questionnaire at time now and
// returns nil if it is well formed and valid, or all problems found joined
// with errors.Join. Each problem wraps one of [ErrInvalidAssessment],
// [ErrUnknownPrompt], [ErrUnansweredPrompt] or [ErrAssessmentExpired]; test
// for them with errors.Is. It checks that:
//
//   - Builder is not blank and ClaimedLevel is between 0 and 3;
//   - every key of Answers is a known prompt ID;
//   - at ClaimedLevel 3, every prompt of the v1.0 questionnaire has a
//     non-blank answer and ExpiresAt is set (the time-limited attestation of
//     ASSESS-H1);
//   - when both are set, IssuedAt is before ExpiresAt;
//   - when IssuedAt or ExpiresAt is set, now is not zero and lies in
//     [IssuedAt, ExpiresAt).
//
// Validate does not judge the answers themselves: whether they support the
// claimed level is for the consumer (or its assessor) to decide.
func (a Assessment) Validate(now time.Time) error {
	var errs []error
	bad := func(sentinel error, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...))
	}

	if strings.TrimSpace(a.Builder) == "" {
		bad(ErrInvalidAssessment, "no builder")
	}
	if a.ClaimedLevel < 0 || a.ClaimedLevel > 3 {
		bad(ErrInvalidAssessment, "claimed level %d is not a Build level (0-3)", a.ClaimedLevel)
	}
	if a.ClaimedLevel == 3 && a.ExpiresAt.IsZero() {
		bad(ErrInvalidAssessment, "a Build L3 assessment must expire (ExpiresAt unset)")
	}
	if !a.IssuedAt.IsZero() && !a.ExpiresAt.IsZero() && !a.IssuedAt.Before(a.ExpiresAt) {
		bad(ErrInvalidAssessment, "issued at %s, not before expiry %s",
			a.IssuedAt.Format(time.RFC3339), a.ExpiresAt.Format(time.RFC3339))
	}
	if !a.IssuedAt.IsZero() || !a.ExpiresAt.IsZero() {
		switch {
		case now.IsZero():
			bad(ErrInvalidAssessment, "no validation time for an assessment with a validity window")
		case !a.IssuedAt.IsZero() && now.Before(a.IssuedAt):
			bad(ErrAssessmentExpired, "not valid before %s (now %s)",
				a.IssuedAt.Format(time.RFC3339), now.Format(time.RFC3339))
		case !a.ExpiresAt.IsZero() && !now.Before(a.ExpiresAt):
			bad(ErrAssessmentExpired, "expired at %s (now %s)",
				a.ExpiresAt.Format(time.RFC3339), now.Format(time.RFC3339))
		}
	}

	var unknown []string
	for id := range a.Answers {
		if _, ok := promptByID[id]; !ok {
			unknown = append(unknown, id)
		}
	}
	slices.Sort(unknown)
	for _, id := range unknown {
		bad(ErrUnknownPrompt, "%q", id)
	}

	if a.ClaimedLevel == 3 {
		for _, c := range components {
			for _, p := range c.Prompts {
				if p.In(VersionV10) && strings.TrimSpace(a.Answers[p.ID]) == "" {
					bad(ErrUnansweredPrompt, "%q", p.ID)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// Coverage splits the catalog into the threats a verifier or policy
// mitigates and those it leaves open.
type Coverage struct {
	// Mitigated lists the catalog threats named as mitigated, in catalog
	// order.
	Mitigated []Threat
	// Open lists every other catalog threat except those whose Level is
	// [NotAProblem], in catalog order.
	Open []Threat
}

// Cover reports which catalog threats remain open when the threats listed in
// mitigated are mitigated, for example by the checks of a policy. Unknown and
// duplicate IDs are ignored. A [NotAProblem] threat (E2) is never open; it
// appears in Mitigated only if listed.
func Cover(mitigated []ID) Coverage {
	set := make(map[ID]bool, len(mitigated))
	for _, id := range mitigated {
		set[id] = true
	}
	var c Coverage
	for _, t := range catalog {
		switch {
		case set[t.ID]:
			c.Mitigated = append(c.Mitigated, t.clone())
		case t.Level != NotAProblem:
			c.Open = append(c.Open, t.clone())
		}
	}
	return c
}
