package scai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/rdread"
	"github.com/buildtrust/buildtrust/internal/strictjson"
	"github.com/buildtrust/buildtrust/internal/text"
	"github.com/buildtrust/buildtrust/threat"
)

// Predicate type URIs (SCAI-1). The two versions share one schema; 0.x
// versions are distinct types under the in-toto versioning rules (ITE-PR-2),
// so both are accepted explicitly (GAP-10: the in-toto Go bindings know only
// the v0.3 URI).
const (
	// PredicateTypeV03 is SCAI v0.3, the current version, used by the
	// official examples in the in-toto attestation spec. New produces it.
	PredicateTypeV03 = "https://in-toto.io/attestation/scai/v0.3"
	// PredicateTypeV02 is SCAI v0.2, used by most published SCAI documents
	// (in-toto/scai-demos, the BuildEnv proof of concept).
	PredicateTypeV02 = "https://in-toto.io/attestation/scai/attribute-report/v0.2"
)

// IsPredicateType reports whether t is a SCAI report type this package reads.
func IsPredicateType(t string) bool { return t == PredicateTypeV03 || t == PredicateTypeV02 }

// AttributeReport is the SCAI predicate (SCAI-2…7): one or more attribute
// assertions and, optionally, the producer of the subject.
type AttributeReport struct {
	// Attributes holds at least one assertion (SCAI-2).
	Attributes []AttributeAssertion `json:"attributes"`
	// Producer describes the producer of the subject (SCAI-7); nil when
	// absent.
	Producer *buildtrust.ResourceDescriptor `json:"producer,omitempty"`
}

// AttributeAssertion is one SCAI attribute assertion (SCAI-3…6).
type AttributeAssertion struct {
	// Attribute names a functional feature of the subject or its producer
	// (SCAI-3); its vocabulary is agreed between producer and consumer.
	Attribute string `json:"attribute"`
	// Target is the artifact or metadata the attribute applies to (SCAI-4).
	Target *buildtrust.ResourceDescriptor `json:"target,omitempty"`
	// Conditions is a JSON object stating when the attribute holds (SCAI-5),
	// kept as the exact bytes received; nil when absent.
	Conditions json.RawMessage `json:"conditions,omitempty"`
	// Evidence describes (authenticated) evidence for the attribute
	// (SCAI-6). It is a description only: CheckEvidence binds it to bytes.
	Evidence *buildtrust.ResourceDescriptor `json:"evidence,omitempty"`
}

// Report is a SCAI attestation read from a Statement: which version, what it
// is about, and what it asserts.
type Report struct {
	// PredicateType is PredicateTypeV03 or PredicateTypeV02.
	PredicateType string
	// Subject is the statement's subject.
	Subject []buildtrust.ResourceDescriptor
	// Predicate is the decoded attribute report.
	Predicate AttributeReport
}

// ParsePredicate decodes a SCAI predicate strictly — duplicate keys, invalid
// UTF-8 and case-folded field names are rejected, unknown fields ignored
// (SCAI-8, ITE-PR-1), descriptors decoded by the spec's rules — and
// validates it. It establishes no trust.
func ParsePredicate(data []byte) (*AttributeReport, error) {
	rep, err := readPredicate(data)
	if err != nil {
		return nil, err
	}
	if err := rep.validate(true); err != nil {
		return nil, err
	}
	return rep, nil
}

// readPredicate decodes a predicate without validating it.
func readPredicate(data []byte) (*AttributeReport, error) {
	return readPredicateWith(data, readDescriptor)
}

// readPredicateWith is readPredicate with readDesc reading each descriptor
// (the tests' reference reads them in two passes).
func readPredicateWith(data []byte, readDesc func(*strictjson.Reader) (*buildtrust.ResourceDescriptor, error)) (*AttributeReport, error) {
	r, err := strictjson.NewReader(data, strictjson.Options{MaxBytes: limits.MaxPayloadBytes})
	if err != nil {
		return nil, malformed("predicate: %w", err)
	}
	var rep AttributeReport
	err = r.Object(predicateFields, func(key string) error {
		switch key {
		case "attributes":
			return r.Array(func() error {
				if len(rep.Attributes) == limits.MaxSCAIAttributes {
					return limits.TooLarge("SCAI attributes", limits.MaxSCAIAttributes)
				}
				a, err := readAssertion(r, readDesc)
				rep.Attributes = append(rep.Attributes, a)
				return err
			})
		case "producer":
			rd, err := readDesc(r)
			rep.Producer = rd
			return err
		}
		return nil
	})
	if err == nil {
		err = r.Close()
	}
	if err != nil {
		if isTooLarge(err) {
			return nil, err
		}
		return nil, malformed("predicate: %w", err)
	}
	return &rep, nil
}

