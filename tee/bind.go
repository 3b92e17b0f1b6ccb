package tee

import (
	"crypto/sha512"
	"fmt"
	"strings"
)

// The binding convention of buildtrust (DESIGN.md, "Binding convention"):
// hardware evidence binds to what it vouches for through its report data,
//
//	REPORT_DATA = SHA-512("buildtrust/bind/v1\x00" ‖ purpose ‖ "\x00" ‖ payload)
//
// SEV-SNP and TDX carry all 64 bytes in REPORT_DATA; a TPM carries the first
// 32 as the quote's qualifying data. The scai package describes bindings in
// attestations with the same convention name and purposes; [Bind] is the
// only implementation of the function.
const (
	// BindingConvention names the convention, as in scai.BindingConvention.
	BindingConvention = "buildtrust/bind/v1"
	// PurposeLaunch binds evidence to the environment identity key; the
	// payload is the SHA-256 of the key's DER SubjectPublicKeyInfo
	// (BENV-H-4, BENV-L3-1).
	PurposeLaunch = "launch"
	// PurposeDispatch binds fresh evidence to one build; the payload is
	// scai.DispatchPayload's SHA-256 of identity and build ID (BENV-L3-2).
	PurposeDispatch = "dispatch"
	// PurposeProvenance binds a response-time report to the provenance it
	// vouches for; the payload is the SHA-256 of the provenance statement's
	// exact bytes (the DSSE payload), so the hardware itself attests what
	// the build recorded (DESIGN.md, "Binding convention").
	PurposeProvenance = "provenance"
)

// BindingSize is the size of a binding: a SHA-512 digest, the size of
// SEV-SNP and TDX REPORT_DATA.
const BindingSize = sha512.Size

// Bind returns SHA-512("buildtrust/bind/v1\x00" ‖ purpose ‖ "\x00" ‖
// payload), the report data that binds evidence to payload for purpose. The
// purpose must be non-empty and free of NUL bytes, so that purpose and
// payload cannot be confused; anything else returns an error wrapping
// ErrPurpose. The payload is usually a SHA-256 value (PurposeLaunch,
// PurposeDispatch) or the digest of a statement.
func Bind(purpose string, payload []byte) ([BindingSize]byte, error) {
	if purpose == "" || strings.IndexByte(purpose, 0) >= 0 {
		return [BindingSize]byte{}, fmt.Errorf("%w: %q", ErrPurpose, purpose)
	}
	h := sha512.New()
	h.Write([]byte(BindingConvention))
	h.Write([]byte{0})
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write(payload)
	var out [BindingSize]byte
	h.Sum(out[:0])
	return out, nil
}
