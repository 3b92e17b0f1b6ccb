package policy

import "time"

// APIVersion is the apiVersion of the policy documents this package reads.
// A document with another apiVersion is rejected, never guessed at.
const APIVersion = "buildtrust.dev/policy/v1"

// Document is a policy as written: JSON or YAML, decoded strictly by
// Decode (unknown keys are errors with their line and column). It is plain
// data; Compile checks it as a whole and turns it into a *Policy that can
// evaluate. Every field's zero value is documented: optional checks whose
// expectation is unset are reported NOT_APPLICABLE, and the trust inputs a
// required level needs make Compile fail when they are missing.
type Document struct {
	// APIVersion must be APIVersion.
	APIVersion string `json:"apiVersion" doc:"required" desc:"must be buildtrust.dev/policy/v1"`
	// Name identifies the policy in results; optional.
	Name string `json:"name,omitempty" desc:"a name for the policy, shown in results"`
	// URI is where the policy is published; it goes into the VSA's
	// policy.uri (VSA-6). Optional: VSA.PolicyURI overrides it.
	URI string `json:"uri,omitempty" desc:"where this policy is published (VSA policy.uri)"`
	// Trust holds every root of trust. Nothing is trusted by default.
	Trust Trust `json:"trust" doc:"required" desc:"the roots of trust: keys, builders, verifiers, hardware roots"`
	// Profiles describe buildTypes the provenance package does not know.
	Profiles []Profile `json:"profiles,omitempty" desc:"where provenance of other buildTypes keeps source, ref, commit and config"`
	// Artifacts are the per-artifact expectations; the first whose Match
	// selects the artifact applies. Required: a policy that expects
	// nothing of any artifact accepts nothing.
	Artifacts []Artifact `json:"artifacts" doc:"required" desc:"per-artifact expectations; the first match applies"`
	// Environments are named build-environment expectations that artifacts
	// refer to by name.
	Environments map[string]Environment `json:"environments,omitempty" desc:"named build-environment expectations"`
	// Rules are named CEL rules over verified claims; artifacts refer to
	// them by name.
	Rules []Rule `json:"rules,omitempty" desc:"custom CEL rules over verified claims"`
	// VSA describes the VSA Result.VSA produces. Optional until a VSA is
	// asked for.
	VSA *VSAOutput `json:"vsa,omitempty" desc:"the verification summary to emit"`
}

// Trust is every root of trust of a policy. Keys are declared once, by name,
// and referred to by that name everywhere else.
type Trust struct {
	// Keys maps a name to a public key.
	Keys map[string]Key `json:"keys,omitempty" desc:"named public keys referred to elsewhere by name"`
	// Builders are the trusted (signer, builder) pairs and the highest
	// Build level each earns (PROV-VER-1, PROV-9).
	Builders []TrustedBuilder `json:"builders,omitempty" desc:"trusted (signer, builder) pairs with the highest Build level each earns"`
	// Verifiers are the VSA verifiers whose VSAs may stand in for checks
	// (VSA-VER-4).
	Verifiers []TrustedParty `json:"verifiers,omitempty" desc:"trusted VSA verifiers (verifier.id and keys)"`
	// ImageBuilders are the trusted builders of build images (BENV-L1-1,
	// BENV-L2-1).
	ImageBuilders []TrustedBuilder `json:"imageBuilders,omitempty" desc:"trusted builders of build images"`
	// ImageProducers may sign image reference values (BENV-L2-2).
	ImageProducers []TrustedParty `json:"imageProducers,omitempty" desc:"parties allowed to sign image reference values"`
	// LaunchSigners may sign environment launch attestations (BENV-H-4).
	// A launch signed only by its own identity key is also accepted, since
	// its hardware evidence is what binds that key.
	LaunchSigners []string `json:"launchSigners,omitempty" desc:"key names allowed to sign launch attestations"`
	// Assessors may sign builder assessments (third parties).
	Assessors []TrustedParty `json:"assessors,omitempty" desc:"parties allowed to sign builder assessments"`
	// TPM says how TPM attestation keys are trusted.
	TPM *TPMTrust `json:"tpm,omitempty" desc:"how TPM attestation keys are trusted"`
	// SEVSNP holds the AMD roots; required for SEV-SNP evidence.
	SEVSNP *SEVSNPTrust `json:"sevsnp,omitempty" desc:"AMD SEV-SNP roots"`
	// TDX holds the Intel roots; required for TDX evidence.
	TDX *TDXTrust `json:"tdx,omitempty" desc:"Intel TDX roots"`
}

