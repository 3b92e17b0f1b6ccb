package provenance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	slsa1 "github.com/in-toto/attestation/go/predicates/provenance/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
)

// Predicate types this package reads. Only PredicateTypeV1 is produced.
const (
	PredicateTypeV1  = "https://slsa.dev/provenance/v1"   // PROV-1
	PredicateTypeV02 = "https://slsa.dev/provenance/v0.2" // read and normalized (PROV-14)
	PredicateTypeV01 = "https://slsa.dev/provenance/v0.1" // read and normalized (Google Cloud Build)
)

// Sentinel errors.
var (
	// ErrMalformed: the predicate is not well-formed SLSA provenance, or lacks
	// a field SLSA requires (PROV-3).
	ErrMalformed = errors.New("provenance: malformed predicate")
	// ErrPredicateType: the statement is not SLSA provenance of a supported
	// version (PROV-VER-4).
	ErrPredicateType = errors.New("provenance: unsupported predicate type")
)

// Provenance is an SLSA Build Provenance v1 predicate (PROV-1…13). Older
// versions are normalized into it by Parse. Unknown fields are ignored
// (PROV-2), including release-candidate names such as systemParameters.
//
// The parameters are kept as decoded JSON (objects are map[string]any,
// numbers json.Number with their exact text), so that comparisons against
// expectations never lose precision.
type Provenance struct {
	BuildDefinition BuildDefinition `json:"buildDefinition"`
	RunDetails      RunDetails      `json:"runDetails"`
}

// BuildDefinition is the input of the build (PROV-4…7).
type BuildDefinition struct {
	BuildType            string                          `json:"buildType"`
	ExternalParameters   map[string]any                  `json:"externalParameters"`
	InternalParameters   map[string]any                  `json:"internalParameters,omitempty"`
	ResolvedDependencies []buildtrust.ResourceDescriptor `json:"resolvedDependencies,omitempty"`
}

// RunDetails describe this particular execution (PROV-8…12).
type RunDetails struct {
	Builder    Builder                         `json:"builder"`
	Metadata   *BuildMetadata                  `json:"metadata,omitempty"`
	Byproducts []buildtrust.ResourceDescriptor `json:"byproducts,omitempty"`
}

// Builder identifies the build platform (PROV-8, PROV-10).
type Builder struct {
	ID                  string                          `json:"id"`
	Version             map[string]string               `json:"version,omitempty"`
	BuilderDependencies []buildtrust.ResourceDescriptor `json:"builderDependencies,omitempty"`
}

// BuildMetadata holds the invocation ID and timestamps (PROV-11).
type BuildMetadata struct {
	InvocationID string     `json:"invocationId,omitempty"`
	StartedOn    *time.Time `json:"startedOn,omitempty"`
	FinishedOn   *time.Time `json:"finishedOn,omitempty"`
}

// Legacy keeps what a v0.2 or v0.1 predicate said that has no place in v1
// (PROV-14: buildConfig, metadata.completeness, metadata.reproducible), so
// that nothing is silently dropped. It is nil for v1 predicates.
type Legacy struct {
	PredicateType string          `json:"predicateType"`
	BuildConfig   json.RawMessage `json:"buildConfig,omitempty"`
	Completeness  json.RawMessage `json:"completeness,omitempty"`
	Reproducible  *bool           `json:"reproducible,omitempty"`
}

// Parsed is provenance read from a Statement: the normalized v1 predicate,
// and what the original said that v1 cannot hold.
type Parsed struct {
	Provenance
	// PredicateType is the statement's original predicate type.
	PredicateType string
	// Legacy is set when the original was v0.2 or v0.1.
	Legacy *Legacy

	from *buildtrust.Statement // the statement Parse read, for Attestation.Parsed
}