var (
	predicateFields = []string{"attributes", "producer"}
	assertionFields = []string{"attribute", "target", "conditions", "evidence"}
)

func isTooLarge(err error) bool { return errors.Is(err, limits.ErrTooLarge) }

func readAssertion(r *strictjson.Reader, readDesc func(*strictjson.Reader) (*buildtrust.ResourceDescriptor, error)) (AttributeAssertion, error) {
	var a AttributeAssertion
	err := r.Object(assertionFields, func(key string) error {
		var err error
		switch key {
		case "attribute":
			a.Attribute, err = r.String()
		case "target":
			a.Target, err = readDesc(r)
		case "evidence":
			a.Evidence, err = readDesc(r)
		case "conditions":
			var raw []byte
			if raw, err = r.Raw(); err == nil && !bytes.Equal(raw, []byte("null")) {
				a.Conditions = raw
			}
		}
		return err
	})
	return a, err
}

// readDescriptor reads an optional ResourceDescriptor with the root
// package's strict rules (null reads as absent) in one pass.
func readDescriptor(r *strictjson.Reader) (*buildtrust.ResourceDescriptor, error) {
	return readOptional(r, rdread.Read)
}

// readOptional reads a descriptor with read, null as absent.
func readOptional(r *strictjson.Reader, read func(*strictjson.Reader) (buildtrust.ResourceDescriptor, error)) (*buildtrust.ResourceDescriptor, error) {
	if r.Null() {
		return nil, nil
	}
	rd, err := read(r)
	if err != nil {
		return nil, err
	}
	return &rd, nil
}

// Validate checks the SCAI rules: at least one and at most
// MaxSCAIAttributes assertions (SCAI-2), each with a non-empty, printable
// attribute (SCAI-3), conditions that are a JSON object (SCAI-5), and every
// target, evidence and producer a valid ResourceDescriptor by the spec's rule
// (ITE-RD-1: uri, digest or content).
func (r *AttributeReport) Validate() error { return r.validate(false) }

// validate is Validate; parsed says that the report comes from the strict
// reader of ParsePredicate, which has already proved every Conditions valid
// JSON (strictjson.Reader.Raw), so json.Valid need not scan them again.
// Every other rule is checked either way: the reader does not check them.
func (r *AttributeReport) validate(parsed bool) error {
	if len(r.Attributes) == 0 {
		return malformed("attribute report has no attributes")
	}
	if len(r.Attributes) > limits.MaxSCAIAttributes {
		return limits.TooLarge("SCAI attributes", limits.MaxSCAIAttributes)
	}
	for i := range r.Attributes {
		if err := r.Attributes[i].validate(parsed); err != nil {
			return fmt.Errorf("attribute %d: %w", i, err)
		}
	}
	if r.Producer != nil {
		if err := r.Producer.Validate(); err != nil {
			return fmt.Errorf("producer: %w", err)
		}
	}
	return nil
}

// Validate checks one assertion (see AttributeReport.Validate).
func (a *AttributeAssertion) Validate() error { return a.validate(false) }

// validate is Validate, with parsed as in AttributeReport.validate.
func (a *AttributeAssertion) validate(parsed bool) error {
	if a.Attribute == "" {
		return malformed("empty attribute")
	}
	if len(a.Attribute) > limits.MaxSCAIAttributeBytes {
		return limits.TooLarge("SCAI attribute", limits.MaxSCAIAttributeBytes)
	}
	if !text.Printable(a.Attribute) {
		return malformed("attribute has control characters or invalid UTF-8")
	}
	if a.Conditions != nil {
		trimmed := bytes.TrimLeft(a.Conditions, " \t\r\n")
		if len(trimmed) == 0 || trimmed[0] != '{' || !parsed && !json.Valid(a.Conditions) {
			return malformed("conditions of %q is not a JSON object", a.Attribute)
		}
	}
	for _, d := range [...]struct {
		name string
		rd   *buildtrust.ResourceDescriptor
	}{{"target", a.Target}, {"evidence", a.Evidence}} {
		if d.rd != nil {
			if err := d.rd.Validate(); err != nil {
				return fmt.Errorf("%s of %q: %w", d.name, a.Attribute, err)
			}
		}
	}
	return nil
}