// Key is one public key: PEM (PKIX "PUBLIC KEY", or "RSA PUBLIC KEY").
type Key struct {
	PEM string `json:"pem" doc:"required" desc:"PEM public key"`
	// Scheme pins the signature scheme (buildtrust.Scheme); "" picks the
	// usual one for the key type.
	Scheme string `json:"scheme,omitempty" desc:"signature scheme, e.g. ecdsa-sha256, ed25519, rsassa-pss-sha256"`
}

// TrustedBuilder is a builder ID, the keys allowed to sign its provenance,
// and the highest Build level that pair earns.
type TrustedBuilder struct {
	// ID is the builder.id; "…@v1.2.3" pins a version.
	ID string `json:"id" doc:"required" desc:"builder.id (append @version to pin one)"`
	// Keys are names from Trust.Keys. Required.
	Keys []string `json:"keys" doc:"required" desc:"names of the keys allowed to sign for this builder"`
	// MaxLevel is the Build level (0–3) the pair earns.
	MaxLevel int `json:"maxLevel" doc:"required" desc:"highest Build level (0-3) this builder earns"`
	// Assessment, when set, requires a valid signed builder assessment
	// before the builder is trusted above Build L2.
	Assessment *AssessmentRequirement `json:"assessment,omitempty" desc:"builder assessment required before trusting this builder at L3"`
}

// AssessmentRequirement says which builder assessments count.
type AssessmentRequirement struct {
	// ThirdParty refuses self-attested assessments: the assessment must be
	// signed by one of Trust.Assessors.
	ThirdParty bool `json:"thirdParty,omitempty" desc:"refuse self-attested assessments"`
	// SelfKeys are key names the builder operator signs self-assessments
	// with; used unless ThirdParty.
	SelfKeys []string `json:"selfKeys,omitempty" desc:"key names of the builder operator, for self-attested assessments"`
}

// TrustedParty is an identity (a verifier ID, an image producer, an
// assessor) and the keys allowed to sign for it.
type TrustedParty struct {
	ID   string   `json:"id" doc:"required" desc:"the party's identifier (URI)"`
	Keys []string `json:"keys" doc:"required" desc:"names of the keys allowed to sign for it"`
}

// TPMTrust says how attestation keys are trusted: pinned keys, or AK
// certificates under roots. Exactly one.
type TPMTrust struct {
	// AKKeys are names of pinned AK public keys (ECDSA P-256/P-384, RSA).
	AKKeys []string `json:"akKeys,omitempty" desc:"names of pinned attestation keys"`
	// AKRootsPEM are CA certificates AK certificates must chain to.
	AKRootsPEM string `json:"akRootsPEM,omitempty" desc:"PEM CA certificates for AK certificates"`
}

// SEVSNPTrust holds AMD roots: the embedded ones, or PEM bundles in the
// format of AMD's KDS cert_chain (ASK or ASVK, then ARK).
type SEVSNPTrust struct {
	EmbeddedRoots bool        `json:"embeddedRoots,omitempty" desc:"trust AMD's published roots (Milan, Genoa, Turin)"`
	Roots         []SNPBundle `json:"roots,omitempty" desc:"KDS cert_chain PEM bundles"`
}

// SNPBundle is one KDS cert_chain bundle.
type SNPBundle struct {
	ProductLine string `json:"productLine" doc:"required" desc:"Milan, Genoa or Turin"`
	PEM         string `json:"pem" doc:"required" desc:"intermediate then ARK, PEM"`
}

