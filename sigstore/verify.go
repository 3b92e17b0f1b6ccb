package sigstore

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
)

// TrustedRoot is a Sigstore trusted root (Fulcio CAs, Rekor and CT log
// keys, timestamping authorities), e.g. the public-good instance's
// trusted_root.json. It is read from bytes you supply: nothing is fetched.
type TrustedRoot struct {
	tr *root.TrustedRoot
}

// ParseTrustedRoot reads a trusted-root JSON document
// (application/vnd.dev.sigstore.trustedroot+json;version=0.1).
func ParseTrustedRoot(data []byte) (*TrustedRoot, error) {
	if len(data) > MaxTrustedRootSize {
		return nil, fmt.Errorf("%w: trusted root is %d bytes (max %d)", buildtrust.ErrTooLarge, len(data), MaxTrustedRootSize)
	}
	tr, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%w: trusted root: %v", ErrMalformed, err)
	}
	return &TrustedRoot{tr: tr}, nil
}

// Options configure a Verifier. The zero value is the secure default.
type Options struct {
	// InsecureAllowNoTransparencyLog accepts a bare DSSE envelope with a
	// Fulcio certificate (older slsa-github-generator .intoto.jsonl), whose
	// Rekor entry cannot be checked offline. Zero (false): such an envelope
	// fails the sigstore.tlog check with ErrNoTransparencyLog. When true, it
	// passes with sigstore.tlog NOT_APPLICABLE (never PASS). Bundles always
	// need a verified tlog entry, whatever this says.
	//
	// The attack it lets through: Fulcio certificates are short-lived and
	// bound to an ephemeral key; only the log proves the signature was made
	// while the certificate was valid and was published. Without it, a key
	// that leaked from a build (or was kept past the ten-minute validity)
	// signs anything at any time — slsa-verifier's "expired certificate" and
	// "no tlog upload" malicious fixtures verify offline.
	InsecureAllowNoTransparencyLog bool
}

// Verifier verifies Sigstore bundles and Fulcio-signed DSSE envelopes
// offline against one trusted root. It is safe for concurrent use.
type Verifier struct {
	tr   *TrustedRoot
	opts Options
	sv   *verify.Verifier
}

// NewVerifier returns a Verifier for the trusted root; a nil root fails
// with ErrNoTrustedRoot. Bundles are verified with sigstore-go requiring one
// SCT, one transparency-log entry and one observer timestamp (the tlog's
// integrated time or an RFC 3161 timestamp), so the certificate is checked
// at a verified time, never the current time.
func NewVerifier(tr *TrustedRoot, opts Options) (*Verifier, error) {
	if tr == nil || tr.tr == nil {
		return nil, ErrNoTrustedRoot
	}
	sv, err := verify.NewVerifier(tr.tr, verify.WithSignedCertificateTimestamps(1), verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1),
		verify.WithoutStatementPredicate()) // we parse the signed payload ourselves, strictly
	if err != nil {
		return nil, fmt.Errorf("sigstore: verifier: %w", err)
	}
	return &Verifier{tr: tr, opts: opts, sv: sv}, nil
}

// Result is what a verification established. Only verified data is in it.
type Result struct {
	// Statement is the in-toto Statement of the signed DSSE payload, decoded
	// strictly by buildtrust.ParseStatement from the exact signed bytes.
	Statement   *buildtrust.Statement
	PayloadType string
	Payload     []byte
	// Identity is the verified certificate identity; nil when the signature
	// is by a key (npm's publish attestation).
	Identity *CertIdentity
	// KeyID names the trusted key for key-signed bundles; empty otherwise.
	KeyID string
	// MediaType is the bundle media type, empty for a bare DSSE envelope.
	MediaType string
	// SigningTime is the earliest verified time (tlog integrated time or
	// RFC 3161 timestamp) at which the certificate was checked. Zero for a
	// bare envelope, whose certificate is checked at its own NotBefore.
	SigningTime time.Time
	// Checks are every check that ran, in order.
	Checks []buildtrust.Check
}