// Parse reads a SCAI report from a Statement: the predicate type must be
// SCAI v0.2 or v0.3 (else a *buildtrust.CheckError for CheckPredicateType
// wrapping ErrPredicateType) and the predicate must parse and validate
// (ParsePredicate). Parse establishes no trust: the statement is trusted
// only when it came out of a Verify function.
func Parse(st *buildtrust.Statement) (*Report, error) {
	if st == nil {
		return nil, malformed("nil statement")
	}
	if !IsPredicateType(st.PredicateType) {
		return nil, checkErr(CheckPredicateType, nil, ErrPredicateType, "predicateType %q", st.PredicateType)
	}
	if len(st.Predicate) == 0 {
		return nil, malformed("SCAI statement has no predicate (attributes are required)")
	}
	pred, err := ParsePredicate(st.Predicate)
	if err != nil {
		return nil, err
	}
	return &Report{PredicateType: st.PredicateType, Subject: cloneDescriptors(st.Subject), Predicate: *pred}, nil
}

// New builds a SCAI v0.3 Statement about the subjects. The report is
// validated first; the predicate is encoded deterministically (fixed field
// order, sorted object keys), so the same report always signs the same
// bytes. Sign the result with buildtrust.SignStatement.
func New(report AttributeReport, subjects ...buildtrust.ResourceDescriptor) (*buildtrust.Statement, error) {
	return newStatement(PredicateTypeV03, report, subjects)
}

// NewV02 is New with the SCAI v0.2 type URI, for consumers that only read
// v0.2 (most deployed SCAI tooling).
func NewV02(report AttributeReport, subjects ...buildtrust.ResourceDescriptor) (*buildtrust.Statement, error) {
	return newStatement(PredicateTypeV02, report, subjects)
}

func newStatement(predicateType string, report AttributeReport, subjects []buildtrust.ResourceDescriptor) (*buildtrust.Statement, error) {
	if err := report.Validate(); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(report)
	if err != nil {
		return nil, fmt.Errorf("scai: encoding predicate: %w", err)
	}
	return buildtrust.NewStatement(predicateType, json.RawMessage(raw), subjects...)
}

// Find returns the assertions whose attribute equals name, in document
// order. A report may assert the same attribute several times (for example
// once per piece of evidence).
func (r *AttributeReport) Find(name string) []AttributeAssertion {
	var out []AttributeAssertion
	for _, a := range r.Attributes {
		if a.Attribute == name {
			out = append(out, a)
		}
	}
	return out
}

// Has reports whether the report asserts the attribute.
func (r *AttributeReport) Has(name string) bool {
	for _, a := range r.Attributes {
		if a.Attribute == name {
			return true
		}
	}
	return false
}

// Require returns the first assertion of the attribute, or a
// *buildtrust.CheckError for CheckAttribute wrapping ErrAttribute with the
// given threats when the report does not assert it. Absence never counts as
// a pass (ITE-PR-4: ignoring a field must not turn a denial into an
// approval).
func (r *AttributeReport) Require(name string, threats ...threat.ID) (*AttributeAssertion, error) {
	for i := range r.Attributes {
		if r.Attributes[i].Attribute == name {
			return &r.Attributes[i], nil
		}
	}
	return nil, checkErr(CheckAttribute, threats, ErrAttribute, "report does not assert %q", name)
}

// Names returns the distinct attribute names in document order.
func (r *AttributeReport) Names() []string {
	seen := make(map[string]bool, len(r.Attributes))
	var out []string
	for _, a := range r.Attributes {
		if !seen[a.Attribute] {
			seen[a.Attribute] = true
			out = append(out, a.Attribute)
		}
	}
	return out
}

func cloneDescriptors(in []buildtrust.ResourceDescriptor) []buildtrust.ResourceDescriptor {
	if in == nil {
		return nil
	}
	out := make([]buildtrust.ResourceDescriptor, len(in))
	for i, rd := range in {
		out[i] = cloneDescriptor(rd)
	}
	return out
}

func cloneDescriptor(rd buildtrust.ResourceDescriptor) buildtrust.ResourceDescriptor {
	rd.Digest = rd.Digest.Clone()
	rd.Content = bytes.Clone(rd.Content)
	if rd.Annotations != nil {
		a := make(buildtrust.Annotations, len(rd.Annotations))
		for k, v := range rd.Annotations {
			a[k] = v
		}
		rd.Annotations = a
	}
	return rd
}
