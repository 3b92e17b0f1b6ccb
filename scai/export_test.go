package scai

import (
	"github.com/buildtrust/buildtrust"
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
// ResourceDescriptor.UnmarshalJSON, and the report checked by Validate
// (which validates the conditions' JSON again).
func ParsePredicateTwoPass(data []byte) (*AttributeReport, error) {
	rep, err := readPredicateWith(data, readDescriptorTwoPass)
	if err != nil {
		return nil, err
	}
	if err := rep.Validate(); err != nil {
		return nil, err
	}
	return rep, nil
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
	return readOptional(r, rdread.ReadTwoPass)
}
