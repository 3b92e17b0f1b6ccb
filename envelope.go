package buildtrust

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"sync"

	"github.com/buildtrust/buildtrust/internal/descriptor"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
	"github.com/buildtrust/buildtrust/internal/text"
)

// Envelope is a DSSE v1.0 envelope (ITE-ENV-1…7). Payload and signatures are
// held decoded; MarshalJSON writes standard base64, and ParseEnvelope reads
// standard and URL-safe base64 (ITE-ENV-4).
type Envelope struct {
	PayloadType string
	Payload     []byte
	Signatures  []Signature
}

// Signature is one DSSE signature. KeyID is an unauthenticated hint
// (ITE-ENV-6). Cert carries the PEM certificate that Sigstore-based signers
// (slsa-github-generator) put beside the signature; this package does not
// interpret it — the sigstore module does.
type Signature struct {
	KeyID string
	Sig   []byte
	Cert  string
}

// envelopeJSON is the wire form. The envelope format is closed: any other
// field is rejected.
type envelopeJSON struct {
	PayloadType string          `json:"payloadType"`
	Payload     *string         `json:"payload"` // required, may be empty
	Signatures  []signatureJSON `json:"signatures"`

	payload []byte // decoded by readEnvelope, which never sets Payload
}

type signatureJSON struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
	Cert  string `json:"cert,omitempty"`
}

// MarshalJSON encodes the envelope with standard base64.
func (e *Envelope) MarshalJSON() ([]byte, error) {
	payload := base64.StdEncoding.EncodeToString(e.Payload)
	w := envelopeJSON{
		PayloadType: e.PayloadType,
		Payload:     &payload,
		Signatures:  make([]signatureJSON, len(e.Signatures)),
	}
	for i, s := range e.Signatures {
		w.Signatures[i] = signatureJSON{KeyID: s.KeyID, Sig: base64.StdEncoding.EncodeToString(s.Sig), Cert: s.Cert}
	}
	return json.Marshal(w)
}

// ParseEnvelope decodes a DSSE envelope strictly: size-bounded, duplicate and
// case-folded keys rejected, unknown fields rejected (the signature's "cert"
// is known), a payload field present (DSSE allows it to be empty), at least
// one and at most MaxSignatures signatures, payload and signatures in
// standard or URL-safe base64. It verifies nothing.
func ParseEnvelope(data []byte) (*Envelope, error) {
	w, err := readEnvelope(data)
	if err != nil {
		return nil, fmt.Errorf("%w: envelope: %w", ErrMalformed, err)
	}
	if w.PayloadType == "" || len(w.PayloadType) > limits.MaxPayloadTypeBytes || !text.Printable(w.PayloadType) {
		return nil, fmt.Errorf("%w: envelope payloadType missing, too long or not printable", ErrMalformed)
	}
	if w.Payload == nil && w.payload == nil {
		return nil, fmt.Errorf("%w: envelope has no payload field", ErrMalformed)
	}
	if len(w.Signatures) == 0 {
		return nil, fmt.Errorf("%w: envelope has no signatures", ErrMalformed)
	}
	e := &Envelope{PayloadType: w.PayloadType, Signatures: make([]Signature, len(w.Signatures))}
	e.Payload = w.payload
	if w.Payload != nil {
		if e.Payload, err = decodeBase64(*w.Payload); err != nil {
			return nil, fmt.Errorf("%w: envelope payload: %w", ErrMalformed, err)
		}
	}
	for i, s := range w.Signatures {
		if len(s.KeyID) > limits.MaxKeyIDBytes {
			return nil, limits.TooLarge("signature keyid", limits.MaxKeyIDBytes)
		}
		sig, err := decodeBase64(s.Sig)
		if err != nil || len(sig) == 0 {
			return nil, fmt.Errorf("%w: signature %d: empty or invalid base64", ErrMalformed, i)
		}
		if len(sig) > limits.MaxSignatureBytes {
			return nil, limits.TooLarge("signature", limits.MaxSignatureBytes)
		}
		e.Signatures[i] = Signature{KeyID: s.KeyID, Sig: sig, Cert: s.Cert}
	}
	return e, nil
}

var (
	envelopeFields  = []string{"payloadType", "payload", "signatures"}
	signatureFields = []string{"keyid", "sig", "cert"}
)