// TDXTrust holds the Intel roots of PCK chains.
type TDXTrust struct {
	IntelRoot bool   `json:"intelRoot,omitempty" desc:"trust the Intel SGX Root CA"`
	RootsPEM  string `json:"rootsPEM,omitempty" desc:"PEM root certificates"`
}

// Profile mirrors provenance.Profile: JSON Pointers into the normalized
// provenance for each fact, per buildType.
type Profile struct {
	BuildTypes []string `json:"buildTypes" doc:"required"`
	Source     []string `json:"source,omitempty"`
	Ref        []string `json:"ref,omitempty"`
	Branch     []string `json:"branch,omitempty"`
	Tag        []string `json:"tag,omitempty"`
	Commit     []string `json:"commit,omitempty"`
	ConfigPath []string `json:"configPath,omitempty"`
	Covers     []string `json:"covers,omitempty"`
}

// Artifact is what a policy expects of the artifacts it selects.
type Artifact struct {
	// Match selects artifacts by name or purl pattern (path.Match syntax:
	// "*", "?", "[…]"). Required; "*" selects every artifact.
	Match Match `json:"match" doc:"required" desc:"which artifacts these expectations apply to"`
	// Provenance are the provenance expectations (PROV-VER-6).
	Provenance *ProvenanceExpectations `json:"provenance,omitempty" desc:"what the provenance must say"`
	// BuildLevel is the required Build level (0–3). Zero requires nothing
	// of provenance, which is allowed only when BuildEnvLevel is zero too.
	BuildLevel int `json:"buildLevel,omitempty" desc:"required SLSA Build level (0-3)"`
	// BuildEnvLevel is the required BuildEnv level (0–3).
	BuildEnvLevel int `json:"buildEnvLevel,omitempty" desc:"required SLSA BuildEnv level (0-3)"`
	// Environment names an entry of Document.Environments. Required when
	// BuildEnvLevel > 0.
	Environment string `json:"environment,omitempty" desc:"name of the environment expectations"`
	// RequireResponseBinding requires a TEE report whose REPORT_DATA covers
	// the provenance statement itself (check buildenv.response).
	RequireResponseBinding bool `json:"requireResponseBinding,omitempty" desc:"require a TEE report whose REPORT_DATA covers the provenance"`
	// AcceptVSAs lets a VSA from a trusted verifier stand in for the
	// provenance and environment checks.
	AcceptVSAs *VSAAcceptance `json:"acceptVSAs,omitempty" desc:"accept VSAs from trusted verifiers in place of provenance and environment checks"`
	// Rules are names of Document.Rules that must hold.
	Rules []string `json:"rules,omitempty" desc:"names of CEL rules that must hold"`
	// MaxAge, when set, bounds how old the build may be (provenance
	// finishedOn, or an accepted VSA's timeVerified) at evaluation time.
	MaxAge Duration `json:"maxAge,omitempty" desc:"oldest acceptable build, e.g. 720h"`
}

// Match selects artifacts. An artifact is selected when its name matches
// one of Names or its purl one of PURLs.
type Match struct {
	Names []string `json:"names,omitempty" desc:"artifact name patterns (path.Match syntax)"`
	PURLs []string `json:"purls,omitempty" desc:"package URL patterns (path.Match syntax)"`
}

// VSAAcceptance says which input VSAs count.
type VSAAcceptance struct {
	// ResourceURI is compared exactly with the VSA's resourceUri; ""
	// means the evaluation input's ResourceURI (which must then be set).
	ResourceURI string `json:"resourceUri,omitempty" desc:"expected resourceUri; default: the input's"`
	// MaxAge bounds timeVerified; zero: not checked.
	MaxAge Duration `json:"maxAge,omitempty" desc:"oldest acceptable timeVerified"`
}

