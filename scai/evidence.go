package scai

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/text"
	"github.com/buildtrust/buildtrust/threat"
)

// InlineMaxBytes is the largest evidence NewEvidence puts inline, in the
// descriptor's content field: the in-toto spec says content SHOULD be under
// 1 KB (ITE-RD-2). A TPM quote and its signature fit; an SEV-SNP report
// (1184 bytes), a TDX quote and an event log are referenced by digest and
// location instead.
const InlineMaxBytes = 1024

// Media types of evidence descriptors (SCAI-6, BENV-EV-2). The SCAI spec
// leaves evidence formats to producer and consumer; these are buildtrust's
// names, in the unregistered "x." tree the SCAI spec's own SGX example uses
// (ITE-RD-4). Each names exactly one byte format, the one the tpm and tee
// packages read.
const (
	// MediaTypeTPMQuote is a TPM 2.0 quote: the TPMS_ATTEST structure
	// returned by TPM2_Quote (the contents of its TPM2B_ATTEST).
	MediaTypeTPMQuote = "application/x.tpm2.quote"
	// MediaTypeTPMSignature is the TPMT_SIGNATURE TPM2_Quote returned over
	// the quote.
	MediaTypeTPMSignature = "application/x.tpm2.signature"
	// MediaTypeTCGEventLog is a binary TCG PC Client measured-boot event log
	// (crypto-agile or SHA-1 format), or a TDX CCEL in the same format.
	MediaTypeTCGEventLog = "application/x.tcg.eventlog"
	// MediaTypeTPMAKCertificate is the attestation key's X.509 certificate,
	// DER (the registered type of RFC 2585).
	MediaTypeTPMAKCertificate = "application/pkix-cert"
	// MediaTypeSEVSNPReport is an AMD SEV-SNP ATTESTATION_REPORT: 1184
	// bytes, signature included.
	MediaTypeSEVSNPReport = "application/x.amd.sev-snp.report"
	// MediaTypeSEVSNPCertificates is the certificate table returned with an
	// extended SEV-SNP report (GUID table of VCEK or VLEK, ASK, ARK), as
	// from SNP_GET_EXT_REPORT or the configfs-tsm auxblob.
	MediaTypeSEVSNPCertificates = "application/x.amd.sev-snp.certtable"
	// MediaTypeTDXQuote is an Intel TDX DCAP quote (version 4 or 5), as
	// returned by the quote generation service.
	MediaTypeTDXQuote = "application/x.intel.tdx.quote"
	// MediaTypeTDXCollateral is the DCAP collateral needed to verify a TDX
	// quote offline (TCB info, QE identity, PCK CRL, root CA CRL), as one
	// JSON object of the PCS responses.
	MediaTypeTDXCollateral = "application/x.intel.tdx.collateral+json"
	// MediaTypeSGXDCAPQuote is the SGX quote type of the SCAI spec's "build
	// on Intel SGX hardware" example (SCAI-10); read, never produced.
	MediaTypeSGXDCAPQuote = "application/x.sgx.dcap1.14+json"
	// MediaTypeDSSE is a DSSE envelope holding an in-toto Statement, as
	// in-toto/scai-demos references attestations (ITE-ENV-8 names
	// application/vnd.in-toto.<predicate>+dsse for typed ones).
	MediaTypeDSSE = "application/vnd.in-toto+dsse"
	// MediaTypePublicKey is a DER SubjectPublicKeyInfo: the environment
	// identity key of the BuildEnv attestations.
	MediaTypePublicKey = "application/x.pkix-spki+der"
)

// EvidenceThreats returns the threats that evidence of this media type
// stands against: measured-boot evidence guards a build image compromised at
// rest (THREAT-E9), hardware TEE evidence a build environment compromised in
// use (THREAT-E10). Other media types return nil.
func EvidenceThreats(mediaType string) []threat.ID {
	switch mediaType {
	case MediaTypeTPMQuote, MediaTypeTPMSignature, MediaTypeTCGEventLog, MediaTypeTPMAKCertificate:
		return []threat.ID{threat.E9}
	case MediaTypeSEVSNPReport, MediaTypeSEVSNPCertificates, MediaTypeTDXQuote, MediaTypeTDXCollateral, MediaTypeSGXDCAPQuote:
		return []threat.ID{threat.E10}
	}
	return nil
}

// NewEvidence describes evidence bytes as a ResourceDescriptor (BENV-EV-2):
// always with their SHA-256 digest; inline in content when they are at most
// InlineMaxBytes, otherwise by digest and downloadLocation, which is then
// required. location may be empty for inline evidence.
func NewEvidence(name, mediaType string, data []byte, location string) (buildtrust.ResourceDescriptor, error) {
	if len(data) == 0 {
		return buildtrust.ResourceDescriptor{}, fmt.Errorf("%w: %s: no evidence bytes", ErrEvidence, name)
	}
	if len(data) > limits.MaxEvidenceBytes {
		return buildtrust.ResourceDescriptor{}, limits.TooLarge("evidence "+name, limits.MaxEvidenceBytes)
	}
	digests, _, err := buildtrust.Digest(bytes.NewReader(data), buildtrust.SHA256)
	if err != nil {
		return buildtrust.ResourceDescriptor{}, err
	}
	rd := buildtrust.ResourceDescriptor{Name: name, Digest: digests, MediaType: mediaType, DownloadLocation: location}
	switch {
	case len(data) <= InlineMaxBytes:
		rd.Content = bytes.Clone(data)
	case location == "":
		return buildtrust.ResourceDescriptor{}, fmt.Errorf("%w: %s: %d bytes is too large to inline and no location was given", ErrEvidence, name, len(data))
	}
	if err := rd.Validate(); err != nil {
		return buildtrust.ResourceDescriptor{}, err
	}
	return rd, nil
}

