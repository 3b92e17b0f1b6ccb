package sigstore

import (
	"errors"
	"fmt"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/threat"
)

// Sentinel errors. A failed check is a *buildtrust.CheckError that unwraps
// to one of these and to the threats of its check.
var (
	// ErrNoTrustedRoot: no trusted root was given (fail closed).
	ErrNoTrustedRoot = errors.New("sigstore: no trusted root")
	// ErrMalformed: the bundle, envelope, certificate or wrapper format is
	// not well-formed.
	ErrMalformed = errors.New("sigstore: malformed input")
	// ErrUnsupported: the bundle does not carry a DSSE envelope (message
	// signatures are not statements), or the envelope has no Fulcio
	// certificate.
	ErrUnsupported = errors.New("sigstore: unsupported content")
	// ErrTransparencyLog: the transparency-log entry (inclusion proof,
	// inclusion promise/SET, or its match with the envelope) failed.
	ErrTransparencyLog = errors.New("sigstore: transparency log verification failed")
	// ErrNoTransparencyLog: the evidence carries no transparency-log entry,
	// so the signing time and the publication of the signature cannot be
	// checked offline.
	ErrNoTransparencyLog = errors.New("sigstore: no transparency log entry (cannot be checked offline)")
	// ErrTimestamp: no verified time could be established for the signature.
	ErrTimestamp = errors.New("sigstore: timestamp verification failed")
	// ErrCertificate: the certificate does not chain to a Fulcio CA of the
	// trusted root at the verified time.
	ErrCertificate = errors.New("sigstore: certificate chain verification failed")
	// ErrSCT: the certificate's signed certificate timestamp does not verify
	// against a CT log of the trusted root.
	ErrSCT = errors.New("sigstore: signed certificate timestamp verification failed")
	// ErrSignature: the DSSE signature does not verify with the certificate
	// or key.
	ErrSignature = errors.New("sigstore: signature verification failed")
	// ErrIdentity: the certificate identity does not match the rule.
	ErrIdentity = errors.New("sigstore: certificate identity mismatch")
	// ErrInvalidRule: an IdentityRule is incomplete or its regexp invalid.
	ErrInvalidRule = errors.New("sigstore: invalid identity rule")
	// ErrForgedField: a provenance claim contradicts the same fact in the
	// Fulcio certificate (slsa-verifier's "forgeable fields").
	ErrForgedField = errors.New("sigstore: provenance contradicts certificate")
	// ErrNPM: the npm attestations response is not what npm publishes, or
	// its publish attestation does not match the provenance or expectations.
	ErrNPM = errors.New("sigstore: npm attestation check failed")
	// ErrNoRegistryKey: VerifyNPM was given no npm registry key (fail closed).
	ErrNoRegistryKey = errors.New("sigstore: no npm registry key")
)

// Check IDs of this module.
const (
	CheckBundle               = "sigstore.bundle"                          // the bundle or envelope parses and carries DSSE content
	CheckPayloadType          = "sigstore.payloadType"                     // in-toto payloadType (ITE-ENV-3)
	CheckTlog                 = "sigstore.tlog"                            // Rekor entry: inclusion proof/promise, matches the envelope
	CheckTimestamp            = "sigstore.timestamp"                       // a verified signing time (tlog integrated time or RFC 3161)
	CheckCertificateChain     = "sigstore.certificate.chain"               // leaf chains to a trusted Fulcio CA at the verified time
	CheckSCT                  = "sigstore.certificate.sct"                 // embedded SCT verifies against a trusted CT log
	CheckSignature            = "sigstore.signature"                       // DSSE signature by the certificate / key
	CheckStatement            = "sigstore.statement"                       // the signed payload is a valid in-toto Statement
	CheckIdentityIssuer       = "sigstore.identity.issuer"                 // OIDC issuer (Fulcio ext 1.3.6.1.4.1.57264.1.8)
	CheckIdentitySAN          = "sigstore.identity.san"                    // SubjectAlternativeName, exact or anchored regexp
	CheckIdentitySourceRepo   = "sigstore.identity.sourceRepository"       // ext .12
	CheckIdentitySourceDigest = "sigstore.identity.sourceRepositoryDigest" // ext .13
	CheckIdentitySourceRef    = "sigstore.identity.sourceRepositoryRef"    // ext .14
	CheckIdentityBuildSigner  = "sigstore.identity.buildSignerURI"         // ext .9
	CheckIdentityBuildDigest  = "sigstore.identity.buildSignerDigest"      // ext .10
	CheckIdentityRunnerEnv    = "sigstore.identity.runnerEnvironment"      // ext .11
	CheckIdentityTrigger      = "sigstore.identity.buildTrigger"           // ext .20

	// Forgeable-field cross-checks: the provenance claim must equal the
	// certificate's (PEERS.md §5, slsa-verifier).
	CheckForgeableBuilder  = "sigstore.forgeable.builder"
	CheckForgeableSource   = "sigstore.forgeable.source"
	CheckForgeableRef      = "sigstore.forgeable.ref"
	CheckForgeableCommit   = "sigstore.forgeable.commit"
	CheckForgeableWorkflow = "sigstore.forgeable.workflow"
	CheckForgeableTrigger  = "sigstore.forgeable.trigger"
	CheckForgeableRun      = "sigstore.forgeable.run"
	CheckForgeableRunner   = "sigstore.forgeable.runnerEnvironment"

	CheckNPMFormat  = "sigstore.npm.format"  // exactly one provenance and one publish attestation, types consistent
	CheckNPMPublish = "sigstore.npm.publish" // publish attestation signed by a registry key
	CheckNPMSubject = "sigstore.npm.subject" // publish subject = provenance subject (pkg:npm purl + sha512)
	CheckNPMName    = "sigstore.npm.name"
	CheckNPMVersion = "sigstore.npm.version"
	CheckNPMDigest  = "sigstore.npm.digest"
)

