package tpm

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
	"github.com/buildtrust/buildtrust/threat"
)

// ReferenceValuesType identifies the JSON form of [ReferenceValues] (the
// "type" field), so a document is never read as something else.
const ReferenceValuesType = "https://buildtrust.dev/tpm/reference-values/v1"

// ReferenceValues are the measurements an image producer publishes as
// acceptable for its image (BENV-L2-2): per measured component, and/or per
// PCR, the digests or values that may appear. They are data — carried
// signed in the image's provenance or a SCAI attribute (BENV-EV-2,
// BENV-EV-3) — and [ReferenceValues.Check] compares a verified boot
// against them (BENV-L2-6).
type ReferenceValues struct {
	// Type must be ReferenceValuesType.
	Type string `json:"type"`
	// Components list acceptable values per component name.
	Components []ComponentReference `json:"components,omitempty"`
	// PCRs list acceptable values per PCR.
	PCRs []PCRReference `json:"pcrs,omitempty"`
}

// Match rules of a ComponentReference.
const (
	// MatchEvery (the default): at least one such component was measured,
	// and every measured one is among the accepted digests or values. For
	// firmware, bootloaders, kernels, initrds, files, commands, db.
	MatchEvery = "every"
	// MatchIncludes: every accepted digest or value was measured (others
	// may be too). For dbx: the revocations that must be present.
	MatchIncludes = "includes"
)

// ComponentReference says which digests or values a component may have.
type ComponentReference struct {
	// Name is a component name (Component… constants).
	Name string `json:"name"`
	// Digests are accepted digests, each a DigestSet ("sha256": hex, …); a
	// measured digest matches if the set has its algorithm and value.
	Digests []buildtrust.DigestSet `json:"digests,omitempty"`
	// Values are accepted values, for value components (kernel.cmdline,
	// secureboot, separator, grub.command, platform.technology).
	Values []string `json:"values,omitempty"`
	// Match is MatchEvery (empty) or MatchIncludes.
	Match string `json:"match,omitempty"`
	// Threats names extra threats this reference guards (default E9).
	Threats []threat.ID `json:"threats,omitempty"`
}

// PCRReference says which values a PCR may hold.
type PCRReference struct {
	// Bank is "sha256", "sha384", "sha512" or "sha1".
	Bank string `json:"bank"`
	// Index is the PCR index.
	Index int `json:"index"`
	// Values are accepted values, lowercase hex.
	Values []string `json:"values"`
}

// ParseReferenceValues decodes a reference-value document strictly
// (duplicate keys, invalid UTF-8, case-folded names and unknown fields are
// rejected) and validates it.
func ParseReferenceValues(data []byte) (*ReferenceValues, error) {
	var rv ReferenceValues
	if err := strictjson.Unmarshal(data, &rv, strictjson.Options{MaxBytes: limits.MaxReferenceValuesBytes, DisallowUnknownFields: true}); err != nil {
		return nil, fmt.Errorf("%w: reference values: %w", ErrMalformed, err)
	}
	if err := rv.Validate(); err != nil {
		return nil, err
	}
	return &rv, nil
}

// Validate checks the document's form: type, names, non-empty alternatives,
// digest sets, hex PCR values of the bank's size, and the limits.
func (rv *ReferenceValues) Validate() error {
	if rv.Type != ReferenceValuesType {
		return malformed("reference values type %q", rv.Type)
	}
	if len(rv.Components)+len(rv.PCRs) > limits.MaxReferenceComponents {
		return limits.TooLarge("reference values", limits.MaxReferenceComponents)
	}
	if len(rv.Components)+len(rv.PCRs) == 0 {
		return malformed("reference values list nothing")
	}
	for i, c := range rv.Components {
		if c.Name == "" {
			return malformed("component %d has no name", i)
		}
		n := len(c.Digests) + len(c.Values)
		if n == 0 {
			return malformed("component %q lists no digest or value", c.Name)
		}
		if n > limits.MaxReferenceAlternatives {
			return limits.TooLarge("alternatives of "+c.Name, limits.MaxReferenceAlternatives)
		}
		if c.Match != "" && c.Match != MatchEvery && c.Match != MatchIncludes {
			return malformed("component %q: match %q", c.Name, c.Match)
		}
		for _, d := range c.Digests {
			if err := d.Validate(); err != nil {
				return fmt.Errorf("%w: component %q: %w", ErrMalformed, c.Name, err)
			}
		}
	}
	for _, p := range rv.PCRs {
		h := hashByName(p.Bank)
		if h == 0 {
			return malformed("PCR reference bank %q", p.Bank)
		}
		if p.Index < 0 || p.Index > limits.MaxPCRIndex {
			return malformed("PCR reference index %d", p.Index)
		}
		if len(p.Values) == 0 {
			return malformed("PCR %s:%d lists no value", p.Bank, p.Index)
		}
		if len(p.Values) > limits.MaxReferenceAlternatives {
			return limits.TooLarge("PCR alternatives", limits.MaxReferenceAlternatives)
		}
		for _, v := range p.Values {
			if b, err := hex.DecodeString(v); err != nil || len(b) != h.Size() || strings.ToLower(v) != v {
				return malformed("PCR %s:%d value %q is not %d bytes of lowercase hex", p.Bank, p.Index, v, h.Size())
			}
		}
	}
	return nil
}

