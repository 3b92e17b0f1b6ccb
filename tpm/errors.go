package tpm

import (
	"errors"
	"fmt"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/threat"
)

// Sentinel errors. Every error returned by this package wraps one of them, so
// callers branch with errors.Is, never on message text. A failed check is a
// *buildtrust.CheckError that also unwraps to the threats the check guards
// (errors.Is(err, threat.E9)).
var (
	// ErrTooLarge: an input exceeded one of the limits in internal/limits
	// (quote, signature, event log, events, reference values).
	ErrTooLarge = limits.ErrTooLarge

	// ErrMalformed: the bytes are not a well-formed TPMS_ATTEST,
	// TPMT_SIGNATURE, TPMT_PUBLIC, certificate, event log or reference-value
	// document.
	ErrMalformed = errors.New("tpm: malformed input")

	// ErrNoTrustRoots: no way to trust the attestation key was configured
	// (no pinned key, no certificate roots, no AK verifier). Verification
	// never falls back to "accept".
	ErrNoTrustRoots = errors.New("tpm: no attestation-key trust configured")

	// ErrNoQualifyingData: the expected qualifying data (nonce or binding)
	// was not supplied. Without it a recorded quote could be replayed.
	ErrNoQualifyingData = errors.New("tpm: no expected qualifying data")

	// ErrNoTime: an AK certificate chain was to be verified without an
	// explicit verification time.
	ErrNoTime = errors.New("tpm: no verification time")

	// ErrOptions: the Options are contradictory (for example two AK trust
	// modes at once).
	ErrOptions = errors.New("tpm: invalid options")

	// ErrUntrustedAK: the attestation key is not one of the pinned keys, its
	// certificate does not chain to the roots, or the AK verifier refused it.
	ErrUntrustedAK = errors.New("tpm: untrusted attestation key")

	// ErrSignature: the quote's signature does not verify under the AK, or
	// its scheme does not match the key.
	ErrSignature = errors.New("tpm: quote signature invalid")

	// ErrWeakHash: SHA-1 (in a signature or a PCR bank) without the explicit
	// Insecure opt-in, or an unsupported hash algorithm.
	ErrWeakHash = errors.New("tpm: weak or unsupported hash algorithm")

	// ErrMagic: TPMS_ATTEST.magic is not TPM_GENERATED_VALUE, so the signed
	// bytes were not produced by the TPM (P-TPM-1).
	ErrMagic = errors.New("tpm: attestation magic is not TPM_GENERATED")

	// ErrAttestType: TPMS_ATTEST.type is not TPM_ST_ATTEST_QUOTE.
	ErrAttestType = errors.New("tpm: attestation is not a quote")

	// ErrQualifyingData: the quote's qualifying data (extraData) differs
	// from the expected nonce or binding: a replayed or foreign quote.
	ErrQualifyingData = errors.New("tpm: qualifying data mismatch")

	// ErrPCRSelection: the quote's PCR selection is malformed, selects no
	// PCR, repeats a bank, or does not cover the required PCRs.
	ErrPCRSelection = errors.New("tpm: PCR selection not acceptable")

	// ErrPCRDigest: the supplied PCR values do not hash to the quoted PCR
	// digest, or a selected PCR has no value.
	ErrPCRDigest = errors.New("tpm: PCR digest mismatch")

	// ErrReplay: the event log does not replay to the quoted PCR values. A
	// *ReplayError says which PCRs differ.
	ErrReplay = errors.New("tpm: event log does not replay to the quoted PCRs")

	// ErrEventType: the event log holds an event type this package does not
	// know. Such logs are rejected before any extraction (P-LOG-1).
	ErrEventType = errors.New("tpm: unknown event type in event log")

	// ErrExtract: a measured component could not be extracted from the
	// replayed log; the component is then absent, never guessed.
	ErrExtract = errors.New("tpm: component extraction failed")

	// ErrReferenceValue: a measured component or PCR matches none of the
	// accepted reference values (BENV-L2-2, BENV-L2-6).
	ErrReferenceValue = errors.New("tpm: reference value mismatch")
)

// Check IDs of the checks this package performs. Reference-value checks are
// named CheckRefValuePrefix + component name, or + "pcr.<bank>.<index>".
const (
	// CheckAKTrust: the AK is pinned, certified by a trusted root at the
	// verification time, or accepted by the AK verifier.
	CheckAKTrust = "tpm.ak.trust"
	// CheckQuoteParse: the quote and signature are well-formed.
	CheckQuoteParse = "tpm.quote.parse"
	// CheckQuoteSignature: the TPMT_SIGNATURE verifies over TPMS_ATTEST.
	CheckQuoteSignature = "tpm.quote.signature"
	// CheckQuoteMagic: magic == TPM_GENERATED_VALUE.
	CheckQuoteMagic = "tpm.quote.magic"
	// CheckQuoteType: type == TPM_ST_ATTEST_QUOTE.
	CheckQuoteType = "tpm.quote.type"
	// CheckQuoteNonce: extraData equals the expected qualifying data.
	CheckQuoteNonce = "tpm.quote.nonce"
	// CheckQuotePCRSelection: the selection is well-formed and covers what
	// is required.
	CheckQuotePCRSelection = "tpm.quote.pcrSelection"
	// CheckQuotePCRDigest: the PCR values hash to the quoted digest.
	CheckQuotePCRDigest = "tpm.quote.pcrDigest"
	// CheckEventLogParse: the event log is well-formed and bounded.
	CheckEventLogParse = "tpm.eventlog.parse"
	// CheckEventLogType: every event type is known (P-LOG-1).
	CheckEventLogType = "tpm.eventlog.eventType"
	// CheckEventLogReplay: the log replays to every quoted PCR.
	CheckEventLogReplay = "tpm.eventlog.replay"
	// CheckEventLogExtract: components were extracted from the replayed
	// events.
	CheckEventLogExtract = "tpm.eventlog.extract"
	// CheckCCELReplay: a CCEL replays to the TDX RTMRs.
	CheckCCELReplay = "tpm.ccel.replay"
	// CheckRefValuePrefix prefixes every reference-value check ID.
	CheckRefValuePrefix = "tpm.refvalue."
)

// Threats guarded by the checks (REQUIREMENTS.md §6). A quote that verifies
// proves the boot state the control plane sees is the one the TPM measured:
// a local compromise of the image (E9) changes the measurements, and an admin
// cannot forge them (E7).
var (
	bootThreats = []threat.ID{threat.E9, threat.E7}
	// A SHA-1 bank or signature lets an attacker craft colliding
	// measurements (V2).
	weakHashThreats = []threat.ID{threat.E9, threat.E7, threat.V2}
	refThreats      = []threat.ID{threat.E9}
)

func checkErr(check string, threats []threat.ID, sentinel error, format string, args ...any) *buildtrust.CheckError {
	return &buildtrust.CheckError{
		Check:   check,
		Threats: threats,
		Err:     fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...)),
	}
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