// readEnvelope decodes the wire form in one strict pass (see
// strictjson.Reader); it stops at the signature limit without reading on.
func readEnvelope(data []byte) (*envelopeJSON, error) {
	r, err := strictjson.NewReader(data, strictjson.Options{MaxBytes: limits.MaxEnvelopeBytes, DisallowUnknownFields: true})
	if err != nil {
		return nil, err
	}
	var w envelopeJSON
	err = r.Object(envelopeFields, func(key string) error {
		var err error
		switch key {
		case "payloadType":
			w.PayloadType, err = r.String()
		case "payload":
			if !r.Null() {
				// Decode straight from the input: no copy of the base64 text.
				w.payload, err = r.StringDecoded(decodePayload)
				if err == nil && w.payload == nil {
					w.payload = []byte{} // "": present and empty
				}
			}
		case "signatures":
			err = r.Array(func() error {
				if len(w.Signatures) == limits.MaxSignatures {
					return limits.TooLarge("envelope signatures", limits.MaxSignatures)
				}
				var s signatureJSON
				err := r.Object(signatureFields, func(key string) error {
					var err error
					switch key {
					case "keyid":
						s.KeyID, err = r.String()
					case "sig":
						s.Sig, err = r.String()
					case "cert":
						s.Cert, err = r.String()
					}
					return err
				})
				w.Signatures = append(w.Signatures, s)
				return err
			})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &w, r.Close()
}

func decodePayload(b64 []byte) ([]byte, error) {
	payload, err := descriptor.DecodeBase64(b64)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	return payload, nil
}

// decodeBase64 accepts standard and URL-safe base64, padded or not
// (ITE-ENV-4, P-DSSE-6), always in strict mode (no stray bits or newlines).
// The alphabets are tried whole, so a string mixing them is rejected.
func decodeBase64(s string) ([]byte, error) {
	var buf [128]byte // an ECDSA or Ed25519 signature's text fits: no copy on the heap
	return descriptor.DecodeBase64(append(buf[:0], s...))
}

// PAE is the DSSE pre-authentication encoding (ITE-ENV-5):
// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. Signatures are over
// these bytes, which bind the payload type to the payload.
func PAE(payloadType string, payload []byte) []byte {
	return appendPAE(make([]byte, 0, paeLen(payloadType, payload)), payloadType, payload)
}

func paeLen(payloadType string, payload []byte) int {
	return 7 + 20 + len(payloadType) + 20 + len(payload) + 3
}

func appendPAE(buf []byte, payloadType string, payload []byte) []byte {
	buf = append(buf, "DSSEv1 "...)
	buf = strconv.AppendInt(buf, int64(len(payloadType)), 10)
	buf = append(buf, ' ')
	buf = append(buf, payloadType...)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(len(payload)), 10)
	buf = append(buf, ' ')
	return append(buf, payload...)
}

// Sign signs payload with every signer into a DSSE envelope. Signing may
// call out to a KMS or HSM, hence the context.
func Sign(ctx context.Context, payloadType string, payload []byte, signers ...Signer) (*Envelope, error) {
	if len(signers) == 0 {
		return nil, errNoSigners
	}
	if len(payload) > limits.MaxPayloadBytes {
		return nil, limits.TooLarge("payload", limits.MaxPayloadBytes)
	}
	pae := PAE(payloadType, payload)
	env := &Envelope{PayloadType: payloadType, Payload: slices.Clone(payload)}
	for _, s := range signers {
		sig, err := s.Sign(ctx, pae)
		if err != nil {
			return nil, fmt.Errorf("buildtrust: signing envelope: %w", err)
		}
		keyID, err := s.KeyID()
		if err != nil {
			return nil, fmt.Errorf("buildtrust: signer key ID: %w", err)
		}
		env.Signatures = append(env.Signatures, Signature{KeyID: keyID, Sig: sig})
	}
	return env, nil
}

// SignStatement validates st, encodes it deterministically and signs it as
// an in-toto envelope (payloadType PayloadType).
func SignStatement(ctx context.Context, st *Statement, signers ...Signer) (*Envelope, error) {
	if err := st.Validate(); err != nil {
		return nil, err
	}
	payload, err := st.Marshal()
	if err != nil {
		return nil, err
	}
	return Sign(ctx, PayloadType, payload, signers...)
}

// VerifyOptions say which keys are trusted and how many must sign.
type VerifyOptions struct {
	// Keys are the trusted keys. Required: with none, verification fails
	// with ErrNoTrustedKeys. Keys with the same ID count once.
	Keys []*PublicKey

	// Threshold is how many distinct trusted keys must have signed
	// (ITE-ENV-7). Zero means 1. A threshold above the number of distinct
	// keys fails with ErrNoTrustedKeys, since it could never be met.
	Threshold int

	// PayloadTypes are the accepted payloadType values. Zero means the
	// in-toto types: "application/vnd.in-toto+json" and, from in-toto v1.2,
	// "application/vnd.in-toto.<predicate>+json" (ITE-ENV-3).
	PayloadTypes []string
}

// VerifiedEnvelope is the authenticated content of an envelope: only what
// the signatures cover (payload type and payload) and who signed.
type VerifiedEnvelope struct {
	PayloadType string
	Payload     []byte
	// Signers are distinct trusted keys with a valid signature, in the order
	// of VerifyOptions.Keys. Verification stops once the threshold is met
	// (DSSE allows it), so with more trusted signatures than the threshold
	// not every signer is listed.
	Signers []*PublicKey
}

var inTotoPayloadType = regexp.MustCompile(`^application/vnd\.in-toto(\.[a-z0-9][a-z0-9._-]*)?\+json$`)

func (o VerifyOptions) acceptsPayloadType(t string) bool {
	if len(o.PayloadTypes) == 0 {
		return inTotoPayloadType.MatchString(t)
	}
	return slices.Contains(o.PayloadTypes, t)
}

// Verify checks the envelope's signatures against the trusted keys and the
// threshold, then its payload type, in the order DSSE prescribes (ITE-ENV-5):
// signature over PAE first, payload type second, nothing parsed before.
// Key ID hints only order the keys tried (ITE-ENV-6). A signature counts for
// at most one key, and each key at most once, so duplicated signatures cannot
// meet a threshold (ITE-ENV-7).
//
// Failures are *CheckError values for CheckEnvelopeSignature (wrapping
// ErrSignature and threats F4 and G6) or CheckEnvelopePayloadType (wrapping
// ErrPayloadType).
func (e *Envelope) Verify(opts VerifyOptions) (*VerifiedEnvelope, error) {
	v, err := e.verify(opts)
	if err != nil {
		return nil, err
	}
	v.Payload = slices.Clone(v.Payload) // the result must not alias the caller's envelope
	return v, nil
}

// VerifySigners checks the signatures and payload type exactly as Verify
// does and returns the signers (VerifiedEnvelope.Signers) without copying
// the payload: what verified is then e.PayloadType and e.Payload
// themselves. It is for a caller that parsed the envelope itself and
// never changes it afterwards, such as an evaluation holding the parse.
func (e *Envelope) VerifySigners(opts VerifyOptions) ([]*PublicKey, error) {
	v, err := e.verify(opts)
	if err != nil {
		return nil, err
	}
	return v.Signers, nil
}

// verify is Verify without the defensive copy of the payload.
func (e *Envelope) verify(opts VerifyOptions) (*VerifiedEnvelope, error) {
	var distinct [8]*PublicKey // the common case, kept off the heap
	keys, err := distinctKeys(distinct[:0], opts.Keys)
	if err != nil {
		return nil, err
	}
	threshold := opts.Threshold
	if threshold <= 0 {
		threshold = 1
	}
	if threshold > len(keys) {
		return nil, fmt.Errorf("%w: threshold %d exceeds the %d distinct trusted keys", ErrNoTrustedKeys, threshold, len(keys))
	}
	if len(e.Signatures) > limits.MaxSignatures {
		return nil, limits.TooLarge("envelope signatures", limits.MaxSignatures)
	}
	// The PAE lives only for the signature checks below, which keep no
	// reference to it: its buffer is reused across verifications.
	bp := paeBuffers.Get().(*[]byte)
	pae := appendPAE(slices.Grow((*bp)[:0], paeLen(e.PayloadType, e.Payload)), e.PayloadType, e.Payload)
	defer func() {
		if cap(pae) <= maxPooledPAE {
			*bp = pae[:0]
			paeBuffers.Put(bp)
		}
	}()
	var acceptedBuf [8]bool
	var orderBuf [8]int
	accepted, order := acceptedBuf[:0], orderBuf[:0]
	accepted = append(accepted, make([]bool, len(keys))...)
	count, checks := 0, 0
	for _, sig := range e.Signatures {
		order = order[:0]
		for i, k := range keys { // hinted keys first, then the rest
			if !accepted[i] && k.hinted(sig.KeyID) {
				order = append(order, i)
			}
		}
		for i, k := range keys {
			if !accepted[i] && !k.hinted(sig.KeyID) {
				order = append(order, i)
			}
		}
		for _, i := range order {
			if checks++; checks > limits.MaxSignatureChecks {
				return nil, &CheckError{Check: CheckEnvelopeSignature, Threats: signatureThreats,
					Err: fmt.Errorf("%w: gave up after %d signature checks: %w", ErrSignature, limits.MaxSignatureChecks, ErrTooLarge)}
			}
			if keys[i].Verify(pae, sig.Sig) == nil {
				accepted[i] = true
				count++
				break
			}
		}
		if count >= threshold {
			break
		}
	}
	if count < threshold {
		return nil, checkErr(CheckEnvelopeSignature, signatureThreats, ErrSignature,
			"%d of %d required distinct trusted keys signed", count, threshold)
	}
	if !opts.acceptsPayloadType(e.PayloadType) {
		return nil, checkErr(CheckEnvelopePayloadType, nil, ErrPayloadType, "%q", e.PayloadType)
	}
	v := &VerifiedEnvelope{PayloadType: e.PayloadType, Payload: e.Payload}
	for i, ok := range accepted {
		if ok {
			v.Signers = append(v.Signers, keys[i])
		}
	}
	return v, nil
}

// paeBuffers hold PAE buffers of earlier verifications; buffers above
// maxPooledPAE are dropped rather than kept alive.
var paeBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledPAE = 256 << 10

// distinctKeys appends to out the keys of in without nil keys and repeated
// keys (same ID), failing closed when none remain.
func distinctKeys(out, in []*PublicKey) ([]*PublicKey, error) {
	if len(in) > limits.MaxTrustedKeys {
		return nil, limits.TooLarge("trusted keys", limits.MaxTrustedKeys)
	}
	var seen map[string]bool
	if len(in) > 8 { // a scan of what was kept is cheaper for a handful
		seen = make(map[string]bool, len(in))
	}
	for _, k := range in {
		if k == nil || k.key == nil {
			continue
		}
		if seen != nil {
			if seen[k.id] {
				continue
			}
			seen[k.id] = true
		} else if slices.ContainsFunc(out, func(o *PublicKey) bool { return o.id == k.id }) {
			continue
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, ErrNoTrustedKeys
	}
	return out, nil
}

// VerifiedStatement is a Statement whose envelope verified. Payload holds the
// exact signed bytes the Statement was parsed from.
type VerifiedStatement struct {
	Statement   *Statement
	PayloadType string
	Payload     []byte
	Signers     []*PublicKey
}

// VerifyStatement parses a DSSE envelope, verifies it (see Envelope.Verify),
// and only then parses and validates the in-toto Statement inside
// (ITE-VAL-1, ITE-VAL-2). Matching the statement's subjects against an
// artifact is a separate step: VerifiedStatement.MatchSubjects.
func VerifyStatement(envelope []byte, opts VerifyOptions) (*VerifiedStatement, error) {
	env, err := ParseEnvelope(envelope)
	if err != nil {
		return nil, err
	}
	v, err := env.verify(opts) // env is ours alone: no copy needed
	if err != nil {
		return nil, err
	}
	return verifiedStatement(v)
}

// Statement parses the payload as an in-toto Statement, as ParseStatement
// does, but without copying: the Statement's Predicate is a sub-slice of
// e.Payload, which must not change while the Statement is in use. Nothing
// is verified: it is for a caller that verifies the envelope itself
// (VerifySigners) and wants the statement first, to route the envelope to
// the keys that may have signed it.
func (e *Envelope) Statement() (*Statement, error) { return parseStatement(e.Payload, true) }

// VerifyStatement verifies the envelope and parses the Statement inside.
func (e *Envelope) VerifyStatement(opts VerifyOptions) (*VerifiedStatement, error) {
	v, err := e.Verify(opts)
	if err != nil {
		return nil, err
	}
	return verifiedStatement(v)
}

func verifiedStatement(v *VerifiedEnvelope) (*VerifiedStatement, error) {
	st, err := ParseStatement(v.Payload)
	if err != nil {
		return nil, err
	}
	return &VerifiedStatement{Statement: st, PayloadType: v.PayloadType, Payload: v.Payload, Signers: v.Signers}, nil
}

// MatchSubjects returns the verified statement's subjects that match the
// artifact's digests (see Statement.MatchSubjects).
func (v *VerifiedStatement) MatchSubjects(artifact DigestSet, policy DigestPolicy) ([]ResourceDescriptor, error) {
	return v.Statement.MatchSubjects(artifact, policy)
}
