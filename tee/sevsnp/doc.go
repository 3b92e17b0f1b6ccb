// Package sevsnp verifies AMD SEV-SNP attestation reports — the hardware
// evidence of BuildEnv L3 (BENV-L3-1, BENV-L3-3, BENV-L3-4; THREAT-E10) —
// strictly, offline and fast, over google/go-sev-guest v0.15.0.
//
// Specifications: SEV Secure Nested Paging Firmware ABI (AMD 56860):
// ATTESTATION_REPORT versions 2, 3 and 5 (4 is parsed too), GUEST_POLICY,
// TCB_VERSION (the Milan/Genoa and the Turin layouts); Versioned Chip /
// Loaded Endorsement Key certificates (AMD 57230, KDS); GHCB extended guest
// request certificate tables.
//
// # Where to start
//
// Build a [Verifier] once with [NewVerifier] and [Options]: the trusted
// roots ([EmbeddedRoots], AMD's published ARK/ASK/ASVK for Milan, Genoa and
// Turin, or [ParseRoots] for the caller's) and the accepted measurements.
// Then call [Verifier.VerifyEvidence] (or Verify, the tee.Verifier method)
// per report with the [Evidence] — the report and its certificate table or
// VCEK/VLEK certificate —, the verification time and the expected report
// data, usually tee.Bind(tee.PurposeLaunch, identity key digest). The
// result is a tee.Claims holding only verified values, with every check
// that ran.
//
// Parsing is separate: [ParseReport] and [ParseCertTable] check form only.
//
// # What is checked
//
// In order, each a named check (Check… constants) guarding THREAT-E10:
// form and limits; the signing-key kind; the VCEK/VLEK → ASK/ASVK → ARK
// chain of the report's product line (from CPUID in v3+, from the VCEK in
// v2), valid at the verification time; the report's ECDSA P-384
// signature; product and stepping; CHIP_ID equal to the VCEK's HWID;
// REPORTED_TCB equal to the certificate's TCB, certificate TCB ≤
// CURRENT_TCB, COMMITTED = CURRENT (no provisional firmware), minimum TCB
// per component, minimum firmware build and API version; minimum
// LAUNCH_TCB; guest policy (debug rejected by default, migration agent
// rejected by default, SMT on request); VMPL (0 unless configured);
// GUEST_SVN; MEASUREMENT against an allow-list; REPORT_DATA against the
// expected binding (constant time); HOST_DATA; FAMILY_ID, IMAGE_ID,
// ID_KEY_DIGEST and AUTHOR_KEY_DIGEST.
//
// The first time a VCEK/VLEK certificate is seen, go-sev-guest's
// verify.SnpAttestation checks the chain and the signature, offline
// (DisableCertFetching), with fresh options, the explicit roots and the
// explicit time (P-SNP-1, P-SNP-2, P-SNP-7). The verified key, the
// certificate's TCB, HWID and product, and the chain's validity window are
// then cached, keyed by the SHA-256 of the certificate, its kind and the
// product line; a later report from the same chip costs one P-384
// signature check while the verification time is inside the window, and
// goes back to the full check otherwise.
//
// # What is not checked
//
// Revocation: AMD's CRLs are not consulted (the package never goes to the
// network; AMD revokes ASKs, not VCEKs, in practice). The Turin FMC SPL is
// not compared with the VCEK (go-sev-guest v0.15.0 does not read its
// extension). Platform info, mitigation vectors, REPORT_ID and the
// migration agent's REPORT_ID_MA are reported but not judged. What the
// measurement means — which firmware, kernel and command line produce it
// — is the image producer's reference values (package scai, policy).
//
// # Security considerations
//
// Trust comes only from [Options.Roots]; the ASK and ARK in a certificate
// table are ignored, and go-sev-guest is always given explicit roots (its
// fallback to roots in the evidence was go-sev-guest#185). Missing roots,
// time, measurements or expected report data fail closed. Weakening
// switches are named Insecure… and say what they give away. Importing this
// package imports go-sev-guest's verify package, which registers the
// global flag -workaround_kds_productname (P-SNP-6); do not reuse that
// name. Errors are *buildtrust.CheckError values that unwrap to the
// sentinels and to threat.E10, never strings to match.
//
// # Compatibility
//
// go-sev-guest is pinned at v0.15.0; product names with steppings are the
// ones it knows (Milan-B0/B1, Genoa-B0/B1/B2, Turin-B0/B1).
package sevsnp
