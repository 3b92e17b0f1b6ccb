package scai

import (
	"bytes"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/rdread"
	"github.com/buildtrust/buildtrust/internal/strictjson"
)

// Hooks for fastpath_test.go, which compares each fast path with the code
// it replaced.

// ReadPredicate decodes a predicate without validating it.
func ReadPredicate(data []byte) (*AttributeReport, error) { return readPredicate(data) }

// ValidateParsed is the validation ParsePredicate runs.
func ValidateParsed(rep *AttributeReport) error { return rep.validate(true) }

// OnlySHA256Matches is CheckEvidence's fast digest comparison.
func OnlySHA256Matches(want buildtrust.DigestSet, algs []string, data []byte) bool {
	return onlySHA256Matches(want, algs, data)
}

// Computable reports whether CheckEvidence can compute the algorithm.
func Computable(name string) bool { return computable(name) }

// ParsePredicateTwoPass is ParsePredicate as it was before descriptors were
// read in one pass: each descriptor's JSON validated, then decoded by
// ResourceDescriptor.UnmarshalJSON, and the report checked by Validate.
func ParsePredicateTwoPass(data []byte) (*AttributeReport, error) {
	r, err := strictjson.NewReader(data, strictjson.Options{MaxBytes: limits.MaxPayloadBytes})
	if err != nil {
		return nil, malformed("predicate: %w", err)
	}
	var rep AttributeReport
	err = r.Object([]string{"attributes", "producer"}, func(key string) error {
		switch key {
		case "attributes":
			return r.Array(func() error {
				if len(rep.Attributes) == limits.MaxSCAIAttributes {
					return limits.TooLarge("SCAI attributes", limits.MaxSCAIAttributes)
				}
				var a AttributeAssertion
				err := r.Object([]string{"attribute", "target", "conditions", "evidence"}, func(key string) error {
					var err error
					switch key {
					case "attribute":
						a.Attribute, err = r.String()
					case "target":
						a.Target, err = readDescriptorTwoPass(r)
					case "evidence":
						a.Evidence, err = readDescriptorTwoPass(r)
					case "conditions":
						var raw []byte
						if raw, err = r.Raw(); err == nil && !bytes.Equal(raw, []byte("null")) {
							a.Conditions = raw
						}
					}
					return err
				})
				rep.Attributes = append(rep.Attributes, a)
				return err
			})
		case "producer":
			rd, err := readDescriptorTwoPass(r)
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
	if err := rep.Validate(); err != nil {
		return nil, err
	}
	return &rep, nil
}

// Condition kinds for DecodeConditions.
const (
	RefConditions      = "reference value"
	EvidenceConditions = "evidence"
	DispatchConditions = "dispatch"
)

// DecodeConditions decodes conditions of a kind with the hand-written
// reader (fast) or with strictjson.Unmarshal, as before.
func DecodeConditions(kind string, raw []byte, fast bool) (any, error) {
	var v interface{ readFast([]byte) error }
	switch kind {
	case RefConditions:
		v = &refConditions{}
	case EvidenceConditions:
		v = &evidenceConditions{}
	case DispatchConditions:
		v = &dispatchConditions{}
	default:
		panic(kind)
	}
	var err error
	if fast {
		err = v.readFast(raw) // without orUnmarshal's fallback
	} else {
		err = strictjson.Unmarshal(raw, v, strictjson.Options{})
	}
	return v, err
}

// DigestSetsIdentical is the DigestSet comparison of bindings.
func DigestSetsIdentical(a, b buildtrust.DigestSet) bool { return digestSetsIdentical(a, b) }

// readDescriptorTwoPass is the reference of readDescriptor: null reads as
// absent, anything else as rdread.ReadTwoPass reads it.
func readDescriptorTwoPass(r *strictjson.Reader) (*buildtrust.ResourceDescriptor, error) {
	if r.Null() {
		return nil, nil
	}
	rd, err := rdread.ReadTwoPass(r)
	if err != nil {
		return nil, err
	}
	return &rd, nil
}
