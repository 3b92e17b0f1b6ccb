package vsa

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
)

// SVRPredicateType is the type URI of the in-toto Simple Verification
// Result v0.2 (SVR-1), the result format of the BuildEnv draft in PR #1596.
// The in-toto Go module ships only the v0.1 shape (GAP-4).
const SVRPredicateType = "https://in-toto.io/attestation/svr/v0.2"

// SVR is a Simple Verification Result v0.2 predicate (SVR-1).
type SVR struct {
	// Verifier identifies the verifier and the policies it applied.
	Verifier SVRVerifier
	// TimeCreated is when the verification happened. Required.
	TimeCreated time.Time
	// Properties are the verified properties, scoped by prefix (e.g.
	// SLSA_BUILD_LEVEL_3, BuildEnvLevel(2)). Time-bounded properties are
	// checked by the consumer against TimeCreated.
	Properties []string
}

// SVRVerifier is the SVR verifier object.
type SVRVerifier struct {
	// ID is the verifier's TypeURI, RECOMMENDED versioned. Required.
	ID string `json:"id"`
	// Policies are the policies applied; always encoded, as [] when none
	// (SVR-1: MUST be present).
	Policies []buildtrust.ResourceDescriptor `json:"policies"`
}

type svrJSON struct {
	Verifier    SVRVerifier `json:"verifier"`
	TimeCreated string      `json:"timeCreated"`
	Properties  []string    `json:"properties"`
}

// MarshalJSON encodes the SVR deterministically (spec field order, UTC
// time, empty arrays as []).
func (s SVR) MarshalJSON() ([]byte, error) {
	w := svrJSON{Verifier: s.Verifier, TimeCreated: formatTime(s.TimeCreated), Properties: s.Properties}
	if w.Verifier.Policies == nil {
		w.Verifier.Policies = []buildtrust.ResourceDescriptor{}
	}
	if w.Properties == nil {
		w.Properties = []string{}
	}
	return json.Marshal(w)
}

// Validate checks SVR-1: verifier.id an absolute URI, every policy a valid
// descriptor, timeCreated set, properties well-formed and within limits.
func (s *SVR) Validate() error {
	if err := validateURI("verifier.id", s.Verifier.ID); err != nil {
		return err
	}
	if len(s.Verifier.Policies) > limits.MaxSVRPolicies {
		return limits.TooLarge("SVR policies", limits.MaxSVRPolicies)
	}
	for i := range s.Verifier.Policies {
		if err := s.Verifier.Policies[i].Validate(); err != nil {
			return fmt.Errorf("verifier.policies[%d]: %w", i, err)
		}
	}
	if s.TimeCreated.IsZero() {
		return malformed("timeCreated is required (SVR-1)")
	}
	if len(s.Properties) > limits.MaxSVRProperties {
		return limits.TooLarge("SVR properties", limits.MaxSVRProperties)
	}
	for _, p := range s.Properties {
		if err := ValidateSlsaResult(p); err != nil {
			return fmt.Errorf("properties: %w", err)
		}
	}
	return nil
}

// Has reports whether the SVR lists a property; a SLSA level implies lower
// levels of its track (see Satisfies).
func (s *SVR) Has(property string) bool { return Satisfies(s.Properties, property) }

// NewSVR builds an SVR v0.2 Statement about the subjects; sign it with
// buildtrust.SignStatement.
func NewSVR(s SVR, subjects ...buildtrust.ResourceDescriptor) (*buildtrust.Statement, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("vsa: encoding SVR: %w", err)
	}
	return buildtrust.NewStatement(SVRPredicateType, json.RawMessage(raw), subjects...)
}

// ParseSVRPredicate decodes an SVR v0.2 predicate strictly (bounded,
// duplicate keys and case-folded names rejected, unknown fields ignored)
// and validates it; verifier.policies, timeCreated and properties must be
// present. It establishes no trust.
func ParseSVRPredicate(data []byte) (*SVR, error) {
	r, err := strictjson.NewReader(data, strictjson.Options{MaxBytes: limits.MaxPayloadBytes})
	if err != nil {
		return nil, wrapDecode(err)
	}
	var s SVR
	var hasPolicies, hasTime, hasProps bool
	err = r.Object([]string{"verifier", "timeCreated", "properties"}, func(key string) error {
		var err error
		switch key {
		case "verifier":
			err = r.Object([]string{"id", "policies"}, func(key string) error {
				if key == "id" {
					var err error
					s.Verifier.ID, err = r.String()
					return err
				}
				hasPolicies = !r.Null()
				if !hasPolicies {
					return nil
				}
				s.Verifier.Policies = []buildtrust.ResourceDescriptor{}
				return r.Array(func() error {
					if len(s.Verifier.Policies) == limits.MaxSVRPolicies {
						return limits.TooLarge("SVR policies", limits.MaxSVRPolicies)
					}
					raw, err := r.Raw()
					if err != nil {
						return err
					}
					var rd buildtrust.ResourceDescriptor
					err = rd.UnmarshalJSON(raw)
					s.Verifier.Policies = append(s.Verifier.Policies, rd)
					return err
				})
			})
		case "timeCreated":
			var t string
			if t, err = r.String(); err == nil && t != "" {
				hasTime = true
				s.TimeCreated, err = parseTime(t)
			}
		case "properties":
			hasProps = !r.Null()
			if hasProps {
				s.Properties, err = readStrings(r, limits.MaxSVRProperties, "SVR properties")
			}
		}
		return err
	})
	if err == nil {
		err = r.Close()
	}
	if err != nil {
		return nil, wrapDecode(err)
	}
	switch {
	case !hasPolicies:
		return nil, malformed("verifier.policies is required in SVR v0.2 ([] when none)")
	case !hasTime:
		return nil, malformed("timeCreated is required (SVR-1)")
	case !hasProps:
		return nil, malformed("properties is required (SVR-1)")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// ParseSVR reads an SVR v0.2 from a Statement (a *buildtrust.CheckError for
// CheckPredicateType wrapping ErrPredicateType for any other type). It
// establishes no trust: verify the envelope first.
func ParseSVR(st *buildtrust.Statement) (*SVR, error) {
	if st == nil {
		return nil, malformed("nil statement")
	}
	if st.PredicateType != SVRPredicateType {
		return nil, &buildtrust.CheckError{Check: CheckPredicateType,
			Err: fmt.Errorf("%w: %q, want %q", ErrPredicateType, st.PredicateType, SVRPredicateType)}
	}
	if len(st.Predicate) == 0 {
		return nil, malformed("SVR statement has no predicate")
	}
	return ParseSVRPredicate(st.Predicate)
}