// Dependency constrains the resolvedDependencies at a URI
// (provenance.DependencyRule).
type Dependency struct {
	// URI is exact, or a prefix when it ends in "*". Required.
	URI string `json:"uri" doc:"required" desc:"dependency uri, or a prefix ending in *"`
	// Digests are the accepted digest sets; empty: any collision-resistant
	// digest.
	Digests []map[string]string `json:"digests,omitempty" desc:"accepted digest sets"`
	// Required fails the check when no dependency has the URI.
	Required bool `json:"required,omitempty" desc:"the dependency must be listed"`
}

// ProvenanceExpectations mirror provenance.Expectations.
type ProvenanceExpectations struct {
	// Builders are accepted builder IDs, each in Trust.Builders. Required.
	Builders        []string `json:"builders" doc:"required" desc:"accepted builder IDs"`
	BuilderVersions string   `json:"builderVersions,omitempty" desc:"semver range of the builder version"`
	// SourceRepository is the canonical repository ("github.com/org/repo").
	// Required unless InsecureSkipSource.
	SourceRepository string   `json:"sourceRepository,omitempty" desc:"canonical source repository, e.g. github.com/org/repo"`
	Branch           string   `json:"branch,omitempty"`
	Tag              string   `json:"tag,omitempty"`
	VersionedTag     string   `json:"versionedTag,omitempty" desc:"semver the tag must match at its precision (v1.2 accepts v1.2.x)"`
	Commit           string   `json:"commit,omitempty"`
	ConfigPath       string   `json:"configPath,omitempty"`
	BuildTypes       []string `json:"buildTypes,omitempty"`
	// Parameters maps a JSON Pointer relative to externalParameters to the
	// values allowed there.
	Parameters map[string][]any `json:"parameters,omitempty" desc:"allowed values per externalParameters JSON Pointer"`
	// Dependencies pin resolvedDependencies by URI and digest (PROV-VER-7).
	Dependencies []Dependency `json:"dependencies,omitempty" desc:"resolvedDependencies the build must have used, pinned by digest"`
	// IgnoreParameters are pointers whose subtrees are not checked.
	IgnoreParameters []string `json:"ignoreParameters,omitempty"`
	// Insecure… opt-outs, for tests and migrations only.
	InsecureSkipSource             bool `json:"insecureSkipSource,omitempty"`
	InsecureAllowUnknownParameters bool `json:"insecureAllowUnknownParameters,omitempty"`
}

// Environment are the expectations of a build environment (the BuildEnv
// chain of DESIGN.md).
type Environment struct {
	// Images are accepted build-image digests; empty: any image with
	// trusted provenance of the required level.
	Images []map[string]string `json:"images,omitempty" desc:"accepted build-image digest sets"`
	// ImageBuilders restricts which Trust.ImageBuilders count; empty: all.
	ImageBuilders []string `json:"imageBuilders,omitempty" desc:"accepted image builder IDs (default: all trusted)"`
	// Components are the reference-value components that must be present
	// and match; empty: bootloader, kernel, build-agent, rootfs (BENV-L2-2).
	Components []string `json:"components,omitempty" desc:"components whose reference values must be present and match"`
	// AcceptImageVSAs lets a VSA from trust.verifiers about the build image
	// (BENV-L1-2) stand in for the image's provenance: its verifiedLevels
	// give the image's Build level. Its resourceUri must equal
	// ResourceURI, or else the image URI the verified launch names. nil:
	// only image provenance counts.
	AcceptImageVSAs *VSAAcceptance `json:"acceptImageVSAs,omitempty" desc:"accept a VSA from trust.verifiers about the build image in place of its provenance"`
	// TPM are the boot expectations beyond the image's reference values.
	TPM *TPMExpectations `json:"tpm,omitempty"`
	// SEVSNP and TDX are the hardware expectations; the platform the
	// evidence comes from must have one.
	SEVSNP *SEVSNPExpectations `json:"sevsnp,omitempty"`
	TDX    *TDXExpectations    `json:"tdx,omitempty"`
}

