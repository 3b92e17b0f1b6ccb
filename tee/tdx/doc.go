// Package tdx verifies Intel TDX quotes — the hardware evidence of BuildEnv
// L3 (BENV-L3-1, BENV-L3-3, BENV-L3-4; THREAT-E10) — strictly, offline and
// fast, over google/go-tdx-guest v0.3.1.
//
// Specification: Intel TDX DCAP Quote Generation / Quote Verification
// Library, quote format version 4 (ECDSA-256-with-P-256 attestation key,
// certification data type 6 holding the QE report and a type 5 PCK
// certificate chain); Intel SGX PCK Certificate and CRL Profile (subject
// names, SGX extension 1.2.840.113741.1.13.1). Version 5 quotes (TDX 1.5)
// are rejected with [ErrVersion]: go-tdx-guest v0.3.1 does not parse them.
//
// # Where to start
//
// Build a [Verifier] once with [NewVerifier] and [Options]: the trusted
// roots ([IntelRoots], the pinned Intel SGX Root CA, or [ParseRoots]) and
// the accepted MRTDs. Then call [Verifier.VerifyQuote] (or Verify, the
// tee.Verifier method) per quote with the verification time and the
// expected report data, usually tee.Bind(tee.PurposeLaunch, identity key
// digest), and the platform's collateral bundle: call
// [Verifier.VerifyQuoteCollateral] (or Verify with Evidence.Collateral).
// The bundle ([CollateralBundle], JSON) holds Intel PCS's TDX TCB info and
// QE identity responses byte for byte with their issuer-chain headers, the
// PCK CRL of the PCK's CA and the Intel SGX Root CA's CRL; the caller
// fetches and refreshes it (this package never goes online). The result is
// a tee.Claims holding only verified values, with every check that ran
// and, with collateral, Intel's TCB status and advisory IDs.
// [ParseQuote] and [ParseCollateral] check form only. Test quotes and
// collateral come from package tdxtest.
//
// # What is checked
//
// In order, each a named check (Check… constants) guarding THREAT-E10:
// form and limits; the PCK chain — leaf "Intel SGX PCK Certificate" issued
// by the "Intel SGX PCK Platform CA" or "Processor CA" (go-tdx-guest v0.3.1
// accepts only the first, P-TDX-12), ECDSA P-256/SHA-256, SGX extension
// parsable — to a trusted root, every certificate valid at the verification
// time; the QE report's signature by the PCK; the QE report's REPORT_DATA
// binding the attestation key (SHA-256 of key ‖ QE authentication data);
// the quote signature by the attestation key over header and TD body;
// the collateral, below; the TCB status and minimum TEE_TCB_SVN;
// TD_ATTRIBUTES.DEBUG
// (rejected by default; go-tdx-guest v0.3.1 has no such check, P-TDX-3);
// exact TD_ATTRIBUTES and XFAM when configured; MRTD against an allow-list;
// RTMR0–3; REPORT_DATA against the expected binding (constant time);
// MRCONFIGID, MROWNER, MROWNERCONFIG.
//
// Collateral, at the verification time, each step a check: the bundle is
// present and well formed, decoded strictly (no duplicate, unknown or
// case-folded keys; at most limits.MaxTDXCollateralBytes and
// limits.MaxTDXTCBLevels levels; Intel's field sizes) ([CheckCollateral]);
// the TCB info is signed (ECDSA P-256 over the exact bytes of the tcbInfo
// object) by an "Intel SGX TCB Signing" certificate that chains to a
// trusted root, the certificate valid and issueDate ≤ now ≤ nextUpdate,
// and is for the PCK's FMSPC and PCE-ID ([CheckCollateralTCBInfo]); the QE
// identity is signed and valid the same way and the QE report matches it —
// MRSIGNER, ISVPRODID, MISCSELECT and ATTRIBUTES under their masks, and the
// QE's ISVSVN reaches a level whose status is accepted
// ([CheckCollateralQEIdentity]); the root CRL, signed by the trusted root
// that anchors the PCK chain, and the PCK CRL, signed by the PCK's CA,
// are valid (thisUpdate ≤ now ≤ nextUpdate) and revoke neither the PCK,
// its CA, nor the TCB signing certificates ([CheckCollateralCRL]);
// MRSIGNERSEAM and SEAM_ATTRIBUTES (masked) match the TCB info's TDX module
// or, when TEE_TCB_SVN[1] > 0, the module identity TDX_<TEE_TCB_SVN[1]>,
// whose level for TEE_TCB_SVN[0] must be accepted
// ([CheckCollateralModule]); the platform's TCB level is the first whose
// 16 SGX components and PCE SVN the PCK certificate's TCB reaches and
// whose TDX components TEE_TCB_SVN reaches (from index 2 when a module
// identity judged indices 0 and 1), its TDX component 1 equals
// TEE_TCB_SVN[1], and its status is in Options.AcceptedTCBStatuses
// (UpToDate by default; "Revoked" never) ([CheckTCB]). Claims.TCB.Status
// is that status; Claims.TCB.Advisories the advisory IDs of the platform,
// QE and module levels. The statuses of the QE and module levels are
// checked against the same accepted set, not merged into the platform's
// status.
//
// The first time a PCK chain is seen it is verified in full and, for
// Platform-CA chains, go-tdx-guest's verify.TdxQuote checks chain and
// signatures again, offline, with fresh options per call (P-TDX-2) and the
// trusted roots always passed (so it never falls back to its embedded root
// or prints its warning to stdout, P-TDX-1). The verified PCK key and the
// chain's validity window are then cached, keyed by the SHA-256 of the PEM
// chain; a later quote from the same platform costs two P-256 signature
// checks and a SHA-256 while the verification time is inside the window.
//
// # What is not checked
//
// Without a collateral bundle nothing of the above collateral checks
// runs: no TCB status, no advisory IDs, no revocation, no QE identity, no
// TDX module check. Verification then fails closed ([CheckCollateral],
// ErrMissingCertificate) unless the caller sets
// Options.InsecureSkipCollateral; Claims.TCB.Status is then empty, never
// a pass. A bundle that is supplied is always verified, Insecure or not.
//
// With collateral, not checked: the freshness of the bundle beyond its own
// nextUpdate dates (an old but unexpired bundle passes: the caller decides
// how often to refresh; tcbEvaluationDataNumber and the TCB level's
// tcbDate are reported in the check's Actual, not compared with a
// minimum); the root certificates at the end of the issuer chains (only
// the first certificate, the signer, is used; trust comes from
// Options.Roots); the QE identity's tcbEvaluationDataNumber against the TCB
// info's; the TDX module identity's TCB date.
//
// A verified bundle is cached too, keyed by the SHA-256 of the PCK chain's
// key and the bundle bytes, with the intersection of the validity windows
// it rests on (signing certificates and their roots, TCB info, QE
// identity, both CRLs); a hit skips parsing and the six P-256 signature
// checks, while the quote-dependent steps (FMSPC, QE report against the
// QE identity, revocation lookups, TDX module, TCB level and status) run
// on every call.
//
// Never checked: MRSEAM, the header's QE vendor ID and user data, the
// bytes after the signed data (unsigned, tolerated as go-tdx-guest does),
// and the CCEL event log behind the RTMRs.
//
// # Security considerations
//
// Trust comes only from [Options.Roots]; the root certificate at the end of
// the quote's chain is ignored. Missing roots, time, measurements or
// expected report data fail closed. Weakening switches are named Insecure…
// and say what they give away. Importing this package imports
// go-tdx-guest's verify package, whose init sends the google/logger output
// to stdout (P-TDX-1); this package never triggers output (it always
// passes TrustedRoots and sets no verbosity), but other code using that
// logger in the same process will print. Errors are *buildtrust.CheckError
// values that unwrap to the sentinels and to threat.E10, never strings to
// match.
package tdx
