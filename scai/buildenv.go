package scai

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/spki"
	"github.com/buildtrust/buildtrust/internal/text"
	"github.com/buildtrust/buildtrust/threat"
)

// Attributes of the BuildEnv profile (see the package documentation).
const (
	// AttrReferenceValue is one signed reference value of a build image
	// component (BENV-L2-2).
	AttrReferenceValue = "BUILDENV_REFERENCE_VALUE"
	// AttrImage names the build image an environment was launched from, with
	// its provenance, VSA or reference values as evidence (BENV-H-4).
	AttrImage = "BUILDENV_IMAGE"
	// AttrMeasuredBoot carries one piece of TPM measured-boot evidence
	// (BENV-L2-3, BENV-H-2).
	AttrMeasuredBoot = "BUILDENV_MEASURED_BOOT"
	// AttrHardwareTEE carries one piece of hardware TEE evidence
	// (BENV-L3-1).
	AttrHardwareTEE = "BUILDENV_HARDWARE_TEE"
	// AttrDispatch binds an environment to a build ID (BENV-L2-4, BENV-H-5).
	AttrDispatch = "BUILDENV_DISPATCH"
)

// Component is a measured build-image component.
type Component string

// Components of BENV-L2-2 and the measurement registers that summarize them.
// Other components MAY be measured; any non-empty name is accepted.
const (
	Bootloader Component = "bootloader"
	Kernel     Component = "kernel"
	BuildAgent Component = "build-agent"
	RootFS     Component = "rootfs"
	// PCR is the expected value of one TPM PCR (Name "PCR<n>").
	PCR Component = "pcr"
	// TEELaunch is the expected launch measurement of a TEE: the SEV-SNP
	// MEASUREMENT, or a TDX MRTD or RTMR (Name says which register).
	TEELaunch Component = "tee-launch"
)

// RequiredComponents are the components whose reference values BENV-L2-2
// requires: bootloader, guest kernel, build agent and root filesystem.
var RequiredComponents = []Component{Bootloader, Kernel, BuildAgent, RootFS}

// TEE platforms.
const (
	PlatformSEVSNP = "sev-snp"
	PlatformTDX    = "tdx"
)

// Binding purposes and convention (DESIGN.md "Binding convention").
const (
	// BindingConvention names the convention: report data =
	// SHA-512("buildtrust/bind/v1\x00" ‖ purpose ‖ "\x00" ‖ payload).
	BindingConvention = "buildtrust/bind/v1"
	// PurposeLaunch binds hardware evidence to the environment identity key:
	// payload = SHA-256 of the key's DER SubjectPublicKeyInfo.
	PurposeLaunch = "launch"
	// PurposeDispatch binds fresh hardware evidence to one build: payload =
	// DispatchPayload(identity, buildID).
	PurposeDispatch = "dispatch"
)

// ReferenceValue is the expected measurement of one build-image component
// (BENV-T-11), published by the image producer (BENV-L2-2).
type ReferenceValue struct {
	// Component says what was measured. Required.
	Component Component
	// Name is the file or register measured ("shimx64.efi", "vmlinuz",
	// "PCR7", "MEASUREMENT", "MRTD"). Required.
	Name string
	// Digest is the measurement: a file digest, a PCR value under its bank's
	// algorithm name (sha256, sha384), a TEE register under sha384.
	Digest buildtrust.DigestSet
	// PCR is the PCR index (0–23) when Component is PCR; ignored otherwise.
	PCR int
	// Platform is PlatformSEVSNP or PlatformTDX when Component is
	// TEELaunch; ignored otherwise.
	Platform string
}

type refConditions struct {
	Component Component `json:"component"`
	PCR       *int      `json:"pcr,omitempty"`
	Platform  string    `json:"platform,omitempty"`
}

func (v *ReferenceValue) validate() error {
	if v.Component == "" || !text.Printable(string(v.Component)) || len(v.Component) > limits.MaxSCAIAttributeBytes {
		return malformed("reference value without a valid component")
	}
	if v.Name == "" {
		return malformed("reference value %s without a name", v.Component)
	}
	if err := v.Digest.Validate(); err != nil {
		return fmt.Errorf("reference value %s/%s: %w", v.Component, v.Name, err)
	}
	switch v.Component {
	case PCR:
		if v.PCR < 0 || v.PCR > 23 {
			return malformed("PCR index %d out of range 0-23", v.PCR)
		}
	case TEELaunch:
		if v.Platform != PlatformSEVSNP && v.Platform != PlatformTDX {
			return malformed("TEE launch measurement for unknown platform %q", v.Platform)
		}
	}
	return nil
}