// TPMExpectations constrain the quote.
type TPMExpectations struct {
	// RequiredPCRs must be quoted.
	RequiredPCRs []int `json:"requiredPCRs,omitempty"`
	// PCRs are accepted values per PCR, in addition to the image's.
	PCRs []PCRValue `json:"pcrs,omitempty"`
}

// PCRValue lists accepted values of one PCR.
type PCRValue struct {
	Bank   string   `json:"bank" doc:"required" desc:"sha256, sha384 or sha512"`
	Index  int      `json:"index" doc:"required"`
	Values []string `json:"values" doc:"required" desc:"accepted values, lowercase hex"`
}

// SEVSNPExpectations mirror the strict options of tee/sevsnp.
type SEVSNPExpectations struct {
	// Measurements are accepted MEASUREMENT values (hex), in addition to
	// the image producer's tee-launch reference values.
	Measurements []string `json:"measurements,omitempty"`
	// Product: "Milan", "Genoa-B1", … ; "" accepts any product the roots cover.
	Product         string  `json:"product,omitempty"`
	MinimumTCB      *SNPTCB `json:"minimumTCB,omitempty"`
	MinimumGuestSVN uint32  `json:"minimumGuestSVN,omitempty"`
	// HostData, if set, is the expected HOST_DATA (hex, 32 bytes).
	HostData                  string `json:"hostData,omitempty"`
	VMPL                      *int   `json:"vmpl,omitempty" desc:"required VMPL (default 0)"`
	RefuseSMT                 bool   `json:"refuseSMT,omitempty"`
	PermitProvisionalFirmware bool   `json:"permitProvisionalFirmware,omitempty"`
	InsecureAllowDebug        bool   `json:"insecureAllowDebug,omitempty"`
}

// SNPTCB is a minimum SEV-SNP TCB.
type SNPTCB struct {
	Bootloader uint8 `json:"bootloader,omitempty"`
	TEE        uint8 `json:"tee,omitempty"`
	SNP        uint8 `json:"snp,omitempty"`
	Microcode  uint8 `json:"microcode,omitempty"`
	FMC        uint8 `json:"fmc,omitempty"`
}

// TDXExpectations mirror the strict options of tee/tdx.
type TDXExpectations struct {
	// MRTDs are accepted MRTD values (hex), in addition to the image
	// producer's tee-launch reference values.
	MRTDs []string `json:"mrtds,omitempty"`
	// RTMRs, when an entry is non-empty, are the expected RTMR0–3 (hex).
	RTMRs []string `json:"rtmrs,omitempty"`
	// MinimumTEETCBSVN is 16 bytes of hex.
	MinimumTEETCBSVN    string   `json:"minimumTEETCBSVN,omitempty"`
	AcceptedTCBStatuses []string `json:"acceptedTCBStatuses,omitempty"`
	InsecureAllowDebug  bool     `json:"insecureAllowDebug,omitempty"`
}

// Rule is a CEL expression over the verified claims that must be true.
type Rule struct {
	Name string `json:"name" doc:"required"`
	// Expr is a CEL expression evaluating to a bool. The variables are
	// described in the package documentation.
	Expr string `json:"expr" doc:"required" desc:"CEL expression that must evaluate to true"`
	// Threats are the catalog IDs the rule addresses. Required: a rule
	// that names no threat cannot be placed in the coverage report.
	Threats []string `json:"threats" doc:"required" desc:"threat IDs the rule addresses"`
	// Message explains a failure.
	Message string `json:"message,omitempty"`
}

// VSAOutput describes the VSA to emit.
type VSAOutput struct {
	// Verifier is the verifier.id written into the VSA. Required.
	Verifier string `json:"verifier" doc:"required" desc:"verifier.id of the VSAs this policy emits"`
	// PolicyURI overrides Document.URI as the VSA's policy.uri.
	PolicyURI string `json:"policyUri,omitempty"`
}

// Duration is a time.Duration written as a Go duration string ("720h").
type Duration struct{ time.Duration }

// UnmarshalText reads a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }
