package buildtrust

import (
	"bytes"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/buildtrust/buildtrust/internal/descriptor"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
	"github.com/buildtrust/buildtrust/internal/text"
)

// In-toto type URIs and media types (REQUIREMENTS.md ITE-ST-1, ITE-ENV-3,
// ITE-BUN-3).
const (
	// StatementTypeV1 is the _type of in-toto Statement v1.
	StatementTypeV1 = "https://in-toto.io/Statement/v1"
	// StatementTypeV01 is the legacy _type still used by SLSA v0.2
	// provenance in the wild; ParseStatement reads it.
	StatementTypeV01 = "https://in-toto.io/Statement/v0.1"
	// PayloadType is the DSSE payloadType of an in-toto Statement.
	PayloadType = "application/vnd.in-toto+json"
	// BundleMediaType is the media type of a JSON Lines bundle.
	BundleMediaType = "application/vnd.in-toto.bundle"
)

// ResourceDescriptor describes a software artifact or resource (in-toto
// ResourceDescriptor v1, ITE-RD-1…5). Validate applies the spec's rule — at
// least one of uri, digest or content — not the looser rule of the in-toto Go
// bindings, which also accept a name alone (GAP-1).
type ResourceDescriptor struct {
	Name             string      `json:"name,omitempty"`
	URI              string      `json:"uri,omitempty"`
	Digest           DigestSet   `json:"digest,omitempty"`
	Content          []byte      `json:"content,omitempty"`
	DownloadLocation string      `json:"downloadLocation,omitempty"`
	MediaType        string      `json:"mediaType,omitempty"`
	Annotations      Annotations `json:"annotations,omitempty"`
}

// Annotations are a descriptor's free-form extension fields (ITE-RD-4).
// Decoded numbers are json.Number, so that they keep their exact text.
type Annotations map[string]any

// UnmarshalJSON decodes the object keeping numbers exact.
func (a *Annotations) UnmarshalJSON(data []byte) error {
	m, err := descriptor.DecodeAnnotations(data)
	if err != nil {
		return err
	}
	*a = m
	return nil
}

// Validate checks the descriptor against the spec (ITE-RD-1): one of uri,
// digest or content is set, the digest set is valid, and string fields hold
// no control characters.
func (rd *ResourceDescriptor) Validate() error {
	if rd.URI == "" && len(rd.Digest) == 0 && len(rd.Content) == 0 {
		return fmt.Errorf("%w: resource descriptor needs uri, digest or content", ErrMalformed)
	}
	if rd.Digest != nil {
		if err := rd.Digest.Validate(); err != nil {
			return err
		}
	}
	for _, f := range [...]struct{ name, value string }{
		{"name", rd.Name}, {"uri", rd.URI}, {"downloadLocation", rd.DownloadLocation}, {"mediaType", rd.MediaType},
	} {
		if !text.Printable(f.value) {
			return fmt.Errorf("%w: resource descriptor %s has control characters or invalid UTF-8", ErrMalformed, f.name)
		}
	}
	return nil
}

// Statement is an in-toto Statement (ITE-ST-1…4): the subjects an
// attestation is about, the predicate type, and the predicate itself, kept as
// the exact JSON bytes it arrived in so that predicate packages decode it once
// and no number loses precision.
//
// A Statement obtained from ParseStatement is well-formed, nothing more; it
// is trusted only when it comes out of a Verify function.
type Statement struct {
	// Type is StatementTypeV1, or StatementTypeV01 for legacy documents.
	Type          string               `json:"_type"`
	Subject       []ResourceDescriptor `json:"subject"`
	PredicateType string               `json:"predicateType"`
	// Predicate is a JSON object, or nil when absent (ITE-ST-4: unset means
	// the same as set-but-empty).
	Predicate json.RawMessage `json:"predicate,omitempty"`
}

