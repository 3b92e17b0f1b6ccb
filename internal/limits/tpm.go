package limits

// Limits for TPM 2.0 quotes, measured-boot event logs and reference values
// (package tpm). Each bounds what a hostile quote or log can cost before it is
// rejected.
const (
	// MaxAttestBytes bounds one TPMS_ATTEST. A quote is its 4-byte magic,
	// type, a qualified signer name (≤ 2+2+64 bytes), qualifying data (≤ 64
	// bytes), clock info, firmware version, the PCR selection and one digest:
	// well under 512 bytes. TPM2B_ATTEST itself is capped by the TPM at
	// sizeof(TPMS_ATTEST), about 2 KiB on real TPMs.
	MaxAttestBytes = 4 << 10

	// MaxTPMSignatureBytes bounds one TPMT_SIGNATURE: an RSA-8192 signature is
	// 1 KiB plus a 6-byte header; an ECDSA P-384 signature is under 110 bytes.
	MaxTPMSignatureBytes = 2 << 10

	// MaxAKPublicBytes bounds an AK public key (TPMT_PUBLIC or PKIX DER). An
	// RSA-8192 TPMT_PUBLIC with a 64-byte policy digest is about 1.1 KiB.
	MaxAKPublicBytes = 4 << 10

	// MaxAKCertificates bounds the AK certificate chain (leaf plus
	// intermediates). Real AK chains (GCE, Azure) have 2–4 certificates.
	MaxAKCertificates = 8

	// MaxAKCertificateBytes bounds one DER AK certificate; real ones are 1–2
	// KiB, and MaxKeyBytes applies to the same material elsewhere.
	MaxAKCertificateBytes = 16 << 10

	// MaxPCRSelectBytes bounds sizeofSelect in one TPMS_PCR_SELECTION. PC
	// Client TPMs have 24 PCRs (3 bytes); the TPM 2.0 library allows up to
	// PCR_SELECT_MAX, which is 4 bytes on every profile we know of.
	MaxPCRSelectBytes = 4

	// MaxPCRIndex is the largest PCR index a selection may name
	// (MaxPCRSelectBytes*8 - 1).
	MaxPCRIndex = MaxPCRSelectBytes*8 - 1

	// MaxPCRBanks bounds the banks (hash algorithms) in one PCR selection or
	// one set of PCR values. TPMs implement SHA-1, SHA-256, SHA-384, SHA-512
	// and SM3; 8 leaves room without letting a selection list grow unbounded.
	MaxPCRBanks = 8

	// MaxEventLogBytes bounds one measured-boot event log (TCG PC Client or
	// CCEL). The largest real logs we test with are 50 KiB (gdc-host) and
	// 256 KiB (a padded COS TDX CCEL); a log with a full dbx in every bank is
	// still below 1 MiB. 4 MiB is generous and keeps a flood cheap.
	MaxEventLogBytes = 4 << 20

	// MaxEvents bounds the events of one log. Real logs have 24–170 events;
	// IMA-style runtime logs are not TCG boot logs and are not accepted here.
	MaxEvents = 8192

	// MaxEventDataBytes bounds the data of one event. The largest real event
	// data are Secure Boot dbx variables (a few tens of KiB, 371 hashes is
	// about 18 KiB); 1 MiB bounds per-event hashing and certificate parsing.
	MaxEventDataBytes = 1 << 20

	// MaxReferenceValuesBytes bounds one serialized reference-value document.
	MaxReferenceValuesBytes = 4 << 20

	// MaxReferenceComponents bounds the components (and PCR entries) in one
	// reference-value document.
	MaxReferenceComponents = 4096

	// MaxReferenceAlternatives bounds the accepted digests or values listed
	// for one component or PCR: image producers list a few versions in
	// rollout, not thousands.
	MaxReferenceAlternatives = 256
)