// Parse reads the provenance predicate of st — v1 as is, v0.2 and v0.1
// normalized to v1 by the spec's migration rules (PROV-14) — and validates
// the fields SLSA requires (PROV-3). Parsing says nothing about whether the
// statement is authentic: Check takes a verified statement.
func Parse(st *buildtrust.Statement) (*Parsed, error) {
	if st == nil {
		return nil, fmt.Errorf("%w: nil statement", ErrMalformed)
	}
	if len(st.Predicate) == 0 {
		return nil, fmt.Errorf("%w: statement has no predicate", ErrMalformed)
	}
	var p Parsed
	p.PredicateType = st.PredicateType
	switch st.PredicateType {
	case PredicateTypeV1:
		var err error
		if p.Provenance, err = readV1(st.Predicate); err != nil {
			return nil, err
		}
	case PredicateTypeV02:
		var old v02Predicate
		if err := decode(st.Predicate, &old); err != nil {
			return nil, err
		}
		p.Provenance, p.Legacy = old.normalize()
	case PredicateTypeV01:
		var old v01Predicate
		if err := decode(st.Predicate, &old); err != nil {
			return nil, err
		}
		p.Provenance, p.Legacy = old.toV02().normalize()
		p.Legacy.PredicateType = PredicateTypeV01
	default:
		return nil, fmt.Errorf("%w: %q", ErrPredicateType, st.PredicateType)
	}
	p.from = st
	p.dropEmptyDescriptors()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

func decode(raw []byte, v any) error {
	if err := strictjson.Unmarshal(raw, v, strictjson.Options{MaxBytes: limits.MaxPayloadBytes}); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// dropEmptyDescriptors removes resource descriptors with no field set: PROV-2
// says unset, null and empty values mean the same, and Google Cloud Build
// writes "byproducts": [{}].
func (p *Parsed) dropEmptyDescriptors() {
	empty := func(rd buildtrust.ResourceDescriptor) bool {
		return rd.Name == "" && rd.URI == "" && len(rd.Digest) == 0 && len(rd.Content) == 0 &&
			rd.DownloadLocation == "" && rd.MediaType == "" && len(rd.Annotations) == 0
	}
	for _, rds := range []*[]buildtrust.ResourceDescriptor{&p.BuildDefinition.ResolvedDependencies, &p.RunDetails.Byproducts, &p.RunDetails.Builder.BuilderDependencies} {
		*rds = slices.DeleteFunc(*rds, empty)
		if len(*rds) == 0 {
			*rds = nil
		}
	}
}

// Validate checks the fields SLSA requires for Build L1 (PROV-3): a
// buildType, builder.id, and every resource descriptor valid by the in-toto
// rules. externalParameters may be empty for v0.2 input, whose parameters
// were optional; for v1 the in-toto binding requires it non-empty, and so do
// we.
func (p *Parsed) Validate() error {
	bd, rd := &p.BuildDefinition, &p.RunDetails
	switch {
	case bd.BuildType == "":
		return fmt.Errorf("%w: buildDefinition.buildType is required", ErrMalformed)
	case rd.Builder.ID == "":
		return fmt.Errorf("%w: runDetails.builder.id is required", ErrMalformed)
	case p.Legacy == nil && len(bd.ExternalParameters) == 0:
		return fmt.Errorf("%w: buildDefinition.externalParameters is required", ErrMalformed)
	}
	for _, set := range []struct {
		name string
		rds  []buildtrust.ResourceDescriptor
	}{{"resolvedDependencies", bd.ResolvedDependencies}, {"byproducts", rd.Byproducts}, {"builderDependencies", rd.Builder.BuilderDependencies}} {
		if len(set.rds) > limits.MaxResolvedDependencies {
			return limits.TooLarge(set.name, limits.MaxResolvedDependencies)
		}
		for i := range set.rds {
			if err := set.rds[i].Validate(); err != nil {
				return fmt.Errorf("%w: %s[%d]: %w", ErrMalformed, set.name, i, err)
			}
		}
	}
	return nil
}

// ToProto converts to the in-toto Go binding's type, for interoperability.
// Numbers in parameters become float64 there (P-JSON-5).
func (p *Provenance) ToProto() (*slsa1.Provenance, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("provenance: encoding: %w", err)
	}
	var out slsa1.Provenance
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%w: converting: %v", ErrMalformed, err)
	}
	return &out, nil
}

// FromProto converts the in-toto binding's type, validating it by this
// package's rules.
func FromProto(p *slsa1.Provenance) (*Provenance, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: nil provenance", ErrMalformed)
	}
	data, err := protojson.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("%w: converting: %v", ErrMalformed, err)
	}
	parsed, err := Parse(&buildtrust.Statement{PredicateType: PredicateTypeV1, Predicate: data})
	if err != nil {
		return nil, err
	}
	return &parsed.Provenance, nil
}

// v02Predicate is SLSA Provenance v0.2, as far as normalization needs it.
type v02Predicate struct {
	Builder struct {
		ID string `json:"id"`
	} `json:"builder"`
	BuildType  string `json:"buildType"`
	Invocation struct {
		ConfigSource struct {
			URI        string               `json:"uri"`
			Digest     buildtrust.DigestSet `json:"digest"`
			EntryPoint string               `json:"entryPoint"`
		} `json:"configSource"`
		Parameters  map[string]any `json:"parameters"`
		Environment map[string]any `json:"environment"`
	} `json:"invocation"`
	BuildConfig json.RawMessage `json:"buildConfig"`
	Metadata    legacyMetadata  `json:"metadata"`
	Materials   []material      `json:"materials"`
}