// Attestation returns the provenance.Attestation for provenance.Check: the
// statement and the certificate identity (Kind "sigstore") as signer, so a
// provenance.TrustedBuilder whose Signers hold a Matcher accepts it.
func (r *Result) Attestation() provenance.Attestation {
	a := provenance.Attestation{Statement: r.Statement}
	if r.Identity != nil {
		a.Signers = []provenance.Identity{r.Identity.ProvenanceIdentity()}
	}
	return a
}

// Verify verifies a Sigstore bundle or, when data is a bare DSSE envelope
// (it has "payloadType" at the top level), a DSSE envelope carrying a
// Fulcio certificate. See VerifyBundle and VerifyEnvelope.
func (v *Verifier) Verify(data []byte) (*Result, error) {
	if isBareEnvelope(data) {
		return v.VerifyEnvelope(data)
	}
	return v.VerifyBundle(data)
}

// isBareEnvelope reports whether the JSON object looks like a DSSE envelope
// rather than a bundle. It only routes: both paths parse strictly.
func isBareEnvelope(data []byte) bool {
	return bytes.Contains(data, []byte(`"payloadType"`)) && !bytes.Contains(data, []byte(`"mediaType"`))
}

// VerifyBundle verifies a Sigstore bundle (v0.1, v0.2, v0.3) with DSSE
// content, offline: the Rekor entry (inclusion proof or SET) and its match
// with the envelope, a verified signing time, the certificate chain to a
// trusted Fulcio CA at that time, its SCT, and the DSSE signature; then
// parses the signed Statement and, for SLSA provenance, runs the
// forgeable-field cross-checks (CrossCheck). Identity is not matched here:
// give a Matcher to provenance.TrustedBuilder.Signers, or call
// Matcher.Check on Result.Identity.
//
// A failure is a *buildtrust.CheckError naming the first failed check; the
// checks before it (in the order of the Check constants) passed.
func (v *Verifier) VerifyBundle(data []byte) (*Result, error) {
	return v.verifyBundle(data, v.sv, v.tr.tr)
}

func (v *Verifier) verifyBundle(data []byte, sv *verify.Verifier, tm root.TrustedMaterial) (*Result, error) {
	var checks []buildtrust.Check
	if len(data) > MaxBundleSize {
		return nil, &buildtrust.CheckError{Check: CheckBundle, Threats: Threats(CheckBundle), Err: fmt.Errorf("%w: bundle is %d bytes (max %d)", buildtrust.ErrTooLarge, len(data), MaxBundleSize)}
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(data); err != nil {
		return nil, fail(nil, CheckBundle, ErrMalformed, "", "", "bundle: %v", err)
	}
	env, err := b.Envelope()
	if err != nil || env == nil || env.RawEnvelope() == nil {
		return nil, fail(nil, CheckBundle, ErrUnsupported, "DSSE envelope", "message signature", "bundle does not carry a DSSE envelope")
	}
	pass(&checks, CheckBundle, "", b.GetMediaType())
	raw := env.RawEnvelope()
	if err := checkPayloadType(&checks, raw.PayloadType); err != nil {
		return nil, err
	}

	res, err := sv.Verify(&b, verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithoutIdentitiesUnsafe()))
	if err != nil {
		return nil, v.diagnose(&b, sv, tm, err)
	}
	r := &Result{PayloadType: raw.PayloadType, MediaType: b.GetMediaType()}
	// Record the stages sigstore-go's Verify passed.
	var tlogTime, tsaTime bool
	for _, ts := range res.VerifiedTimestamps {
		if r.SigningTime.IsZero() || ts.Timestamp.Before(r.SigningTime) {
			r.SigningTime = ts.Timestamp
		}
		switch ts.Type {
		case "Tlog":
			tlogTime = true
		case "TimestampAuthority":
			tsaTime = true
		}
	}
	tlogEntries, _ := b.TlogEntries()
	pass(&checks, CheckTlog, "", fmt.Sprintf("%d entries", len(tlogEntries))) // WithTransparencyLog(1) held
	what := "tlog integrated time"
	if tsaTime && !tlogTime {
		what = "RFC 3161 timestamp"
	}
	pass(&checks, CheckTimestamp, "", what+" "+r.SigningTime.UTC().Format(time.RFC3339))
	if res.Signature != nil && res.Signature.Certificate != nil {
		id := identityFromSummary(*res.Signature.Certificate)
		r.Identity = &id
		pass(&checks, CheckCertificateChain, "", id.SAN)
		pass(&checks, CheckSCT, "", "")
	} else {
		notApplicable(&checks, CheckCertificateChain, "signed by a key")
		notApplicable(&checks, CheckSCT, "signed by a key")
		if res.Signature != nil && res.Signature.PublicKeyID != nil {
			r.KeyID = string(*res.Signature.PublicKeyID)
		}
	}
	pass(&checks, CheckSignature, "", "")

	payload, err := base64.StdEncoding.DecodeString(raw.Payload)
	if err != nil {
		return nil, fail(nil, CheckStatement, ErrMalformed, "", "", "payload base64: %v", err)
	}
	return v.finish(r, payload, checks)
}