// ImageReferenceValues is the image producer's signed list of reference
// values for a build image (BENV-L2-2, BENV-EV-1): bootloader, kernel,
// build agent, root filesystem, PCRs and TEE launch measurements.
type ImageReferenceValues struct {
	// Image is the build image, the statement's subject: it needs a digest
	// (or an immutable image ID, ITE-DS-4, BENV-EV-4).
	Image buildtrust.ResourceDescriptor
	// Producer identifies the image producer (BENV-T-3); optional.
	Producer *buildtrust.ResourceDescriptor
	// Values holds at least one reference value.
	Values []ReferenceValue
}

// NewImageReferenceValues builds the SCAI v0.3 statement of the image's
// reference values. It checks form, not completeness: call Complete to
// insist on the BENV-L2-2 components.
func NewImageReferenceValues(v ImageReferenceValues) (*buildtrust.Statement, error) {
	if len(v.Values) == 0 {
		return nil, malformed("no reference values")
	}
	rep := AttributeReport{Producer: v.Producer}
	for i := range v.Values {
		rv := &v.Values[i]
		if err := rv.validate(); err != nil {
			return nil, err
		}
		cond := refConditions{Component: rv.Component, Platform: rv.Platform}
		switch rv.Component {
		case PCR:
			cond.PCR = &rv.PCR
		case TEELaunch:
		default:
			cond.Platform = ""
		}
		raw, err := json.Marshal(cond)
		if err != nil {
			return nil, err
		}
		rep.Attributes = append(rep.Attributes, AttributeAssertion{
			Attribute:  AttrReferenceValue,
			Target:     &buildtrust.ResourceDescriptor{Name: rv.Name, Digest: rv.Digest.Clone()},
			Conditions: raw,
		})
	}
	return New(rep, v.Image)
}

// ParseImageReferenceValues reads image reference values from a statement:
// a SCAI report with exactly one subject (the image) and at least one
// AttrReferenceValue assertion. Other attributes are ignored (SCAI-8).
// Parsing establishes no trust: verify the envelope first (Verify).
func ParseImageReferenceValues(st *buildtrust.Statement) (*ImageReferenceValues, error) {
	rep, err := Parse(st)
	if err != nil {
		return nil, err
	}
	return rep.ImageReferenceValues()
}

// ImageReferenceValues interprets an already parsed report as
// ParseImageReferenceValues does, so a caller that tries several
// interpretations parses the predicate once. It
// does not modify the report; the result may share memory with it.
func (rep *Report) ImageReferenceValues() (*ImageReferenceValues, error) {
	if len(rep.Subject) != 1 {
		return nil, malformed("reference values must have exactly one subject (the image), got %d", len(rep.Subject))
	}
	out := &ImageReferenceValues{Image: rep.Subject[0], Producer: rep.Predicate.Producer}
	for i := range rep.Predicate.Attributes { // Find, without copying
		a := &rep.Predicate.Attributes[i]
		if a.Attribute != AttrReferenceValue {
			continue
		}
		if a.Target == nil || a.Conditions == nil {
			return nil, fmt.Errorf("%w: %s needs a target and conditions", ErrAttribute, AttrReferenceValue)
		}
		var cond refConditions
		if err := cond.read(a.Conditions); err != nil {
			return nil, fmt.Errorf("%w: %s conditions: %w", ErrAttribute, AttrReferenceValue, err)
		}
		// The digest is shared with the report, as the doc comment allows:
		// both are read-only once parsed.
		rv := ReferenceValue{Component: cond.Component, Name: a.Target.Name, Digest: a.Target.Digest, Platform: cond.Platform}
		if cond.Component == PCR {
			if cond.PCR == nil {
				return nil, fmt.Errorf("%w: PCR reference value without an index", ErrAttribute)
			}
			rv.PCR = *cond.PCR
		}
		if err := rv.validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrAttribute, err)
		}
		out.Values = append(out.Values, rv)
	}
	if len(out.Values) == 0 {
		return nil, checkErr(CheckAttribute, []threat.ID{threat.E9}, ErrAttribute, "no %s attribute", AttrReferenceValue)
	}
	return out, nil
}

// Lookup returns the reference values of a component.
func (v *ImageReferenceValues) Lookup(c Component) []ReferenceValue {
	var out []ReferenceValue
	for _, rv := range v.Values {
		if rv.Component == c {
			out = append(out, rv)
		}
	}
	return out
}

// Complete checks that every required component has a reference value;
// with no arguments it requires RequiredComponents (BENV-L2-2). A missing
// one is a *buildtrust.CheckError for CheckAttribute wrapping ErrAttribute
// and threat E9: an unmeasured component is one an attacker can change at
// rest unnoticed.
func (v *ImageReferenceValues) Complete(required ...Component) error {
	if len(required) == 0 {
		required = RequiredComponents
	}
	for _, c := range required {
		if len(v.Lookup(c)) == 0 {
			return checkErr(CheckAttribute, []threat.ID{threat.E9}, ErrAttribute, "no reference value for %s (BENV-L2-2)", c)
		}
	}
	return nil
}

// Binding states what the report data of hardware evidence commits to,
// under BindingConvention: report data = SHA-512("buildtrust/bind/v1\x00" ‖
// Purpose ‖ "\x00" ‖ payload), where payload is the bytes whose digest is
// Payload (the SHA-256 value itself). SEV-SNP and TDX carry all 64 bytes in
// REPORT_DATA; a TPM quote carries the first 32 as qualifying data
// (extraData). This package checks that Payload commits to the attestation's
// subject; comparing it with the evidence's report data is policy's job
// (through the tee and tpm packages).
type Binding struct {
	Convention string               `json:"convention"`
	Purpose    string               `json:"purpose"`
	Payload    buildtrust.DigestSet `json:"payload"`
}

// PayloadBytes returns the raw payload the binding function takes: the
// decoded SHA-256 value of Payload.
func (b Binding) PayloadBytes() ([]byte, error) {
	v, ok := b.Payload[buildtrust.SHA256]
	if !ok {
		return nil, malformed("binding payload has no sha256")
	}
	return hex.DecodeString(v)
}

// IdentityDescriptor describes an environment identity public key as a
// statement subject: DER SubjectPublicKeyInfo inline, its SHA-256 as the
// digest (the launch binding's payload).
func IdentityDescriptor(pub crypto.PublicKey) (buildtrust.ResourceDescriptor, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return buildtrust.ResourceDescriptor{}, fmt.Errorf("%w: identity key: %v", buildtrust.ErrUnsupportedKey, err)
	}
	sum := sha256.Sum256(der)
	return buildtrust.ResourceDescriptor{
		Name:      "environment-identity",
		Digest:    buildtrust.DigestSet{buildtrust.SHA256: hex.EncodeToString(sum[:])},
		Content:   der,
		MediaType: MediaTypePublicKey,
	}, nil
}

// LaunchBinding returns the launch binding for an identity descriptor.
func LaunchBinding(identity buildtrust.ResourceDescriptor) Binding {
	return Binding{Convention: BindingConvention, Purpose: PurposeLaunch,
		Payload: buildtrust.DigestSet{buildtrust.SHA256: identity.Digest[buildtrust.SHA256]}}
}

// DispatchPayload is the payload a dispatch-time binding commits to:
// SHA-256(identity SHA-256 ‖ 0x00 ‖ build ID), so that fresh evidence taken
// at dispatch names both the environment and the build (BENV-L3-2 as
// proposed in PR #1596).
func DispatchPayload(identity buildtrust.ResourceDescriptor, buildID string) buildtrust.DigestSet {
	id, _ := hex.DecodeString(identity.Digest[buildtrust.SHA256])
	h := sha256.New()
	h.Write(id)
	h.Write([]byte{0})
	h.Write([]byte(buildID))
	return buildtrust.DigestSet{buildtrust.SHA256: hex.EncodeToString(h.Sum(nil))}
}

// MeasuredBoot is the TPM evidence of a launch or dispatch (BENV-L2-3,
// BENV-H-2): one AttrMeasuredBoot assertion per piece, told apart by media
// type.
type MeasuredBoot struct {
	// Quote (MediaTypeTPMQuote) and Signature (MediaTypeTPMSignature) are
	// required.
	Quote, Signature *buildtrust.ResourceDescriptor
	// EventLog (MediaTypeTCGEventLog) and AKCertificate
	// (MediaTypeTPMAKCertificate) are optional.
	EventLog, AKCertificate *buildtrust.ResourceDescriptor
	// Binding is what the quote's qualifying data commits to.
	Binding Binding
}

// HardwareTEE is the TEE evidence of a launch or dispatch (BENV-L3-1): one
// AttrHardwareTEE assertion per piece.
type HardwareTEE struct {
	// Platform is PlatformSEVSNP or PlatformTDX.
	Platform string
	// Report is the SEV-SNP report or TDX quote. Required.
	Report *buildtrust.ResourceDescriptor
	// Endorsements are the SEV-SNP certificate table or the TDX collateral;
	// optional (a verifier may hold them itself).
	Endorsements *buildtrust.ResourceDescriptor
	// Binding is what the report data commits to.
	Binding Binding
}

type evidenceConditions struct {
	Platform string  `json:"platform,omitempty"`
	Binding  Binding `json:"binding"`
}

// ImageClaim names the build image of a launch and the attestation that
// vouches for it.
type ImageClaim struct {
	// Image is the build image (target); it needs a digest.
	Image buildtrust.ResourceDescriptor
	// Attestation is its provenance, VSA or reference-values envelope
	// (evidence), by digest; optional.
	Attestation *buildtrust.ResourceDescriptor
}

// Launch is the environment launch ("deploy-time") attestation (BENV-H-4,
// BENV-L2-3, BENV-L3-1): its subject is the environment identity key
// generated inside the environment at boot; it names the image and carries
// the measured-boot and TEE evidence that binds the key to the hardware.
type Launch struct {
	// Identity is the subject: the identity key (IdentityDescriptor).
	Identity buildtrust.ResourceDescriptor
	// Image is the build image; optional.
	Image *ImageClaim
	// MeasuredBoot and TEE are the hardware evidence; at least one is set.
	MeasuredBoot *MeasuredBoot
	TEE          *HardwareTEE
	// Producer identifies the host interface or platform; optional.
	Producer *buildtrust.ResourceDescriptor
}

// Blob is one piece of evidence for a producer helper: its bytes, and where
// it is published when it is too large to inline (NewEvidence).
type Blob struct {
	Data     []byte
	Location string
}

// TPMEvidence is the raw TPM evidence of a launch: what the tpm package's
// quoter produces. Quote and Signature are required.
type TPMEvidence struct {
	Quote, Signature, EventLog, AKCertificate Blob
}

// TEEEvidence is the raw TEE evidence of a launch: what tee/sevsnp or
// tee/tdx produce. Report is required.
type TEEEvidence struct {
	Platform     string
	Report       Blob
	Endorsements Blob
}

// LaunchInput is what NewLaunch needs.
type LaunchInput struct {
	// IdentityKey is the environment identity public key. Required.
	IdentityKey crypto.PublicKey
	// Image and ImageAttestation name the build image and its attestation;
	// Image is optional, ImageAttestation needs Image.
	Image            *buildtrust.ResourceDescriptor
	ImageAttestation *buildtrust.ResourceDescriptor
	// TPM and TEE are the evidence; at least one is required. Their report
	// data must already commit to the launch binding (LaunchBinding).
	TPM *TPMEvidence
	TEE *TEEEvidence
	// Producer identifies the host interface or platform; optional.
	Producer *buildtrust.ResourceDescriptor
}

// NewLaunch builds the launch attestation (SCAI v0.3) from raw evidence: the
// identity key becomes the subject, each evidence piece a descriptor
// (inline when small, else by digest and location), all under the launch
// binding of the key. Sign it with the key of the party that checked the
// evidence before admitting the environment (BENV-H-4), or with the
// identity key itself.
func NewLaunch(in LaunchInput) (*buildtrust.Statement, error) {
	if in.IdentityKey == nil {
		return nil, malformed("launch without an identity key")
	}
	id, err := IdentityDescriptor(in.IdentityKey)
	if err != nil {
		return nil, err
	}
	l := Launch{Identity: id, Producer: in.Producer}
	if in.ImageAttestation != nil && in.Image == nil {
		return nil, malformed("image attestation without an image")
	}
	if in.Image != nil {
		l.Image = &ImageClaim{Image: *in.Image, Attestation: in.ImageAttestation}
	}
	if l.MeasuredBoot, l.TEE, err = evidenceFromRaw(in.TPM, in.TEE, LaunchBinding(id)); err != nil {
		return nil, err
	}
	return l.statement()
}

func evidenceFromRaw(tpm *TPMEvidence, tee *TEEEvidence, b Binding) (*MeasuredBoot, *HardwareTEE, error) {
	var mb *MeasuredBoot
	var hw *HardwareTEE
	if tpm != nil {
		mb = &MeasuredBoot{Binding: b}
		for _, p := range [...]struct {
			dst             **buildtrust.ResourceDescriptor
			blob            Blob
			name, mediaType string
			required        bool
		}{
			{&mb.Quote, tpm.Quote, "tpm-quote", MediaTypeTPMQuote, true},
			{&mb.Signature, tpm.Signature, "tpm-quote-signature", MediaTypeTPMSignature, true},
			{&mb.EventLog, tpm.EventLog, "tpm-event-log", MediaTypeTCGEventLog, false},
			{&mb.AKCertificate, tpm.AKCertificate, "tpm-ak-certificate", MediaTypeTPMAKCertificate, false},
		} {
			if len(p.blob.Data) == 0 && !p.required {
				continue
			}
			rd, err := NewEvidence(p.name, p.mediaType, p.blob.Data, p.blob.Location)
			if err != nil {
				return nil, nil, err
			}
			*p.dst = &rd
		}
	}
	if tee != nil {
		hw = &HardwareTEE{Platform: tee.Platform, Binding: b}
		reportType, endorseType := MediaTypeSEVSNPReport, MediaTypeSEVSNPCertificates
		switch tee.Platform {
		case PlatformSEVSNP:
		case PlatformTDX:
			reportType, endorseType = MediaTypeTDXQuote, MediaTypeTDXCollateral
		default:
			return nil, nil, malformed("unknown TEE platform %q", tee.Platform)
		}
		rd, err := NewEvidence(tee.Platform+"-report", reportType, tee.Report.Data, tee.Report.Location)
		if err != nil {
			return nil, nil, err
		}
		hw.Report = &rd
		if len(tee.Endorsements.Data) > 0 {
			rd, err := NewEvidence(tee.Platform+"-endorsements", endorseType, tee.Endorsements.Data, tee.Endorsements.Location)
			if err != nil {
				return nil, nil, err
			}
			hw.Endorsements = &rd
		}
	}
	if mb == nil && hw == nil {
		return nil, nil, malformed("no TPM or TEE evidence")
	}
	return mb, hw, nil
}