var (
	tamper   = []threat.ID{threat.F4, threat.G6}
	identity = []threat.ID{threat.F4, threat.G6}
)

// Threats returns the threats a check of this module guards, or nil for an
// unknown ID.
func Threats(check string) []threat.ID {
	t, ok := checkThreats[check]
	if !ok {
		return nil
	}
	return append([]threat.ID(nil), t...)
}

var checkThreats = map[string][]threat.ID{
	CheckBundle:               tamper,
	CheckPayloadType:          {threat.F2},
	CheckTlog:                 tamper,
	CheckTimestamp:            tamper,
	CheckCertificateChain:     tamper,
	CheckSCT:                  tamper,
	CheckSignature:            tamper,
	CheckStatement:            tamper,
	CheckIdentityIssuer:       identity,
	CheckIdentitySAN:          identity,
	CheckIdentitySourceRepo:   {threat.D1, threat.F4, threat.G6},
	CheckIdentitySourceDigest: {threat.D2, threat.F4, threat.G6},
	CheckIdentitySourceRef:    {threat.D2, threat.F4, threat.G6},
	CheckIdentityBuildSigner:  {threat.F1, threat.F4, threat.G6},
	CheckIdentityBuildDigest:  {threat.F1, threat.F4, threat.G6},
	CheckIdentityRunnerEnv:    {threat.F1, threat.F4},
	CheckIdentityTrigger:      {threat.D2, threat.F4},
	CheckForgeableBuilder:     {threat.F1, threat.F4},
	CheckForgeableSource:      {threat.D1, threat.F4},
	CheckForgeableRef:         {threat.D2, threat.F4},
	CheckForgeableCommit:      {threat.D2, threat.F4},
	CheckForgeableWorkflow:    {threat.F1, threat.F4},
	CheckForgeableTrigger:     {threat.D2, threat.F4},
	CheckForgeableRun:         {threat.F4},
	CheckForgeableRunner:      {threat.F1, threat.F4},
	CheckNPMFormat:            tamper,
	CheckNPMPublish:           tamper,
	CheckNPMSubject:           {threat.F3, threat.G5, threat.F4},
	CheckNPMName:              {threat.F3, threat.G5},
	CheckNPMVersion:           {threat.F3, threat.G5},
	CheckNPMDigest:            {threat.F3, threat.G5},
}

// fail records a failed check and returns it as a *buildtrust.CheckError.
func fail(checks *[]buildtrust.Check, id string, sentinel error, expected, actual, format string, args ...any) *buildtrust.CheckError {
	msg := fmt.Sprintf(format, args...)
	if checks != nil {
		*checks = append(*checks, buildtrust.Check{ID: id, Threats: Threats(id), Outcome: buildtrust.Fail, Expected: expected, Actual: actual, Message: msg})
	}
	return &buildtrust.CheckError{Check: id, Threats: Threats(id), Err: fmt.Errorf("%w: %s", sentinel, msg)}
}

func pass(checks *[]buildtrust.Check, id, expected, actual string) {
	*checks = append(*checks, buildtrust.Check{ID: id, Threats: Threats(id), Outcome: buildtrust.Pass, Expected: expected, Actual: actual})
}

func notApplicable(checks *[]buildtrust.Check, id, why string) {
	*checks = append(*checks, buildtrust.Check{ID: id, Threats: Threats(id), Outcome: buildtrust.NotApplicable, Message: why})
}
