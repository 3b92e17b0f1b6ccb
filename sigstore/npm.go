package sigstore

import (
	"crypto"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
)

// NPMPublishPredicateType is the predicate type of npm's publish
// attestation, signed by the npm registry when a package version is
// published. Only v0.1 exists; other versions are not accepted.
const NPMPublishPredicateType = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"

// npmProvenanceTypes are the provenance predicate types npm serves.
var npmProvenanceTypes = []string{provenance.PredicateTypeV02, provenance.PredicateTypeV1}

// RegistryKey is a key with which the npm registry signs publish
// attestations. Get it from a source you trust (npm publishes its keys at
// the registry's /-/npm/v1/keys and in Sigstore's TUF repository); this
// package fetches nothing.
type RegistryKey struct {
	// KeyID is the registry's name for the key, e.g.
	// "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA". It is a hint
	// only: it orders which key is tried first and is reported, but it is
	// not derived from the key (npm's key IDs are not the SHA-256 of the
	// key's DER) and a matching ID proves nothing.
	KeyID string
	// Key is the public key (an *ecdsa.PublicKey P-256 for npm; RSA and
	// Ed25519 are accepted as sigstore's LoadDefaultVerifier does).
	Key crypto.PublicKey
	// NotBefore and NotAfter bound the key's validity; the publish
	// attestation's verified signing time (the Rekor integrated time) must
	// lie within them. Zero means unbounded on that side.
	NotBefore, NotAfter time.Time
}

// NPMOptions are the trusted registry keys and the expected package for
// VerifyNPM.
type NPMOptions struct {
	// RegistryKeys are the trusted npm registry attestation keys. At least
	// one is required (fail closed: ErrNoRegistryKey).
	RegistryKeys []RegistryKey
	// Name is the expected package name ("@scope/name" or "name"). Empty:
	// not checked (sigstore.npm.name NOT_APPLICABLE).
	Name string
	// Version is the expected package version. Empty: not checked.
	Version string
	// SHA512 is the lowercase hex SHA-512 of the package tarball you hold.
	// Required unless InsecureSkipDigest: without it the attestations are
	// not bound to your artifact.
	SHA512 string
	// InsecureSkipDigest skips the tarball digest check (sigstore.npm.digest
	// NOT_APPLICABLE). The attestations then vouch for some tarball of this
	// name and version, not for the bytes you have.
	InsecureSkipDigest bool
}

// NPMResult is what VerifyNPM established. Only verified data is in it.
type NPMResult struct {
	// Provenance is the verified SLSA provenance attestation
	// (Fulcio-certificate-signed; Identity is set and the forgeable-field
	// cross-checks ran). Give Provenance.Attestation() to provenance.Check
	// for builder and source policy.
	Provenance *Result
	// Publish is the verified publish attestation, signed by a registry
	// key (Identity nil, KeyID the bundle's key hint).
	Publish *Result
	// Name, Version and SHA512 are the package both attestations name.
	Name, Version, SHA512 string
	// Checks are the npm checks (sigstore.npm.*), in order; each
	// attestation's own checks are in its Result.
	Checks []buildtrust.Check
}

// npmAttestation is one entry of an npm attestations response. The bundle
// is kept raw and verified by sigstore-go.
type npmAttestation struct {
	PredicateType string          `json:"predicateType"`
	Bundle        json.RawMessage `json:"bundle"`
}

// npmResponse is the npm registry's attestations response
// (GET /-/npm/v1/attestations/<name>@<version>).
type npmResponse struct {
	Attestations []npmAttestation `json:"attestations"`
}

// maxNPMAttestations bounds the attestations in one npm response; npm
// serves two.
const maxNPMAttestations = 16