// finish parses the verified payload and runs the cross-checks.
func (v *Verifier) finish(r *Result, payload []byte, checks []buildtrust.Check) (*Result, error) {
	st, err := buildtrust.ParseStatement(payload)
	if err != nil {
		return nil, &buildtrust.CheckError{Check: CheckStatement, Threats: Threats(CheckStatement), Err: err}
	}
	pass(&checks, CheckStatement, "", st.PredicateType)
	r.Statement, r.Payload = st, payload
	if r.Identity != nil {
		cc, err := CrossCheck(st, *r.Identity)
		checks = append(checks, cc...)
		if err != nil {
			return nil, err
		}
	}
	r.Checks = checks
	return r, nil
}

func checkPayloadType(checks *[]buildtrust.Check, pt string) error {
	if pt != "application/vnd.in-toto+json" {
		return fail(checks, CheckPayloadType, buildtrust.ErrPayloadType, "application/vnd.in-toto+json", pt, "payloadType %q", pt)
	}
	pass(checks, CheckPayloadType, "application/vnd.in-toto+json", pt)
	return nil
}

// diagnose runs sigstore-go's verification stages one by one to name the
// check that failed. It runs only on the failure path.
func (v *Verifier) diagnose(b *bundle.Bundle, sv *verify.Verifier, tm root.TrustedMaterial, cause error) error {
	tl, err := sv.VerifyTransparencyLogInclusion(b)
	if err != nil {
		return fail(nil, CheckTlog, ErrTransparencyLog, "", "", "%v", err)
	}
	ts, err := sv.VerifyObserverTimestamps(b, tl)
	if err != nil {
		return fail(nil, CheckTimestamp, ErrTimestamp, "", "", "%v", err)
	}
	vc, err := b.VerificationContent()
	if err != nil {
		return fail(nil, CheckBundle, ErrMalformed, "", "", "%v", err)
	}
	if leaf := vc.Certificate(); leaf != nil {
		var chains [][]*x509.Certificate
		for _, t := range ts {
			if chains, err = verify.VerifyLeafCertificate(t.Timestamp, leaf, tm); err != nil {
				return fail(nil, CheckCertificateChain, ErrCertificate, "", "", "at %s: %v", t.Timestamp.UTC().Format(time.RFC3339), err)
			}
		}
		if err := verify.VerifySignedCertificateTimestamp(chains, 1, tm); err != nil {
			return fail(nil, CheckSCT, ErrSCT, "", "", "%v", err)
		}
	}
	return fail(nil, CheckSignature, ErrSignature, "", "", "%v", cause)
}

