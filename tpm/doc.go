// Package tpm verifies TPM 2.0 quotes and measured-boot event logs, and
// checks what they prove against an image producer's reference values — the
// BuildEnv L2 "boot" step (BENV-L2-3, BENV-L2-6, BENV-H-2; THREAT-E9, and
// THREAT-E7 where the quote shows the admin could not alter the boot).
//
// Specifications: TPM 2.0 Library Part 2/3 (TPMS_ATTEST, TPMT_SIGNATURE,
// TPM2_Quote), TCG PC Client Platform Firmware Profile (crypto-agile and
// SHA-1 event logs), TCG PC Client Platform TPM Profile (PCR reset values),
// and the TDX CCEL (a crypto-agile log over RTMRs).
//
// # Where to start
//
// [Verify] takes the [Evidence] an environment sends — TPMS_ATTEST,
// TPMT_SIGNATURE, the PCR values, the AK material and the event log — and
// [Options] saying how the attestation key is trusted and which qualifying
// data the quote must carry. It returns a [Result] holding only verified
// data: the quoted PCR banks and the [BootState] the log proves. Then
// [ReferenceValues.Check] compares that boot state with the reference values
// the image producer signed (BENV-L2-2), one named check per component or
// PCR.
//
// The steps are also separate, with separate names: [ParseQuote] and
// [ParseEventLog] / [ParseCCEL] check form only; [VerifyQuote],
// [EventLog.Verify] and [EventLog.VerifyCCEL] check authenticity;
// [ReferenceValues.Check] validates verified measurements against
// expectations.
//
// # What is checked
//
//   - AK trust (tpm.ak.trust): a pinned key, or an AK certificate chained
//     to caller-supplied roots at an explicit time, or an [AKVerifier] —
//     the hook through which the policy package binds the AK of a vTPM in a
//     confidential VM to a TEE report.
//   - The quote, in this order: signature over TPMS_ATTEST (RSASSA, RSAPSS,
//     ECDSA P-256/P-384 with SHA-256/384/512; SHA-1 only with
//     InsecureAllowSHA1), magic == TPM_GENERATED_VALUE (go-tpm does not
//     check it, P-TPM-1), type == TPM_ST_ATTEST_QUOTE, extraData equal in
//     constant time to the expected qualifying data, the PCR selection
//     (no repeated bank, no SHA-1 bank without opt-in, required PCRs), and
//     the PCR digest recomputed over the supplied values, in every bank.
//   - The event log: every event type known, sizes and counts bounded, then
//     a replay of every register the log extends, in every quoted bank,
//     compared with every quoted PCR — a quoted PCR the log never extends
//     must hold its reset value (P-LOG-2). Failures name every differing
//     PCR ([ReplayError]). Only events of quoted PCRs are returned; quirk
//     workarounds of go-eventlog never apply, because its replay only runs
//     after ours has matched (P-TPM-5).
//   - Extraction (tpm.eventlog.extract): firmware events, EV_SEPARATORs,
//     EFI applications (bootloaders), Secure Boot state with db, dbx and
//     authorities, GRUB's files (kernel, initrd), commands and the kernel
//     command line, the initrd and load options the Linux EFI stub measures
//     into PCR 9 (EV_EVENT_TAG) — via go-eventlog v0.0.2's extract package, and only
//     after our own type checks, since that package kills the process with
//     a stack overflow on an unknown event type (P-LOG-1). Its replay, whose
//     events those functions take, gets a re-encoded log of the registers
//     they read, not the original (same result, tested against the full
//     replay on every real log). EV_NO_ACTION events (StartupLocality,
//     SP800-155) are listed, unauthenticated. Options.SkipExtraction
//     leaves it out (reported not applicable) for callers that compare
//     digests with the verified events themselves, as the policy package
//     does.
//   - CCEL: replayed into RTMR0–3 against the values of a verified TD quote
//     (the tdx package verifies the quote).
//
// The quote and event-log decoders are our own (for speed: go-tpm's and
// go-eventlog's reflection decoders cost several times the signature check
// or the hashing of the log); differential tests and fuzz targets check
// they accept exactly what go-tpm and go-eventlog accept, with the same
// values. go-tpm builds quotes in [tpmtest] and decodes TPMT_PUBLIC AKs.
//
// # What is not checked
//
// Whether the TPM is genuine beyond its AK (EK certificates and
// credential activation are the AK issuer's job); TPM clock or reset
// counts (reported, not judged); what a measured component is — the
// reference values say that; dm-verity or IMA runtime measurements beyond
// what the boot log records. The qualifying data is compared, not derived:
// the binding convention of DESIGN.md (the first 32 bytes of the 64-byte
// bind value of the environment identity) is computed by the policy
// package, which passes it as Options.QualifyingData.
//
// # Security considerations
//
// An event's type and its data for most event types are not covered by its
// digest: a replayed log proves the digests, not the story the types tell.
// Component extraction therefore checks data against digests where the spec
// fixes the data (separators, EFI actions), and a component named from an
// unmeasured hint (a GRUB file name classified as "kernel") is still matched
// only by digest. A reference value for "grub.file" with MatchEvery
// constrains every file GRUB measured, renamed or not. Keep SHA-1 off:
// with it an attacker can prepare colliding measurements (V2). Quotes are
// only as fresh as QualifyingData: use a fresh nonce or a binding to a
// fresh environment key per admission.
//
// Every input is bounded by internal/limits (quote, signature, log size,
// events, event data, reference values); no input panics (fuzzed), and the
// P-LOG-1 crash is covered by a subprocess regression test.
//
// # Compatibility
//
// The package is v0, like the module. The JSON form of [ReferenceValues] is
// versioned by its type field (ReferenceValuesType). go-eventlog is pinned at
// v0.0.2; its extraction API changes in later pseudo-versions (P-LOG-3), and
// only boot.go (extraction), eventlog.go (replay of the verified events) and
// ccel.go (CCEL) touch it.
package tpm
