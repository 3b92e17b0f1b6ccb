// Package buildtrust decides, with cryptographic evidence, whether an
// artifact was built the way its producer promised, on a build environment
// nobody tampered with.
//
// This root package is the in-toto layer every attestation shares: DSSE
// envelopes, in-toto Statements, ResourceDescriptors, DigestSets, JSON Lines
// bundles, trusted keys and streaming artifact digests. The packages beside it
// build on it:
//
//	threat      the SLSA threat catalog, attacker profiles, build-model questionnaire
//	provenance  SLSA Provenance v1 (and v0.2): make, sign, verify against expectations
//	vsa         SLSA Verification Summary Attestations and SVRs
//	scai        in-toto SCAI reports and the BuildEnv attestations (image, launch, dispatch)
//	tpm         TPM 2.0 quotes and measured-boot event logs
//	tee         SEV-SNP and TDX hardware evidence (tee/sevsnp, tee/tdx)
//	policy      one policy, one evaluation: Build level, BuildEnv level, every check named
//
// See the README for which of these are implemented today.
//
// # Verifying a signed statement
//
// Verification takes the envelope bytes and the keys you trust, and returns
// only what the signatures cover:
//
//	key, _ := buildtrust.ParsePublicKey(pemBytes, buildtrust.KeyOptions{})
//	vs, err := buildtrust.VerifyStatement(envelopeJSON, buildtrust.VerifyOptions{
//		Keys: []*buildtrust.PublicKey{key},
//	})
//	// vs.Statement is authentic; now bind it to the artifact:
//	digests, _, _ := buildtrust.Digest(artifact, buildtrust.SHA256)
//	subjects, err := vs.MatchSubjects(digests, buildtrust.DigestPolicy{})
//
// Parse, verify and evaluate are separate steps with separate names.
// ParseEnvelope and ParseStatement check form only; Envelope.Verify and
// VerifyStatement check signatures; MatchSubjects binds a statement to an
// artifact; the predicate packages check what the statement says. A caller
// that routes envelopes by their statement before verifying them (as policy
// does) reads it with Envelope.Statement, which shares the payload rather
// than copying it, and verifies with Envelope.VerifySigners, which returns
// who signed without copying the payload again.
//
// # What is checked
//
//   - DSSE (ITE-ENV-1…7): signatures over the pre-authentication encoding
//     (PAE), which binds the payload type; a t-of-n threshold counted over
//     distinct keys, so a signature repeated under several key IDs counts once;
//     key IDs are hints that order the keys tried, never a reason to trust;
//     standard and URL-safe base64.
//   - Keys: ECDSA P-256/P-384/P-521 (ASN.1 DER or raw r‖s signatures),
//     Ed25519, RSA-PSS and RSA PKCS #1 v1.5 (2048–8192 bits), each key bound
//     to one scheme. PEM, DER and securesystemslib keys load without panics.
//   - Statements (ITE-ST-1…4): Statement v1 and the legacy v0.1; every
//     subject has a digest; predicateType is an absolute URI; the predicate,
//     which is optional, is a JSON object kept as the exact bytes received.
//   - Resource descriptors and digest sets (ITE-RD-1, ITE-DS-1…4) by the
//     spec's rules rather than the looser in-toto Go bindings (GAP-1, GAP-2):
//     one of uri, digest or content; lowercase hex of the right length.
//   - Subject matching (ITE-DS-3, ITE-VAL-2): any accepted algorithm
//     matches, no accepted algorithm may disagree, and MD5, SHA-1 and
//     SHA-1 git IDs never count unless explicitly allowed as insecure.
//   - JSON is decoded strictly everywhere: duplicate keys, invalid UTF-8 and
//     unpaired surrogates are rejected; a key that matches a field only by
//     case is an unknown field — never folded into the field, and rejected
//     next to the field it imitates or in closed formats such as the
//     envelope; sizes, counts and depth are bounded (the Max… constants).
//
// Not checked here: what a predicate claims (see provenance, vsa, scai),
// certificates and transparency logs (see the sigstore module), and whether
// an artifact should be trusted at all (see policy).
//
// # Errors
//
// Errors wrap sentinels (ErrSignature, ErrSubjectMismatch, ErrMalformed,
// ErrTooLarge, …). A failed check is a *CheckError naming the check and the
// threats it guards, so errors.Is(err, threat.F4) tells a caller that a
// tampered provenance was caught.
//
// # Security considerations
//
// A Statement is trusted only as far as the keys that signed it. A bundle is
// not authenticated as a whole (ITE-BUN-2): lines can be removed or
// replayed, so policies built on it must be monotonic — ignoring an
// attestation must never turn a denial into an approval (ITE-PR-4).
//
// # Compatibility
//
// The module is v0: the API may still change between minor versions, and
// changes are listed in the release notes. Wire formats follow the specs:
// in-toto Attestation Framework v1 (to v1.2), DSSE v1.0.
package buildtrust