// parseNPMResponse decodes the response and picks exactly one provenance
// and one publish attestation. Attestations of other predicate types are
// ignored and named in the returned note.
func parseNPMResponse(data []byte) (prov, pub *npmAttestation, note string, err error) {
	if len(data) > MaxNPMResponseSize {
		return nil, nil, "", fmt.Errorf("%w: npm response is %d bytes (max %d)", buildtrust.ErrTooLarge, len(data), MaxNPMResponseSize)
	}
	if err := checkDepth(data, MaxJSONDepth); err != nil {
		return nil, nil, "", err
	}
	var r npmResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, nil, "", fmt.Errorf("%w: npm response: %v", ErrMalformed, err)
	}
	if len(r.Attestations) > maxNPMAttestations {
		return nil, nil, "", fmt.Errorf("%w: %d attestations (max %d)", buildtrust.ErrTooLarge, len(r.Attestations), maxNPMAttestations)
	}
	var ignored []string
	for i := range r.Attestations {
		a := &r.Attestations[i]
		var slot **npmAttestation
		switch {
		case slices.Contains(npmProvenanceTypes, a.PredicateType):
			slot = &prov
		case a.PredicateType == NPMPublishPredicateType:
			slot = &pub
		default:
			ignored = append(ignored, fmt.Sprintf("%q", a.PredicateType))
			continue
		}
		if *slot != nil {
			return nil, nil, "", fmt.Errorf("%w: more than one attestation of type %s", ErrNPM, a.PredicateType)
		}
		if len(a.Bundle) == 0 || a.Bundle[0] != '{' {
			return nil, nil, "", fmt.Errorf("%w: attestation %s has no bundle object", ErrMalformed, a.PredicateType)
		}
		*slot = a
	}
	if len(ignored) > 0 {
		note = "ignored attestations of unknown type " + strings.Join(ignored, ", ")
	}
	switch {
	case prov == nil:
		return nil, nil, note, fmt.Errorf("%w: no SLSA provenance attestation (predicateType %s)", ErrNPM, strings.Join(npmProvenanceTypes, " or "))
	case pub == nil:
		return nil, nil, note, fmt.Errorf("%w: no publish attestation (predicateType %s)", ErrNPM, NPMPublishPredicateType)
	}
	return prov, pub, note, nil
}