// legacyMetadata and material are shared by v0.1 and v0.2.
type legacyMetadata struct {
	BuildInvocationID string          `json:"buildInvocationId"`
	BuildStartedOn    *time.Time      `json:"buildStartedOn"`
	BuildFinishedOn   *time.Time      `json:"buildFinishedOn"`
	Completeness      json.RawMessage `json:"completeness"`
	Reproducible      *bool           `json:"reproducible"`
}

type material struct {
	URI    string               `json:"uri"`
	Digest buildtrust.DigestSet `json:"digest"`
}

// normalize applies the "Migrating from 0.2" pseudocode of the SLSA v1 spec
// (PROV-14): parameters plus entryPoint and source become
// externalParameters; environment becomes internalParameters; materials plus
// the config source become resolvedDependencies.
func (old *v02Predicate) normalize() (Provenance, *Legacy) {
	var p Provenance
	inv := &old.Invocation
	p.BuildDefinition.BuildType = old.BuildType
	ext := make(map[string]any, len(inv.Parameters)+2)
	for k, v := range inv.Parameters {
		ext[k] = v
	}
	// The spec's pseudocode adds these two after the parameters; a parameter
	// of the same name is overwritten, as it would be there.
	if inv.ConfigSource.EntryPoint != "" {
		ext["entryPoint"] = inv.ConfigSource.EntryPoint
	}
	if inv.ConfigSource.URI != "" {
		ext["source"] = inv.ConfigSource.URI
	}
	p.BuildDefinition.ExternalParameters = ext
	p.BuildDefinition.InternalParameters = inv.Environment
	for _, m := range old.Materials {
		p.BuildDefinition.ResolvedDependencies = append(p.BuildDefinition.ResolvedDependencies,
			buildtrust.ResourceDescriptor{URI: m.URI, Digest: m.Digest})
	}
	if inv.ConfigSource.URI != "" {
		p.BuildDefinition.ResolvedDependencies = append(p.BuildDefinition.ResolvedDependencies,
			buildtrust.ResourceDescriptor{URI: inv.ConfigSource.URI, Digest: inv.ConfigSource.Digest})
	}
	p.RunDetails.Builder.ID = old.Builder.ID
	md := &old.Metadata
	if md.BuildInvocationID != "" || md.BuildStartedOn != nil || md.BuildFinishedOn != nil {
		p.RunDetails.Metadata = &BuildMetadata{InvocationID: md.BuildInvocationID, StartedOn: md.BuildStartedOn, FinishedOn: md.BuildFinishedOn}
	}
	legacy := &Legacy{PredicateType: PredicateTypeV02, Reproducible: md.Reproducible}
	if len(old.BuildConfig) > 0 && !bytes.Equal(old.BuildConfig, []byte("null")) {
		legacy.BuildConfig = old.BuildConfig
	}
	if len(md.Completeness) > 0 && !bytes.Equal(md.Completeness, []byte("null")) {
		legacy.Completeness = md.Completeness
	}
	return p, legacy
}

// v01Predicate is SLSA Provenance v0.1, still emitted by Google Cloud Build.
type v01Predicate struct {
	Builder struct {
		ID string `json:"id"`
	} `json:"builder"`
	Recipe struct {
		Type              string          `json:"type"`
		DefinedInMaterial json.RawMessage `json:"definedInMaterial"` // a number, or a numeric string in GCB output
		EntryPoint        string          `json:"entryPoint"`
		Arguments         map[string]any  `json:"arguments"`
		Environment       map[string]any  `json:"environment"`
	} `json:"recipe"`
	Metadata  legacyMetadata `json:"metadata"`
	Materials []material     `json:"materials"`
}

// toV02 maps v0.1 onto v0.2 as the SLSA v0.2 change log describes: recipe
// became invocation (type → buildType, arguments → parameters, the material
// the recipe was defined in → configSource).
func (old *v01Predicate) toV02() *v02Predicate {
	var p v02Predicate
	p.Builder.ID = old.Builder.ID
	p.BuildType = old.Recipe.Type
	p.Invocation.Parameters = old.Recipe.Arguments
	p.Invocation.Environment = old.Recipe.Environment
	p.Invocation.ConfigSource.EntryPoint = old.Recipe.EntryPoint
	defined := -1
	if raw := strings.Trim(string(old.Recipe.DefinedInMaterial), `"`); raw != "" {
		if n, err := strconv.Atoi(raw); err == nil {
			defined = n
		}
	}
	for i, m := range old.Materials {
		if defined == i {
			p.Invocation.ConfigSource.URI, p.Invocation.ConfigSource.Digest = m.URI, m.Digest
			continue
		}
		p.Materials = append(p.Materials, m)
	}
	p.Metadata = old.Metadata
	return &p
}