func (l *Launch) statement() (*buildtrust.Statement, error) {
	rep := AttributeReport{Producer: l.Producer}
	if l.Image != nil {
		img := l.Image.Image
		rep.Attributes = append(rep.Attributes, AttributeAssertion{Attribute: AttrImage, Target: &img, Evidence: l.Image.Attestation})
	}
	var err error
	if rep.Attributes, err = appendEvidence(rep.Attributes, l.MeasuredBoot, l.TEE); err != nil {
		return nil, err
	}
	return New(rep, l.Identity)
}

func appendEvidence(attrs []AttributeAssertion, mb *MeasuredBoot, hw *HardwareTEE) ([]AttributeAssertion, error) {
	if mb != nil {
		cond, err := json.Marshal(evidenceConditions{Binding: mb.Binding})
		if err != nil {
			return nil, err
		}
		for _, rd := range []*buildtrust.ResourceDescriptor{mb.Quote, mb.Signature, mb.EventLog, mb.AKCertificate} {
			if rd != nil {
				attrs = append(attrs, AttributeAssertion{Attribute: AttrMeasuredBoot, Conditions: cond, Evidence: rd})
			}
		}
	}
	if hw != nil {
		cond, err := json.Marshal(evidenceConditions{Platform: hw.Platform, Binding: hw.Binding})
		if err != nil {
			return nil, err
		}
		for _, rd := range []*buildtrust.ResourceDescriptor{hw.Report, hw.Endorsements} {
			if rd != nil {
				attrs = append(attrs, AttributeAssertion{Attribute: AttrHardwareTEE, Conditions: cond, Evidence: rd})
			}
		}
	}
	return attrs, nil
}

// ParseLaunch reads a launch attestation from a statement and checks what
// this package can check without the evidence bytes: one subject, the
// identity key, whose inline DER hashes to its SHA-256 digest; evidence
// pieces with the media types of the profile, each at most once; at least a
// quote and signature, or a TEE report; and a launch binding whose payload
// is the identity key's digest (a *buildtrust.CheckError for CheckBinding,
// wrapping ErrBinding, threats E9/E10, otherwise). It establishes no trust.
func ParseLaunch(st *buildtrust.Statement) (*Launch, error) {
	rep, err := Parse(st)
	if err != nil {
		return nil, err
	}
	return rep.Launch()
}

// Launch interprets an already parsed report as ParseLaunch does, so a
// caller that tries several interpretations parses the predicate once. It
// does not modify the report; the result may share memory with it.
func (rep *Report) Launch() (*Launch, error) {
	id, err := identitySubject(rep)
	if err != nil {
		return nil, err
	}
	l := &Launch{Identity: id, Producer: rep.Predicate.Producer}
	if imgs := rep.Predicate.Find(AttrImage); len(imgs) > 0 {
		if len(imgs) > 1 || imgs[0].Target == nil || len(imgs[0].Target.Digest) == 0 {
			return nil, fmt.Errorf("%w: %s must appear once, with a target that has a digest", ErrAttribute, AttrImage)
		}
		l.Image = &ImageClaim{Image: *imgs[0].Target, Attestation: imgs[0].Evidence}
	}
	if l.MeasuredBoot, l.TEE, err = readEvidence(&rep.Predicate); err != nil {
		return nil, err
	}
	if l.MeasuredBoot == nil && l.TEE == nil {
		return nil, checkErr(CheckAttribute, []threat.ID{threat.E9, threat.E10}, ErrAttribute,
			"launch attestation carries neither %s nor %s", AttrMeasuredBoot, AttrHardwareTEE)
	}
	want := LaunchBinding(id)
	if err := checkBinding(l.MeasuredBoot, l.TEE, func(b Binding) bool { return bindingEqual(b, want) }); err != nil {
		return nil, err
	}
	return l, nil
}

// IdentityKey returns the environment identity key, the key that signs
// dispatch attestations. It is as trustworthy as the launch attestation and
// its evidence: only after policy has verified both.
func (l *Launch) IdentityKey(opts buildtrust.KeyOptions) (*buildtrust.PublicKey, error) {
	return buildtrust.ParsePublicKey(l.Identity.Content, opts)
}

func identitySubject(rep *Report) (buildtrust.ResourceDescriptor, error) {
	if len(rep.Subject) != 1 {
		return buildtrust.ResourceDescriptor{}, malformed("BuildEnv attestation must have exactly one subject (the identity key), got %d", len(rep.Subject))
	}
	id := rep.Subject[0]
	want, ok := id.Digest[buildtrust.SHA256]
	if !ok || len(id.Content) == 0 {
		return buildtrust.ResourceDescriptor{}, malformed("identity subject needs inline key content and a sha256 digest")
	}
	sum := sha256.Sum256(id.Content)
	if !text.IsHexOf(want, sum[:]) {
		return buildtrust.ResourceDescriptor{}, checkErr(CheckBinding, []threat.ID{threat.E9, threat.E10}, ErrBinding,
			"identity key content does not hash to the subject digest")
	}
	if _, err := spki.Parse(id.Content); err != nil {
		return buildtrust.ResourceDescriptor{}, malformed("identity key: %v", err)
	}
	return id, nil
}

