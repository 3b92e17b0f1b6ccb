package buildtrust

import (
	"fmt"

	ita1 "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// ToProto converts the Statement to the in-toto Go binding's type, for code
// that works with github.com/in-toto/attestation (and sigstore-go, whose
// results use it). The predicate becomes a structpb.Struct, in which numbers
// are float64: integers above 2^53 lose precision (P-JSON-5), and numbers
// beyond float64's range (valid JSON such as 1e400) make the conversion fail
// with ErrMalformed. Keep using the
// Statement's own Predicate bytes for anything that is verified or hashed.
func (s *Statement) ToProto() (*ita1.Statement, error) {
	data, err := s.Marshal()
	if err != nil {
		return nil, err
	}
	var p ita1.Statement
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%w: converting statement: %v", ErrMalformed, err)
	}
	return &p, nil
}

// StatementFromProto converts an in-toto binding Statement and validates it
// by this package's (the spec's) rules, which are stricter than the binding's
// Validate: lowercase hex digests of the right length (GAP-1, P-JSON-9).
func StatementFromProto(p *ita1.Statement) (*Statement, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: nil statement", ErrMalformed)
	}
	data, err := protojson.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("%w: converting statement: %v", ErrMalformed, err)
	}
	return ParseStatement(data)
}