// CheckEvidence binds evidence bytes to their descriptor and returns them.
// The bytes are those supplied, or the descriptor's inline content when
// supplied is nil; when both exist they must be equal. The digest is always
// checked against the bytes: the descriptor must carry at least one digest
// that this package can compute and the policy accepts, and every such digest
// must match. A descriptor without a digest fails — inline content alone
// binds nothing the signer did not also put next to it, and a location alone
// binds nothing at all.
//
// Failures are *buildtrust.CheckError values for CheckEvidenceDigest,
// wrapping ErrEvidence (or buildtrust.ErrTooLarge) and the threats of the
// evidence's media type (EvidenceThreats).
func CheckEvidence(rd *buildtrust.ResourceDescriptor, supplied []byte, policy buildtrust.DigestPolicy) ([]byte, error) {
	return checkEvidence(rd, supplied, policy, true)
}

// checkEvidence is CheckEvidence; without keep the bytes are not copied
// (and what it returns may alias supplied), for callers that only need to
// know they match.
func checkEvidence(rd *buildtrust.ResourceDescriptor, supplied []byte, policy buildtrust.DigestPolicy, keep bool) ([]byte, error) {
	if rd == nil {
		return nil, checkErr(CheckEvidenceDigest, nil, ErrEvidence, "no evidence descriptor")
	}
	threats := EvidenceThreats(rd.MediaType)
	data := supplied
	switch {
	case data == nil && rd.Content == nil:
		return nil, checkErr(CheckEvidenceDigest, threats, ErrEvidence, "%s: no evidence bytes supplied and none inline", rd.Name)
	case data == nil:
		data = rd.Content
	case rd.Content != nil && !bytes.Equal(data, rd.Content):
		return nil, checkErr(CheckEvidenceDigest, threats, ErrEvidence, "%s: supplied bytes differ from the inline content", rd.Name)
	}
	if len(data) > limits.MaxEvidenceBytes {
		return nil, &buildtrust.CheckError{Check: CheckEvidenceDigest, Threats: threats,
			Err: limits.TooLarge("evidence "+rd.Name, limits.MaxEvidenceBytes)}
	}
	if len(rd.Digest) == 0 {
		return nil, checkErr(CheckEvidenceDigest, threats, ErrEvidence, "%s: descriptor has no digest to check the bytes against", rd.Name)
	}
	var algs []string
	for name, value := range rd.Digest {
		if computable(name) && policy.Accepts(name, value) {
			algs = append(algs, name)
		}
	}
	if len(algs) == 0 {
		return nil, checkErr(CheckEvidenceDigest, threats, ErrEvidence, "%s: no digest of an accepted, computable algorithm", rd.Name)
	}
	// Bytes returned are copied first and the copy hashed, so that they are
	// the bytes checked even if the caller's buffer changes meanwhile.
	if keep {
		data = bytes.Clone(data)
	}
	if onlySHA256Matches(rd.Digest, algs, data) {
		return data, nil
	}
	// A mismatch: let DigestPolicy.Match name it, as it always has.
	slices.Sort(algs)
	got, _, err := buildtrust.Digest(bytes.NewReader(data), algs...)
	if err != nil {
		return nil, &buildtrust.CheckError{Check: CheckEvidenceDigest, Threats: threats, Err: fmt.Errorf("%w: %w", ErrEvidence, err)}
	}
	if err := policy.Match(rd.Digest, got); err != nil {
		return nil, &buildtrust.CheckError{Check: CheckEvidenceDigest, Threats: threats,
			Err: fmt.Errorf("%w: %s: %w", ErrEvidence, rd.Name, err)}
	}
	return data, nil
}

// onlySHA256Matches reports whether algs, the accepted computable
// algorithms of want, are SHA-256 alone and want holds data's SHA-256: the
// common case, checked with no DigestSet or hex string. Then
// DigestPolicy.Match(want, buildtrust.Digest(data, algs...)) passes too
// (the one shared algorithm is accepted on both sides and equal); any other
// set takes that general path.
func onlySHA256Matches(want buildtrust.DigestSet, algs []string, data []byte) bool {
	if len(algs) != 1 || algs[0] != buildtrust.SHA256 {
		return false
	}
	sum := sha256.Sum256(data)
	return text.IsHexOf(want[buildtrust.SHA256], sum[:])
}

// computable lists the algorithms buildtrust.Digest computes.
func computable(name string) bool {
	switch name {
	case buildtrust.SHA224, buildtrust.SHA256, buildtrust.SHA384, buildtrust.SHA512,
		buildtrust.SHA512_224, buildtrust.SHA512_256,
		buildtrust.SHA3_224, buildtrust.SHA3_256, buildtrust.SHA3_384, buildtrust.SHA3_512:
		return true
	}
	return false
}