func readEvidence(rep *AttributeReport) (*MeasuredBoot, *HardwareTEE, error) {
	var mb *MeasuredBoot
	var hw *HardwareTEE
	// The pieces of one evidence repeat the same conditions: each distinct
	// text is read once.
	var cond evidenceConditions
	var condRaw []byte
	for _, a := range rep.Attributes {
		if a.Attribute != AttrMeasuredBoot && a.Attribute != AttrHardwareTEE {
			continue
		}
		if a.Evidence == nil || a.Conditions == nil {
			return nil, nil, fmt.Errorf("%w: %s needs evidence and conditions", ErrAttribute, a.Attribute)
		}
		if condRaw == nil || !bytes.Equal(a.Conditions, condRaw) {
			cond, condRaw = evidenceConditions{}, nil
			if err := cond.read(a.Conditions); err != nil {
				return nil, nil, fmt.Errorf("%w: %s conditions: %w", ErrAttribute, a.Attribute, err)
			}
			condRaw = a.Conditions
		}
		ev := a.Evidence
		var slot **buildtrust.ResourceDescriptor
		if a.Attribute == AttrMeasuredBoot {
			if mb == nil {
				mb = &MeasuredBoot{Binding: cond.Binding}
			} else if !bindingEqual(mb.Binding, cond.Binding) {
				return nil, nil, fmt.Errorf("%w: %s pieces disagree on the binding", ErrAttribute, a.Attribute)
			}
			switch ev.MediaType {
			case MediaTypeTPMQuote:
				slot = &mb.Quote
			case MediaTypeTPMSignature:
				slot = &mb.Signature
			case MediaTypeTCGEventLog:
				slot = &mb.EventLog
			case MediaTypeTPMAKCertificate:
				slot = &mb.AKCertificate
			}
		} else {
			if hw == nil {
				hw = &HardwareTEE{Platform: cond.Platform, Binding: cond.Binding}
			} else if hw.Platform != cond.Platform || !bindingEqual(hw.Binding, cond.Binding) {
				return nil, nil, fmt.Errorf("%w: %s pieces disagree on platform or binding", ErrAttribute, a.Attribute)
			}
			switch {
			case ev.MediaType == MediaTypeSEVSNPReport && cond.Platform == PlatformSEVSNP,
				ev.MediaType == MediaTypeTDXQuote && cond.Platform == PlatformTDX:
				slot = &hw.Report
			case ev.MediaType == MediaTypeSEVSNPCertificates && cond.Platform == PlatformSEVSNP,
				ev.MediaType == MediaTypeTDXCollateral && cond.Platform == PlatformTDX:
				slot = &hw.Endorsements
			}
		}
		if slot == nil {
			return nil, nil, fmt.Errorf("%w: %s evidence of media type %q is not part of the profile", ErrAttribute, a.Attribute, ev.MediaType)
		}
		if *slot != nil {
			return nil, nil, fmt.Errorf("%w: %s evidence %q appears twice", ErrAttribute, a.Attribute, ev.MediaType)
		}
		*slot = ev
	}
	if mb != nil && (mb.Quote == nil || mb.Signature == nil) {
		return nil, nil, fmt.Errorf("%w: %s needs a quote and its signature", ErrAttribute, AttrMeasuredBoot)
	}
	if hw != nil && hw.Report == nil {
		return nil, nil, fmt.Errorf("%w: %s needs a report or quote", ErrAttribute, AttrHardwareTEE)
	}
	return mb, hw, nil
}

func bindingEqual(a, b Binding) bool {
	return a.Convention == b.Convention && a.Purpose == b.Purpose && digestSetsIdentical(a.Payload, b.Payload)
}

// digestSetsIdentical is reflect.DeepEqual(a, b) for DigestSets (a nil set
// differs from an empty one) without reflection's allocations.
func digestSetsIdentical(a, b buildtrust.DigestSet) bool {
	return (a == nil) == (b == nil) && maps.Equal(a, b)
}

// checkBinding applies ok to the binding of each piece of evidence present.
func checkBinding(mb *MeasuredBoot, hw *HardwareTEE, ok func(Binding) bool) error {
	if mb != nil && !ok(mb.Binding) {
		return checkErr(CheckBinding, []threat.ID{threat.E9}, ErrBinding,
			"measured-boot binding %s/%s does not commit to this attestation's subject", mb.Binding.Convention, mb.Binding.Purpose)
	}
	if hw != nil && !ok(hw.Binding) {
		return checkErr(CheckBinding, []threat.ID{threat.E10}, ErrBinding,
			"TEE binding %s/%s does not commit to this attestation's subject", hw.Binding.Convention, hw.Binding.Purpose)
	}
	return nil
}

