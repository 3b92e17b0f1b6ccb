package vsa

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
	"github.com/buildtrust/buildtrust/internal/text"
)

// PredicateType is the type URI of SLSA VSA v1 (VSA-1); minor versions 1.0,
// 1.1 and 1.2 share it.
const PredicateType = "https://slsa.dev/verification_summary/v1"

// Result is a verificationResult (VSA-8).
type Result string

// Verification results.
const (
	Passed Result = "PASSED"
	Failed Result = "FAILED"
)

// Verifier identifies who verified (VSA-3).
type Verifier struct {
	// ID is the verifier's TypeURI. Required.
	ID string `json:"id"`
	// Version maps verifier components to versions (VSA 1.1+); nil when
	// absent.
	Version map[string]string `json:"version,omitempty"`
}

// Predicate is a SLSA VSA v1 predicate with the fields of versions 1.0, 1.1
// and 1.2 (VSA-2…12). It has its own JSON encoding, because the in-toto Go
// binding lacks verifier.version, types policy and inputAttestations as
// {uri, digest} only and emits dependencyLevels as strings (GAP-3,
// P-JSON-6/7).
type Predicate struct {
	Verifier Verifier
	// TimeVerified is when verification happened, UTC; the zero time means
	// absent (required in 1.0, optional since 1.1: VSA-4).
	TimeVerified time.Time
	// ResourceURI is the URI of the verified resource (VSA-5). Required.
	ResourceURI string
	// Policy is the policy verified against (VSA-6): uri required, digest
	// recommended.
	Policy buildtrust.ResourceDescriptor
	// InputAttestations lists all attestations used, each with a digest
	// (VSA-7); nil when absent.
	InputAttestations []buildtrust.ResourceDescriptor
	// VerificationResult is Passed or Failed (VSA-8).
	VerificationResult Result
	// VerifiedLevels are SlsaResult values (VSA-9, VSA-12, VSA-13): at most
	// one level per track, plus verified properties.
	VerifiedLevels []string
	// DependencyLevels counts transitive dependencies per SlsaResult
	// (VSA-10). nil means no claim; an empty, non-nil map means the artifact
	// has no dependencies.
	DependencyLevels map[string]uint64
	// SlsaVersion is "<MAJOR>.<MINOR>" or empty (VSA-11).
	SlsaVersion string
}

// VSA is a VSA read from a Statement.
type VSA struct {
	Subject   []buildtrust.ResourceDescriptor
	Predicate Predicate
}

// predicateJSON is the wire form: field order is the spec's, so encoding is
// deterministic.
type predicateJSON struct {
	Verifier           Verifier                        `json:"verifier"`
	TimeVerified       string                          `json:"timeVerified,omitempty"`
	ResourceURI        string                          `json:"resourceUri"`
	Policy             buildtrust.ResourceDescriptor   `json:"policy"`
	InputAttestations  []buildtrust.ResourceDescriptor `json:"inputAttestations,omitempty"`
	VerificationResult Result                          `json:"verificationResult"`
	VerifiedLevels     []string                        `json:"verifiedLevels"`
	DependencyLevels   *map[string]uint64              `json:"dependencyLevels,omitempty"`
	SlsaVersion        string                          `json:"slsaVersion,omitempty"`
}