// ParseStatement decodes a Statement strictly (duplicate keys, invalid UTF-8
// and case-folded field names are rejected; unknown fields are ignored per
// ITE-PR-1) and validates it. It accepts Statement v1 and the legacy v0.1.
// Parsing establishes no trust: use VerifyStatement for signed statements.
func ParseStatement(data []byte) (*Statement, error) { return parseStatement(data, false) }

// parseStatement is ParseStatement; with share the Statement's Predicate
// is a sub-slice of data rather than a copy.
func parseStatement(data []byte, share bool) (*Statement, error) {
	s, err := readStatement(data, share)
	if err != nil {
		return nil, fmt.Errorf("%w: statement: %w", ErrMalformed, err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

var statementFields = []string{"_type", "subject", "predicateType", "predicate"}

// readStatement decodes a Statement in one strict pass (strictjson.Reader),
// stopping at the subject and digest limits without reading on.
func readStatement(data []byte, share bool) (*Statement, error) {
	r, err := strictjson.NewReader(data, strictjson.Options{MaxBytes: limits.MaxPayloadBytes})
	if err != nil {
		return nil, err
	}
	var s Statement
	err = r.Object(statementFields, func(key string) error {
		var err error
		switch key {
		case "_type":
			s.Type, err = r.String()
		case "predicateType":
			s.PredicateType, err = r.String()
		case "predicate":
			read := r.Raw
			if share {
				read = r.RawView
			}
			var raw []byte
			if raw, err = read(); err == nil && !bytes.Equal(raw, []byte("null")) {
				s.Predicate = raw
			}
		case "subject":
			err = r.Array(func() error {
				if len(s.Subject) == limits.MaxSubjects {
					return limits.TooLarge("statement subjects", limits.MaxSubjects)
				}
				rd, err := readDescriptor(r)
				s.Subject = append(s.Subject, rd)
				return err
			})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &s, r.Close()
}

// readDescriptor decodes one ResourceDescriptor object (see
// descriptor.Read, which scai shares).
func readDescriptor(r *strictjson.Reader) (ResourceDescriptor, error) {
	f, err := descriptor.Read(r)
	return ResourceDescriptor{
		Name: f.Name, URI: f.URI, Digest: DigestSet(f.Digest), Content: f.Content,
		DownloadLocation: f.DownloadLocation, MediaType: f.MediaType, Annotations: Annotations(f.Annotations),
	}, err
}

// UnmarshalJSON decodes a descriptor with the strict rules of ParseStatement,
// so that types embedding descriptors decode them the same way.
func (rd *ResourceDescriptor) UnmarshalJSON(data []byte) error {
	r, err := strictjson.NewReader(data, strictjson.Options{MaxBytes: limits.MaxPayloadBytes})
	if err != nil {
		return err
	}
	if *rd, err = readDescriptor(r); err != nil {
		return err
	}
	return r.Close()
}

// Validate checks the Statement rules of the spec: a known _type (ITE-ST-1),
// at least one subject, each with a valid digest set (ITE-ST-2), a
// predicateType that is an absolute URI (ITE-ST-4, ITE-FT-1), and a predicate
// that is a JSON object when present.
func (s *Statement) Validate() error {
	if s.Type != StatementTypeV1 && s.Type != StatementTypeV01 {
		return fmt.Errorf("%w: %q", ErrStatementType, s.Type)
	}
	if len(s.Subject) == 0 {
		return fmt.Errorf("%w: statement has no subject", ErrMalformed)
	}
	if len(s.Subject) > limits.MaxSubjects {
		return limits.TooLarge("statement subjects", limits.MaxSubjects)
	}
	for i := range s.Subject {
		if len(s.Subject[i].Digest) == 0 {
			return fmt.Errorf("%w: subject %d has no digest", ErrMalformed, i)
		}
		if err := s.Subject[i].Validate(); err != nil {
			return fmt.Errorf("subject %d: %w", i, err)
		}
	}
	if err := validateTypeURI(s.PredicateType); err != nil {
		return fmt.Errorf("predicateType: %w", err)
	}
	if len(s.Predicate) > 0 {
		trimmed := bytes.TrimLeft(s.Predicate, " \t\r\n")
		if len(trimmed) == 0 || trimmed[0] != '{' {
			return fmt.Errorf("%w: predicate is not a JSON object", ErrMalformed)
		}
	}
	return nil
}

// validateTypeURI checks a TypeURI (ITE-FT-1): an absolute RFC 3986 URI.
func validateTypeURI(u string) error {
	if u == "" {
		return fmt.Errorf("%w: empty type URI", ErrMalformed)
	}
	if !text.Printable(u) || len(u) > limits.MaxTypeURIBytes {
		return fmt.Errorf("%w: type URI %q is not printable or too long", ErrMalformed, u)
	}
	if !text.AbsoluteURI(u) {
		return fmt.Errorf("%w: type URI %q is not an absolute URI", ErrMalformed, u)
	}
	return nil
}

// MatchSubjects returns the subjects whose digests match the artifact's
// under the policy (ITE-ST-3, ITE-VAL-2: matching is by digest only). It
// fails with a *CheckError for CheckStatementSubject, wrapping
// ErrSubjectMismatch and threats F3 and G5 when none does — or ErrWeakDigest
// and also V2 when the only digests in common are ones the policy refuses.
func (s *Statement) MatchSubjects(artifact DigestSet, policy DigestPolicy) ([]ResourceDescriptor, error) {
	var matched []ResourceDescriptor
	differed, weak := false, false
	for _, sub := range s.Subject {
		switch r, _ := policy.compare(sub.Digest, artifact, nil); r {
		case digestsMatch:
			matched = append(matched, sub)
		case digestsWeak:
			weak = true
		case digestsDiffer:
			differed = true
		}
	}
	if len(matched) > 0 {
		return matched, nil
	}
	// Report the most telling cause: a digest that differs, else an overlap
	// only in algorithms the policy does not accept, else no overlap at all.
	if !differed && weak {
		return nil, &CheckError{Check: CheckStatementSubject, Threats: weakDigestThreats,
			Err: fmt.Errorf("%w: subjects share only unaccepted digest algorithms with the artifact", ErrWeakDigest)}
	}
	return nil, &CheckError{Check: CheckStatementSubject, Threats: subjectThreats,
		Err: fmt.Errorf("%w: none of %d subjects", ErrSubjectMismatch, len(s.Subject))}
}

// NewStatement builds a v1 Statement. The predicate may be nil, raw JSON
// (json.RawMessage or []byte), a protobuf message (e.g. an in-toto
// provenance/v1 Provenance), or any value encoding/json can marshal. The
// predicate is normalized to deterministic JSON (sorted object keys), because
// protojson output is deliberately unstable across binaries (P-JSON-2).
func NewStatement(predicateType string, predicate any, subjects ...ResourceDescriptor) (*Statement, error) {
	s := &Statement{Type: StatementTypeV1, Subject: subjects, PredicateType: predicateType}
	var raw []byte
	var err error
	switch p := predicate.(type) {
	case nil:
	case json.RawMessage:
		raw = p
	case []byte:
		raw = p
	case proto.Message:
		raw, err = protojson.Marshal(p)
	default:
		raw, err = json.Marshal(p)
	}
	if err != nil {
		return nil, fmt.Errorf("buildtrust: encoding predicate: %w", err)
	}
	if raw != nil {
		if s.Predicate, err = canonicalJSON(raw); err != nil {
			return nil, fmt.Errorf("%w: predicate: %w", ErrMalformed, err)
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// canonicalJSON re-encodes JSON with sorted object keys and no insignificant
// whitespace, keeping numbers exactly as written.
func canonicalJSON(raw []byte) ([]byte, error) {
	var v any
	if err := strictjson.Unmarshal(raw, &v, strictjson.Options{MaxBytes: limits.MaxPayloadBytes}); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Marshal returns the Statement's deterministic JSON encoding: fields in spec
// order, object keys sorted, no HTML escaping. These are the bytes to sign.
func (s *Statement) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("buildtrust: encoding statement: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