// Dispatch is the dispatch ("request-time") attestation (BENV-L2-4,
// BENV-H-5, BENV-L3-2): signed inside the environment with the identity key,
// it binds the environment — the subject, the identity key of a launch
// attestation — to one build ID, and names the launch attestation it relies
// on. It may carry the boot-process evidence again (the launch's, under the
// launch binding) or fresh evidence under a dispatch binding
// (DispatchPayload).
type Dispatch struct {
	// Identity is the subject: the same identity key as the launch.
	Identity buildtrust.ResourceDescriptor
	// BuildID is the build's immutable ID (BENV-T-1), equal to the
	// provenance's runDetails.metadata.invocationId. Required.
	BuildID string
	// Launch is the launch attestation envelope, by digest; optional.
	Launch *buildtrust.ResourceDescriptor
	// MeasuredBoot and TEE are optional boot-process evidence.
	MeasuredBoot *MeasuredBoot
	TEE          *HardwareTEE
}

type dispatchConditions struct {
	BuildID string `json:"buildId"`
}

// DispatchInput is what NewDispatch needs.
type DispatchInput struct {
	// IdentityKey is the environment identity public key. Required.
	IdentityKey crypto.PublicKey
	// BuildID is the build's ID. Required.
	BuildID string
	// LaunchEnvelope is the serialized launch attestation; optional, and
	// then described by digest (with LaunchLocation, where it is published).
	LaunchEnvelope []byte
	LaunchLocation string
	// TPM and TEE are optional fresh evidence whose report data commits to
	// the dispatch binding (Binding{Purpose: PurposeDispatch, Payload:
	// DispatchPayload(identity, buildID)}).
	TPM *TPMEvidence
	TEE *TEEEvidence
}

// NewDispatch builds the dispatch attestation (SCAI v0.3). Sign it with the
// environment identity key: only the environment holds it, so the signature
// says the attested environment accepted this build.
func NewDispatch(in DispatchInput) (*buildtrust.Statement, error) {
	if in.IdentityKey == nil {
		return nil, malformed("dispatch without an identity key")
	}
	if err := checkBuildIDForm(in.BuildID); err != nil {
		return nil, err
	}
	id, err := IdentityDescriptor(in.IdentityKey)
	if err != nil {
		return nil, err
	}
	d := Dispatch{Identity: id, BuildID: in.BuildID}
	if len(in.LaunchEnvelope) > 0 {
		digests, _, err := buildtrust.Digest(bytes.NewReader(in.LaunchEnvelope), buildtrust.SHA256)
		if err != nil {
			return nil, err
		}
		d.Launch = &buildtrust.ResourceDescriptor{Name: "launch-attestation", Digest: digests, MediaType: MediaTypeDSSE, DownloadLocation: in.LaunchLocation}
	}
	if in.TPM != nil || in.TEE != nil {
		b := Binding{Convention: BindingConvention, Purpose: PurposeDispatch, Payload: DispatchPayload(id, in.BuildID)}
		if d.MeasuredBoot, d.TEE, err = evidenceFromRaw(in.TPM, in.TEE, b); err != nil {
			return nil, err
		}
	}
	cond, err := json.Marshal(dispatchConditions{BuildID: d.BuildID})
	if err != nil {
		return nil, err
	}
	rep := AttributeReport{Attributes: []AttributeAssertion{{Attribute: AttrDispatch, Target: d.Launch, Conditions: cond}}}
	if rep.Attributes, err = appendEvidence(rep.Attributes, d.MeasuredBoot, d.TEE); err != nil {
		return nil, err
	}
	return New(rep, d.Identity)
}

func checkBuildIDForm(id string) error {
	if id == "" || !text.Printable(id) {
		return malformed("build ID empty or not printable")
	}
	if len(id) > limits.MaxBuildIDBytes {
		return limits.TooLarge("build ID", limits.MaxBuildIDBytes)
	}
	return nil
}

// ParseDispatch reads a dispatch attestation from a statement: one subject
// (the identity key, checked as in ParseLaunch), exactly one AttrDispatch
// with a build ID, and evidence whose bindings commit to the identity
// (launch binding) or to identity and build ID (dispatch binding). It
// establishes no trust.
func ParseDispatch(st *buildtrust.Statement) (*Dispatch, error) {
	rep, err := Parse(st)
	if err != nil {
		return nil, err
	}
	return rep.Dispatch()
}