// VerifyEnvelope verifies a DSSE envelope whose signature carries a PEM
// Fulcio certificate ("cert"), as slsa-github-generator wrote before it
// produced bundles. Offline, only part of Sigstore verification is
// possible: the certificate chain to a trusted Fulcio CA (checked at the
// certificate's NotBefore — no verified signing time exists), its SCT
// against a trusted CT log, and the DSSE signature by the certificate's key.
// The transparency-log part cannot be checked offline: sigstore.tlog FAILs
// with ErrNoTransparencyLog, or is NOT_APPLICABLE with
// Options.InsecureAllowNoTransparencyLog — never PASS.
func (v *Verifier) VerifyEnvelope(data []byte) (*Result, error) {
	var checks []buildtrust.Check
	if len(data) > MaxBundleSize {
		return nil, &buildtrust.CheckError{Check: CheckBundle, Threats: Threats(CheckBundle), Err: fmt.Errorf("%w: envelope is %d bytes (max %d)", buildtrust.ErrTooLarge, len(data), MaxBundleSize)}
	}
	env, err := buildtrust.ParseEnvelope(data)
	if err != nil {
		return nil, &buildtrust.CheckError{Check: CheckBundle, Threats: Threats(CheckBundle), Err: err}
	}
	i := slices.IndexFunc(env.Signatures, func(s buildtrust.Signature) bool { return s.Cert != "" })
	if i < 0 {
		return nil, fail(nil, CheckBundle, ErrUnsupported, "signature with a Fulcio certificate", "none", "no signature carries a certificate")
	}
	leaf, err := parseLeaf(env.Signatures[i].Cert)
	if err != nil {
		return nil, fail(nil, CheckBundle, ErrMalformed, "", "", "certificate: %v", err)
	}
	pass(&checks, CheckBundle, "", "DSSE envelope with certificate")
	if err := checkPayloadType(&checks, env.PayloadType); err != nil {
		return nil, err
	}
	// The tlog verdict comes first: it is the part offline cannot establish.
	if !v.opts.InsecureAllowNoTransparencyLog {
		return nil, fail(nil, CheckTlog, ErrNoTransparencyLog, "Rekor entry", "none", "bare DSSE envelope: the transparency log cannot be checked offline")
	}
	notApplicable(&checks, CheckTlog, "bare DSSE envelope: the transparency log cannot be checked offline (InsecureAllowNoTransparencyLog)")
	notApplicable(&checks, CheckTimestamp, "no verified signing time; certificate checked at its NotBefore")
	chains, err := verify.VerifyLeafCertificate(leaf.NotBefore, leaf, v.tr.tr)
	if err != nil {
		return nil, fail(nil, CheckCertificateChain, ErrCertificate, "", "", "%v", err)
	}
	id, err := identityFromCertificate(leaf)
	if err != nil {
		return nil, fail(nil, CheckCertificateChain, ErrMalformed, "", "", "certificate extensions: %v", err)
	}
	pass(&checks, CheckCertificateChain, "", id.SAN)
	if err := verify.VerifySignedCertificateTimestamp(chains, 1, v.tr.tr); err != nil {
		return nil, fail(nil, CheckSCT, ErrSCT, "", "", "%v", err)
	}
	pass(&checks, CheckSCT, "", "")
	key, err := buildtrust.NewPublicKey(leaf.PublicKey, buildtrust.KeyOptions{})
	if err != nil {
		return nil, fail(nil, CheckSignature, ErrSignature, "", "", "certificate key: %v", err)
	}
	only := &buildtrust.Envelope{PayloadType: env.PayloadType, Payload: env.Payload, Signatures: []buildtrust.Signature{env.Signatures[i]}}
	ve, err := only.Verify(buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{key}})
	if err != nil {
		return nil, &buildtrust.CheckError{Check: CheckSignature, Threats: Threats(CheckSignature), Err: fmt.Errorf("%w: %w", ErrSignature, err)}
	}
	pass(&checks, CheckSignature, "", "")
	return v.finish(&Result{PayloadType: ve.PayloadType, Identity: &id}, ve.Payload, checks)
}

// parseLeaf reads the first PEM certificate and clears the SAN OtherName
// critical extension Go does not handle (as sigstore-go does).
func parseLeaf(p string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	c.UnhandledCriticalExtensions = slices.DeleteFunc(c.UnhandledCriticalExtensions, func(o asn1.ObjectIdentifier) bool { return o.Equal(cryptoutils.SANOID) })
	return c, nil
}