// Check compares verified measurements with the reference values and returns
// one Check per reference entry, in document order (BENV-L2-6): ID
// "tpm.refvalue.<component>" or "tpm.refvalue.pcr.<bank>.<index>", outcome
// PASS or FAIL, what was expected and what was measured. boot may be nil
// (then every component check fails: nothing was measured); quote may be nil
// (then every PCR check fails). The error is nil when every check passed;
// otherwise it is the *buildtrust.CheckError of the first failure, wrapping
// ErrReferenceValue and threat.E9. Check trusts its inputs: pass only the
// results of Verify / VerifyQuote / EventLog.Verify.
func (rv *ReferenceValues) Check(quote *VerifiedQuote, boot *BootState) ([]buildtrust.Check, error) {
	var checks []buildtrust.Check
	var first error
	record := func(c buildtrust.Check) {
		checks = append(checks, c)
		if c.Outcome == buildtrust.Fail && first == nil {
			first = checkErr(c.ID, c.Threats, ErrReferenceValue, "%s", c.Message)
		}
	}
	for _, ref := range rv.Components {
		record(ref.check(boot))
	}
	for _, ref := range rv.PCRs {
		record(ref.check(quote))
	}
	return checks, first
}

func (ref ComponentReference) check(boot *BootState) buildtrust.Check {
	threats := append(slices.Clone(refThreats), ref.Threats...)
	c := buildtrust.Check{ID: CheckRefValuePrefix + ref.Name, Threats: threats, Expected: ref.expected()}
	var measured []Component
	if boot != nil {
		measured = boot.ComponentsNamed(ref.Name)
	}
	var actual []string
	for _, m := range measured {
		actual = append(actual, m.text())
	}
	c.Actual = strings.Join(actual, ", ")
	if len(measured) == 0 {
		c.Outcome, c.Actual, c.Message = buildtrust.Fail, "absent", "component "+ref.Name+" was not measured in a quoted PCR"
		return c
	}
	if ref.Match == MatchIncludes {
		for _, want := range ref.Values {
			if !slices.ContainsFunc(measured, func(m Component) bool { return m.Hash == 0 && m.Value == want }) {
				c.Outcome, c.Message = buildtrust.Fail, "accepted value "+strconv.Quote(want)+" not measured"
				return c
			}
		}
		for _, want := range ref.Digests {
			if !slices.ContainsFunc(measured, func(m Component) bool { return m.matches(want) }) {
				c.Outcome, c.Message = buildtrust.Fail, "required digest not measured"
				return c
			}
		}
		c.Outcome = buildtrust.Pass
		return c
	}
	for _, m := range measured {
		if !ref.accepts(m) {
			c.Outcome, c.Message = buildtrust.Fail, "measured "+m.text()+" is not an accepted "+ref.Name
			return c
		}
	}
	c.Outcome = buildtrust.Pass
	return c
}

func (ref ComponentReference) accepts(m Component) bool {
	if m.Hash == 0 {
		return slices.Contains(ref.Values, m.Value)
	}
	return slices.ContainsFunc(ref.Digests, m.matches)
}

func (m Component) matches(d buildtrust.DigestSet) bool {
	if m.Hash == 0 {
		return false
	}
	v, ok := d[HashName(m.Hash)]
	return ok && v == hex.EncodeToString(m.Digest)
}

func (m Component) text() string {
	if m.Hash == 0 {
		return strconv.Quote(m.Value)
	}
	return HashName(m.Hash) + ":" + hex.EncodeToString(m.Digest)
}

func (ref ComponentReference) expected() string {
	var parts []string
	for _, v := range ref.Values {
		parts = append(parts, strconv.Quote(v))
	}
	for _, d := range ref.Digests {
		for _, alg := range []string{"sha512", "sha384", "sha256", "sha1"} {
			if v, ok := d[alg]; ok {
				parts = append(parts, alg+":"+v)
				break
			}
		}
	}
	rule := "every measured in"
	if ref.Match == MatchIncludes {
		rule = "measured includes"
	}
	return rule + " {" + strings.Join(parts, ", ") + "}"
}

func (ref PCRReference) check(quote *VerifiedQuote) buildtrust.Check {
	c := buildtrust.Check{
		ID:       fmt.Sprintf("%spcr.%s.%d", CheckRefValuePrefix, ref.Bank, ref.Index),
		Threats:  refThreats,
		Expected: "one of {" + strings.Join(ref.Values, ", ") + "}",
	}
	var got []byte
	if quote != nil {
		if b, ok := quote.Bank(hashByName(ref.Bank)); ok {
			got = b.PCRs[ref.Index]
		}
	}
	if got == nil {
		c.Outcome, c.Actual, c.Message = buildtrust.Fail, "not quoted", fmt.Sprintf("PCR %s:%d is not covered by the quote", ref.Bank, ref.Index)
		return c
	}
	c.Actual = hex.EncodeToString(got)
	for _, v := range ref.Values {
		if want, _ := hex.DecodeString(v); bytes.Equal(want, got) {
			c.Outcome = buildtrust.Pass
			return c
		}
	}
	c.Outcome, c.Message = buildtrust.Fail, fmt.Sprintf("PCR %s:%d holds an unaccepted value", ref.Bank, ref.Index)
	return c
}
