// Package tee holds what AMD SEV-SNP and Intel TDX evidence share — the
// [Claims] a verified report or quote makes, the report-data binding
// ([Bind]), the [Verifier] interface, the shared sentinel errors and a
// bounded verification [Cache] — for the hardware step of BuildEnv L3
// (BENV-L3-1, BENV-L3-3, BENV-L3-4, BENV-L3-8; THREAT-E10: "Compromise build
// environment in use").
//
// The vendor verifier for AMD SEV-SNP reports (versions 2, 3 and 5, over
// go-sev-guest) is tee/sevsnp, which implements [Verifier]; its test signer,
// which makes real-format reports under test roots, is
// tee/sevsnp/sevsnptest.
//
// Intel TDX quotes and their collateral (TCB info, QE identity, PCK and root
// CRLs) are verified by tee/tdx (over go-tdx-guest), with the quote and
// collateral signer tee/tdx/tdxtest. Without collateral tee/tdx fails closed
// unless the caller opts out with InsecureSkipCollateral.
//
// # Where to start
//
// Build a vendor verifier once (sevsnp.NewVerifier) with
// the manufacturer roots and the expected measurements, then call
// Verify with a [Request] per piece of evidence: the evidence, the
// verification time and the expected report data — usually
// Bind(PurposeLaunch, SHA-256 of the environment identity key). The result
// is a [Claims] holding only verified values and the list of checks that
// ran.
//
// # The binding convention
//
// Evidence binds to what it vouches for through REPORT_DATA (DESIGN.md,
// "Binding convention"):
//
//	REPORT_DATA = SHA-512("buildtrust/bind/v1\x00" ‖ purpose ‖ "\x00" ‖ payload)
//
// with purpose [PurposeLaunch] (payload: SHA-256 of the environment identity
// key's DER SubjectPublicKeyInfo) or [PurposeDispatch] (payload: the
// dispatch payload of package scai, which names identity and build ID).
// SEV-SNP and TDX carry all 64 bytes; a TPM quote carries the first 32 as
// qualifying data. [Bind] is the one implementation; scai documents the
// same convention for the attestations that carry evidence.
//
// # What is not checked here
//
// This package checks nothing by itself: it defines the vocabulary. What
// each verifier checks, and does not, is in its package documentation.
// Joining a TEE result with a TPM quote (a vTPM in a confidential VM) needs
// an explicit binding of the TPM's attestation key in REPORT_DATA; nothing
// here infers one (go-tpm-tools#523).
//
// # Security considerations
//
// Claims come only from successful verification; the vendor packages never
// return claims from unverified evidence. The defaults are strict: no
// roots, no time or no expected report data fail closed; debug guests and
// TDs are rejected unless an Insecure… option says otherwise. The [Cache]
// only remembers what was verified, keyed by the SHA-256 of the
// certificates or collateral, and the vendor verifiers re-check validity
// times on every hit. The binding function separates convention, purpose
// and payload with NUL bytes and rejects purposes containing NUL, so two
// different (purpose, payload) pairs never hash the same input.
package tee