// MarshalJSON encodes the predicate deterministically: spec field order,
// sorted map keys, timeVerified as RFC 3339 UTC, dependencyLevels as JSON
// numbers (and {} when set but empty).
func (p Predicate) MarshalJSON() ([]byte, error) {
	w := predicateJSON{
		Verifier: p.Verifier, ResourceURI: p.ResourceURI, Policy: p.Policy,
		InputAttestations: p.InputAttestations, VerificationResult: p.VerificationResult,
		VerifiedLevels: p.VerifiedLevels, SlsaVersion: p.SlsaVersion,
	}
	if w.VerifiedLevels == nil {
		w.VerifiedLevels = []string{}
	}
	if !p.TimeVerified.IsZero() {
		w.TimeVerified = formatTime(p.TimeVerified)
	}
	if p.DependencyLevels != nil {
		w.DependencyLevels = &p.DependencyLevels
	}
	return json.Marshal(w)
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// parseTime reads an in-toto Timestamp: RFC 3339 in UTC with a "Z"
// (ITE-FT-2).
func parseTime(s string) (time.Time, error) {
	if !strings.HasSuffix(s, "Z") {
		return time.Time{}, malformed("timestamp %q is not RFC 3339 UTC (\"Z\")", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, malformed("timestamp %q: %v", s, err)
	}
	return t.UTC(), nil
}

var predicateFields = []string{"verifier", "timeVerified", "resourceUri", "policy", "inputAttestations",
	"verificationResult", "verifiedLevels", "dependencyLevels", "slsaVersion"}

// ParsePredicate decodes a VSA v1 predicate strictly, in one bounded pass —
// duplicate keys, invalid UTF-8 and case-folded names rejected, unknown
// fields (extension fields, VSA-2) ignored, dependencyLevels counts accepted
// as JSON numbers or decimal strings (as the in-toto Go binding writes them,
// P-JSON-6) — and validates it (Validate). It establishes no trust.
func ParsePredicate(data []byte) (*Predicate, error) {
	r, err := strictjson.NewReader(data, strictjson.Options{MaxBytes: limits.MaxPayloadBytes})
	if err != nil {
		return nil, wrapDecode(err)
	}
	var p Predicate
	seen := map[string]bool{}
	err = r.Object(predicateFields, func(key string) error {
		seen[key] = true
		var err error
		switch key {
		case "verifier":
			err = readVerifier(r, &p.Verifier)
		case "timeVerified":
			var s string
			if s, err = r.String(); err == nil && s != "" {
				p.TimeVerified, err = parseTime(s)
			}
		case "resourceUri":
			p.ResourceURI, err = r.String()
		case "policy":
			var raw []byte
			if raw, err = r.Raw(); err == nil {
				err = p.Policy.UnmarshalJSON(raw)
			}
		case "inputAttestations":
			err = r.Array(func() error {
				if len(p.InputAttestations) == limits.MaxVSAInputAttestations {
					return limits.TooLarge("VSA inputAttestations", limits.MaxVSAInputAttestations)
				}
				raw, err := r.Raw()
				if err != nil {
					return err
				}
				var rd buildtrust.ResourceDescriptor
				err = rd.UnmarshalJSON(raw)
				p.InputAttestations = append(p.InputAttestations, rd)
				return err
			})
		case "verificationResult":
			var s string
			s, err = r.String()
			p.VerificationResult = Result(s)
		case "verifiedLevels":
			p.VerifiedLevels, err = readStrings(r, limits.MaxVSALevels, "VSA verifiedLevels")
			if err == nil && p.VerifiedLevels == nil {
				p.VerifiedLevels = []string{}
			}
		case "dependencyLevels":
			if r.Null() {
				return nil
			}
			p.DependencyLevels = map[string]uint64{}
			err = r.Object(nil, func(level string) error {
				if len(p.DependencyLevels) == limits.MaxVSADependencyLevels {
					return limits.TooLarge("VSA dependencyLevels", limits.MaxVSADependencyLevels)
				}
				raw, err := r.Raw()
				if err != nil {
					return err
				}
				n, err := parseCount(raw)
				p.DependencyLevels[level] = n
				return err
			})
		case "slsaVersion":
			p.SlsaVersion, err = r.String()
		}
		return err
	})
	if err == nil {
		err = r.Close()
	}
	if err != nil {
		return nil, wrapDecode(err)
	}
	if !seen["verifiedLevels"] {
		return nil, malformed("verifiedLevels is required (VSA-9)")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func wrapDecode(err error) error {
	if errors.Is(err, limits.ErrTooLarge) || errors.Is(err, buildtrust.ErrMalformed) {
		return err
	}
	return malformed("predicate: %w", err)
}

func readVerifier(r *strictjson.Reader, v *Verifier) error {
	return r.Object([]string{"id", "version"}, func(key string) error {
		switch key {
		case "id":
			var err error
			v.ID, err = r.String()
			return err
		case "version":
			if r.Null() {
				return nil
			}
			v.Version = map[string]string{}
			return r.Object(nil, func(component string) error {
				if len(v.Version) == limits.MaxVSAVerifierVersions {
					return limits.TooLarge("VSA verifier.version", limits.MaxVSAVerifierVersions)
				}
				s, err := r.String()
				v.Version[component] = s
				return err
			})
		}
		return nil
	})
}

func readStrings(r *strictjson.Reader, max int, what string) ([]string, error) {
	var out []string
	err := r.Array(func() error {
		if len(out) == max {
			return limits.TooLarge(what, int64(max))
		}
		s, err := r.String()
		out = append(out, s)
		return err
	})
	return out, err
}

// parseCount reads a non-negative integer written as a JSON number or a
// decimal string.
func parseCount(raw []byte) (uint64, error) {
	s := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, err
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("dependencyLevels count %q is not a non-negative integer", raw)
	}
	return n, nil
}

var slsaVersion = regexp.MustCompile(`^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$`)

// Validate checks the VSA v1 field rules: verifier.id an absolute URI
// (VSA-3); resourceUri set (VSA-5); policy with a uri (VSA-6) and a valid
// digest when present; every input attestation with a digest (VSA-7);
// verificationResult PASSED or FAILED (VSA-8); verifiedLevels well-formed
// SlsaResults, at most one level per track (VSA-9, VSA-12);
// dependencyLevels keys well-formed (VSA-10); slsaVersion "<MAJOR>.<MINOR>"
// when set (VSA-11); counts within the package limits.
func (p *Predicate) Validate() error {
	if err := validateURI("verifier.id", p.Verifier.ID); err != nil {
		return err
	}
	if len(p.Verifier.Version) > limits.MaxVSAVerifierVersions {
		return limits.TooLarge("VSA verifier.version", limits.MaxVSAVerifierVersions)
	}
	for k, v := range p.Verifier.Version {
		if k == "" || !text.Printable(k) || !text.Printable(v) {
			return malformed("verifier.version entry %q is empty or not printable", k)
		}
	}
	if p.ResourceURI == "" || !text.Printable(p.ResourceURI) {
		return malformed("resourceUri is required (VSA-5)")
	}
	if p.Policy.URI == "" {
		return malformed("policy.uri is required (VSA-6)")
	}
	if err := p.Policy.Validate(); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	if len(p.InputAttestations) > limits.MaxVSAInputAttestations {
		return limits.TooLarge("VSA inputAttestations", limits.MaxVSAInputAttestations)
	}
	for i := range p.InputAttestations {
		if len(p.InputAttestations[i].Digest) == 0 {
			return malformed("inputAttestations[%d] has no digest (VSA-7)", i)
		}
		if err := p.InputAttestations[i].Validate(); err != nil {
			return fmt.Errorf("inputAttestations[%d]: %w", i, err)
		}
	}
	if p.VerificationResult != Passed && p.VerificationResult != Failed {
		return malformed("verificationResult %q is neither PASSED nor FAILED (VSA-8)", p.VerificationResult)
	}
	if len(p.VerifiedLevels) > limits.MaxVSALevels {
		return limits.TooLarge("VSA verifiedLevels", limits.MaxVSALevels)
	}
	tracks := map[string]string{}
	for _, l := range p.VerifiedLevels {
		if err := ValidateSlsaResult(l); err != nil {
			return fmt.Errorf("verifiedLevels: %w", err)
		}
		if track, _, ok := ParseLevel(l); ok {
			if prev, dup := tracks[track]; dup {
				return malformed("verifiedLevels has two levels of track %s: %s and %s (VSA-9)", track, prev, l)
			}
			tracks[track] = l
		}
	}
	if len(p.DependencyLevels) > limits.MaxVSADependencyLevels {
		return limits.TooLarge("VSA dependencyLevels", limits.MaxVSADependencyLevels)
	}
	for l := range p.DependencyLevels {
		if err := ValidateSlsaResult(l); err != nil {
			return fmt.Errorf("dependencyLevels: %w", err)
		}
	}
	if p.SlsaVersion != "" && !slsaVersion.MatchString(p.SlsaVersion) {
		return malformed("slsaVersion %q is not <MAJOR>.<MINOR> (VSA-11)", p.SlsaVersion)
	}
	return nil
}

func validateURI(field, u string) error {
	if u == "" || !text.Printable(u) || len(u) > limits.MaxTypeURIBytes {
		return malformed("%s is required and must be a printable URI", field)
	}
	if !text.AbsoluteURI(u) {
		return malformed("%s %q is not an absolute URI", field, u)
	}
	return nil
}

// Parse reads a VSA from a Statement: the predicate type must be
// PredicateType (VSA-VER-3; a *buildtrust.CheckError for CheckPredicateType
// wrapping ErrPredicateType otherwise) and the predicate must parse and
// validate. It establishes no trust: use Verify for signed VSAs.
func Parse(st *buildtrust.Statement) (*VSA, error) {
	if st == nil {
		return nil, malformed("nil statement")
	}
	if st.PredicateType != PredicateType {
		return nil, &buildtrust.CheckError{Check: CheckPredicateType,
			Err: fmt.Errorf("%w: %q, want %q", ErrPredicateType, st.PredicateType, PredicateType)}
	}
	if len(st.Predicate) == 0 {
		return nil, malformed("VSA statement has no predicate")
	}
	p, err := ParsePredicate(st.Predicate)
	if err != nil {
		return nil, err
	}
	return &VSA{Subject: st.Subject, Predicate: *p}, nil
}

// New builds a VSA v1 Statement about the subjects (the verified artifact,
// by digest). The predicate is validated, then encoded deterministically;
// sign the result with buildtrust.SignStatement.
func New(p Predicate, subjects ...buildtrust.ResourceDescriptor) (*buildtrust.Statement, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("vsa: encoding predicate: %w", err)
	}
	return buildtrust.NewStatement(PredicateType, json.RawMessage(raw), subjects...)
}