// checkDepth rejects JSON nested deeper than max, before any decoding.
func checkDepth(data []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return fmt.Errorf("%w: JSON nested deeper than %d", buildtrust.ErrTooLarge, max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// VerifyNPM verifies an npm registry attestations response
// ({"attestations":[{"predicateType":…,"bundle":{…}}]}) offline:
//
//   - sigstore.npm.format: exactly one SLSA provenance (v0.2 or v1) and one
//     publish attestation (v0.1); others are ignored and named; each
//     signed statement's predicateType equals its attestation's;
//   - the provenance bundle as VerifyBundle does (Fulcio certificate, tlog,
//     SCT, signature, forgeable-field cross-checks);
//   - sigstore.npm.publish: the publish bundle is signed by one of
//     opts.RegistryKeys (no certificate is accepted), its Rekor entry
//     verifies, names that key, and its integrated time lies in the key's
//     validity;
//   - sigstore.npm.subject: both statements have exactly one subject, the
//     same pkg:npm/<name>@<version> purl with the same sha512 digest, and
//     the publish predicate names that package and version;
//   - sigstore.npm.name, .version, .digest: the expected package name,
//     version and tarball SHA-512 (slsa-verifier's npm checks).
//
// Builder and source policy are not applied here: give
// NPMResult.Provenance.Attestation() to provenance.Check. A failure is a
// *buildtrust.CheckError; for the provenance bundle it is the failed
// sigstore.* check, for the publish bundle sigstore.npm.publish wrapping
// the failed check's error (errors.Is matches both sentinels).
func (v *Verifier) VerifyNPM(data []byte, opts NPMOptions) (*NPMResult, error) {
	if len(opts.RegistryKeys) == 0 {
		return nil, &buildtrust.CheckError{Check: CheckNPMPublish, Threats: Threats(CheckNPMPublish), Err: ErrNoRegistryKey}
	}
	if !opts.InsecureSkipDigest && !validSHA512(opts.SHA512) {
		return nil, fail(nil, CheckNPMDigest, ErrNPM, "128 lowercase hex digits", opts.SHA512, "expected tarball SHA-512 is missing or not lowercase hex (set InsecureSkipDigest to skip)")
	}
	var checks []buildtrust.Check
	provAtt, pubAtt, note, err := parseNPMResponse(data)
	if err != nil { // wraps ErrNPM, ErrMalformed or buildtrust.ErrTooLarge
		return nil, &buildtrust.CheckError{Check: CheckNPMFormat, Threats: Threats(CheckNPMFormat), Err: err}
	}

	prov, err := v.VerifyBundle(provAtt.Bundle)
	if err != nil {
		var ce *buildtrust.CheckError
		if errors.As(err, &ce) {
			return nil, &buildtrust.CheckError{Check: ce.Check, Threats: ce.Threats, Err: fmt.Errorf("npm provenance attestation: %w", ce.Err)}
		}
		return nil, err
	}
	if prov.Identity == nil { // cannot happen: the verifier requires an SCT
		return nil, fail(nil, CheckNPMFormat, ErrNPM, "", "", "provenance attestation is not certificate-signed")
	}
	pub, err := v.verifyPublish(pubAtt.Bundle, opts.RegistryKeys)
	if err != nil {
		return nil, err
	}
	if err := checkNPMType(&checks, "provenance", provAtt.PredicateType, prov.Statement); err != nil {
		return nil, err
	}
	if err := checkNPMType(&checks, "publish", pubAtt.PredicateType, pub.Statement); err != nil {
		return nil, err
	}
	pass(&checks, CheckNPMFormat, "", note)
	pass(&checks, CheckNPMPublish, "", pub.KeyID)
	res := &NPMResult{Provenance: prov, Publish: pub}
	res.Name, res.Version, res.SHA512, err = checkNPMStatements(&checks, prov.Statement, pub.Statement, opts)
	if err != nil {
		return nil, err
	}
	res.Checks = checks
	return res, nil
}

// checkNPMType fails sigstore.npm.format when the signed statement's
// predicateType is not the one the response lists it under.
func checkNPMType(checks *[]buildtrust.Check, what, attType string, st *buildtrust.Statement) error {
	if st.PredicateType != attType {
		return fail(checks, CheckNPMFormat, ErrNPM, attType, st.PredicateType,
			"%s attestation: the signed statement's predicateType %q differs from the response's %q", what, st.PredicateType, attType)
	}
	return nil
}

// validSHA512 reports whether s is 128 lowercase hex digits.
func validSHA512(s string) bool {
	if len(s) != 128 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// verifyPublish verifies a key-signed bundle with each registry key in
// turn (those whose KeyID equals the bundle's hint first) and returns the
// first success. Only the trusted root's Rekor logs and timestamping
// authorities are trusted besides the key: a certificate-signed bundle
// fails (no Fulcio CA).
func (v *Verifier) verifyPublish(data []byte, keys []RegistryKey) (*Result, error) {
	hint := publicKeyHint(data)
	order := make([]int, 0, len(keys))
	for i, k := range keys {
		if hint != "" && k.KeyID == hint {
			order = append(order, i)
		}
	}
	for i, k := range keys {
		if hint == "" || k.KeyID != hint {
			order = append(order, i)
		}
	}
	var first error
	for _, i := range order {
		k := keys[i]
		sv, tm, err := v.keyVerifier(k)
		if err != nil {
			return nil, &buildtrust.CheckError{Check: CheckNPMPublish, Threats: Threats(CheckNPMPublish), Err: fmt.Errorf("%w: registry key %q: %w", ErrNPM, k.KeyID, err)}
		}
		r, err := v.verifyBundle(data, sv, tm)
		if err == nil {
			if r.Identity != nil { // cannot happen: no Fulcio CA is trusted
				return nil, fail(nil, CheckNPMPublish, ErrNPM, "registry key", "certificate", "publish attestation is certificate-signed")
			}
			return r, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, &buildtrust.CheckError{Check: CheckNPMPublish, Threats: Threats(CheckNPMPublish),
		Err: fmt.Errorf("%w: publish attestation (key hint %q) not verified by any of %d registry keys: %w", ErrNPM, hint, len(keys), first)}
}

// publicKeyHint reads verificationMaterial.publicKey.hint, for ordering
// keys only; the bundle is parsed strictly by sigstore-go afterwards.
func publicKeyHint(data []byte) string {
	var b struct {
		VerificationMaterial struct {
			PublicKey struct {
				Hint string `json:"hint"`
			} `json:"publicKey"`
		} `json:"verificationMaterial"`
	}
	if checkDepth(data, MaxJSONDepth) != nil || json.Unmarshal(data, &b) != nil {
		return ""
	}
	return b.VerificationMaterial.PublicKey.Hint
}

// keyMaterial trusts one public key plus the trusted root's Rekor logs and
// timestamping authorities (no Fulcio CAs, no CT logs). The key is
// returned whatever the hint: the hint is not trusted.
type keyMaterial struct {
	root.BaseTrustedMaterial
	tr  *root.TrustedRoot
	key *root.ExpiringKey
}

func (k *keyMaterial) RekorLogs() map[string]*root.TransparencyLog { return k.tr.RekorLogs() }
func (k *keyMaterial) TimestampingAuthorities() []root.TimestampingAuthority {
	return k.tr.TimestampingAuthorities()
}
func (k *keyMaterial) PublicKeyVerifier(string) (root.TimeConstrainedVerifier, error) {
	return k.key, nil
}

// keyVerifier builds a sigstore-go verifier for a key-signed bundle:
// one tlog entry and one observer timestamp required, no SCT (a key has
// none).
func (v *Verifier) keyVerifier(k RegistryKey) (*verify.Verifier, root.TrustedMaterial, error) {
	if k.Key == nil {
		return nil, nil, ErrNoRegistryKey
	}
	sigv, err := signature.LoadDefaultVerifier(k.Key)
	if err != nil {
		return nil, nil, err
	}
	tm := &keyMaterial{tr: v.tr.tr, key: root.NewExpiringKey(sigv, k.NotBefore, k.NotAfter)}
	sv, err := verify.NewVerifier(tm, verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1), verify.WithoutStatementPredicate())
	if err != nil {
		return nil, nil, err
	}
	return sv, tm, nil
}

// npmSubject is a pkg:npm subject: the decoded name and version and the
// sha512 digest.
type npmSubject struct {
	purl, name, version, sha512 string
}

// parseNPMSubject reads the single subject of an npm statement.
func parseNPMSubject(st *buildtrust.Statement) (npmSubject, error) {
	if len(st.Subject) != 1 {
		return npmSubject{}, fmt.Errorf("%d subjects, want exactly 1", len(st.Subject))
	}
	s := st.Subject[0]
	name, version, err := parseNPMPurl(s.Name)
	if err != nil {
		return npmSubject{}, err
	}
	d := s.Digest["sha512"]
	if !validSHA512(d) {
		return npmSubject{}, fmt.Errorf("subject %q has no valid sha512 digest", s.Name)
	}
	return npmSubject{purl: s.Name, name: name, version: version, sha512: d}, nil
}

// parseNPMPurl decodes "pkg:npm/%40scope/name@version" into
// "@scope/name" and "version". Qualifiers and subpaths are rejected: npm
// does not write them.
func parseNPMPurl(p string) (name, version string, err error) {
	const prefix = "pkg:npm/"
	if !strings.HasPrefix(p, prefix) {
		return "", "", fmt.Errorf("subject %q is not a pkg:npm purl", p)
	}
	rest := p[len(prefix):]
	if strings.ContainsAny(rest, "?#") {
		return "", "", fmt.Errorf("subject %q has purl qualifiers or a subpath", p)
	}
	i := strings.LastIndexByte(rest, '@')
	if i <= 0 {
		return "", "", fmt.Errorf("subject %q has no version", p)
	}
	if name, err = url.PathUnescape(rest[:i]); err == nil {
		version, err = url.PathUnescape(rest[i+1:])
	}
	if err != nil {
		return "", "", fmt.Errorf("subject %q: %v", p, err)
	}
	if name == "" || version == "" || strings.Contains(version, "@") || strings.Contains(name[1:], "@") {
		return "", "", fmt.Errorf("subject %q is not name@version", p)
	}
	return name, version, nil
}

// publishPredicate is npm's publish predicate v0.1.
type publishPredicate struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Registry string `json:"registry"`
}

// checkNPMStatements runs sigstore.npm.subject, .name, .version and
// .digest on the two statements.
func checkNPMStatements(checks *[]buildtrust.Check, prov, pub *buildtrust.Statement, opts NPMOptions) (name, version, sha512 string, err error) {
	ps, err := parseNPMSubject(prov)
	if err != nil {
		return "", "", "", fail(checks, CheckNPMSubject, ErrNPM, "", "", "provenance: %v", err)
	}
	us, err := parseNPMSubject(pub)
	if err != nil {
		return "", "", "", fail(checks, CheckNPMSubject, ErrNPM, "", "", "publish: %v", err)
	}
	var pred publishPredicate
	if len(pub.Predicate) == 0 || json.Unmarshal(pub.Predicate, &pred) != nil {
		return "", "", "", fail(checks, CheckNPMSubject, ErrNPM, "", "", "publish predicate is not {name, version, registry}")
	}
	switch {
	case ps.name != us.name || ps.version != us.version:
		return "", "", "", fail(checks, CheckNPMSubject, ErrNPM, ps.purl, us.purl, "publish attestation names %s, provenance %s", us.purl, ps.purl)
	case ps.sha512 != us.sha512:
		return "", "", "", fail(checks, CheckNPMSubject, ErrNPM, ps.sha512, us.sha512, "publish and provenance sha512 digests differ")
	case pred.Name != us.name || pred.Version != us.version:
		return "", "", "", fail(checks, CheckNPMSubject, ErrNPM, us.name+"@"+us.version, pred.Name+"@"+pred.Version, "publish predicate names %s@%s, its subject %s@%s", pred.Name, pred.Version, us.name, us.version)
	}
	pass(checks, CheckNPMSubject, ps.purl, us.purl)
	cmp := func(id, want, got, what string) error {
		if want == "" {
			notApplicable(checks, id, "no expected "+what)
			return nil
		}
		if want != got {
			return fail(checks, id, ErrNPM, want, got, "attestations name %s %q, expected %q", what, got, want)
		}
		pass(checks, id, want, got)
		return nil
	}
	if err := cmp(CheckNPMName, opts.Name, us.name, "package name"); err != nil {
		return "", "", "", err
	}
	if err := cmp(CheckNPMVersion, opts.Version, us.version, "version"); err != nil {
		return "", "", "", err
	}
	if opts.InsecureSkipDigest {
		notApplicable(checks, CheckNPMDigest, "InsecureSkipDigest")
	} else if err := cmp(CheckNPMDigest, opts.SHA512, us.sha512, "tarball sha512"); err != nil {
		return "", "", "", err
	}
	return us.name, us.version, us.sha512, nil
}