// Dispatch interprets an already parsed report as ParseDispatch does, so a
// caller that tries several interpretations parses the predicate once. It
// does not modify the report; the result may share memory with it.
func (rep *Report) Dispatch() (*Dispatch, error) {
	id, err := identitySubject(rep)
	if err != nil {
		return nil, err
	}
	ds := rep.Predicate.Find(AttrDispatch)
	if len(ds) != 1 || ds[0].Conditions == nil {
		return nil, checkErr(CheckAttribute, []threat.ID{threat.E9, threat.E10}, ErrAttribute,
			"dispatch attestation needs exactly one %s with conditions, got %d", AttrDispatch, len(ds))
	}
	var cond dispatchConditions
	if err := cond.read(ds[0].Conditions); err != nil {
		return nil, fmt.Errorf("%w: %s conditions: %w", ErrAttribute, AttrDispatch, err)
	}
	if err := checkBuildIDForm(cond.BuildID); err != nil {
		return nil, err
	}
	d := &Dispatch{Identity: id, BuildID: cond.BuildID, Launch: ds[0].Target}
	if d.MeasuredBoot, d.TEE, err = readEvidence(&rep.Predicate); err != nil {
		return nil, err
	}
	launch, dispatch := LaunchBinding(id), Binding{Convention: BindingConvention, Purpose: PurposeDispatch, Payload: DispatchPayload(id, d.BuildID)}
	if err := checkBinding(d.MeasuredBoot, d.TEE, func(b Binding) bool {
		return bindingEqual(b, launch) || bindingEqual(b, dispatch)
	}); err != nil {
		return nil, err
	}
	return d, nil
}

// CheckBuildID checks that the dispatch names the build the caller is
// verifying — the provenance's runDetails.metadata.invocationId (DESIGN.md
// BuildEnv chain step 4). A mismatch is a *buildtrust.CheckError for
// CheckDispatchBuildID wrapping ErrBinding and threats E9 and E10: the build
// ran somewhere other than the attested environment, or the dispatch of
// another build is replayed.
func (d *Dispatch) CheckBuildID(want string) error {
	if want == "" || d.BuildID != want {
		return checkErr(CheckDispatchBuildID, []threat.ID{threat.E9, threat.E10}, ErrBinding,
			"dispatch names build %q, want %q", d.BuildID, want)
	}
	return nil
}

// CheckLaunch checks that the dispatch belongs to this launch: same identity
// key, and — when the dispatch names its launch attestation — that
// launchEnvelope (the bytes of the launch envelope) hashes to that
// descriptor. Failures are *buildtrust.CheckError values for CheckBinding
// wrapping ErrBinding (threats E9, E10).
func (d *Dispatch) CheckLaunch(l *Launch, launchEnvelope []byte) error {
	if err := d.checkIdentity(l); err != nil {
		return err
	}
	if d.Launch != nil {
		if _, err := checkEvidence(d.Launch, launchEnvelope, buildtrust.DigestPolicy{}, false); err != nil {
			return launchErr(err)
		}
	}
	return nil
}

// CheckLaunchDigest is CheckLaunch for a caller that has hashed the launch
// envelope already (a verifier listing its inputs by digest): launchDigest
// is the digest set of the envelope's bytes, and must match the dispatch's
// launch descriptor under buildtrust.DigestPolicy{} — an accepted
// algorithm in both with equal values, none differing.
func (d *Dispatch) CheckLaunchDigest(l *Launch, launchDigest buildtrust.DigestSet) error {
	if err := d.checkIdentity(l); err != nil {
		return err
	}
	if d.Launch != nil {
		if err := (buildtrust.DigestPolicy{}).Match(d.Launch.Digest, launchDigest); err != nil {
			return launchErr(err)
		}
	}
	return nil
}

var bindingThreats = []threat.ID{threat.E9, threat.E10}

func (d *Dispatch) checkIdentity(l *Launch) error {
	if l == nil || !digestSetsIdentical(d.Identity.Digest, l.Identity.Digest) || !bytes.Equal(d.Identity.Content, l.Identity.Content) {
		return checkErr(CheckBinding, bindingThreats, ErrBinding, "dispatch and launch name different environment identities")
	}
	return nil
}

func launchErr(err error) error {
	return &buildtrust.CheckError{Check: CheckBinding, Threats: bindingThreats, Err: fmt.Errorf("%w: launch attestation: %w", ErrBinding, err)}
}

// Pieces returns the evidence descriptors present, in a fixed order, for
// callers that fetch and check each (CheckEvidence).
func (m *MeasuredBoot) Pieces() []*buildtrust.ResourceDescriptor {
	return slices.DeleteFunc([]*buildtrust.ResourceDescriptor{m.Quote, m.Signature, m.EventLog, m.AKCertificate},
		func(rd *buildtrust.ResourceDescriptor) bool { return rd == nil })
}

// Pieces returns the evidence descriptors present, report first.
func (h *HardwareTEE) Pieces() []*buildtrust.ResourceDescriptor {
	return slices.DeleteFunc([]*buildtrust.ResourceDescriptor{h.Report, h.Endorsements},
		func(rd *buildtrust.ResourceDescriptor) bool { return rd == nil })
}
