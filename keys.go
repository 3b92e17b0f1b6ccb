package buildtrust

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"

	"github.com/buildtrust/buildtrust/internal/ecdsasig"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/spki"
)

// Scheme is a signature algorithm together with its hash. A trusted key
// verifies signatures of exactly one scheme, so a key trusted for RSA-PSS is
// never also accepted for PKCS #1 v1.5.
type Scheme string

// Signature schemes accepted for DSSE envelopes (ITE-ENV-9, ITE-ENV-10).
// ECDSA signatures are accepted in both ASN.1 DER and raw r‖s encodings,
// because DSSE leaves the encoding out of band (P-DSSE-7).
const (
	ECDSASHA256        Scheme = "ecdsa-sha256"
	ECDSASHA384        Scheme = "ecdsa-sha384"
	ECDSASHA512        Scheme = "ecdsa-sha512"
	Ed25519            Scheme = "ed25519"
	RSAPSSSHA256       Scheme = "rsassa-pss-sha256"
	RSAPSSSHA384       Scheme = "rsassa-pss-sha384"
	RSAPSSSHA512       Scheme = "rsassa-pss-sha512"
	RSAPKCS1v15SHA256  Scheme = "rsassa-pkcs1v15-sha256"
	RSAPKCS1v15SHA384  Scheme = "rsassa-pkcs1v15-sha384"
	RSAPKCS1v15SHA512  Scheme = "rsassa-pkcs1v15-sha512"
	schemeKindECDSA           = "ecdsa"
	schemeKindRSAPSS          = "rsassa-pss"
	schemeKindRSAPKCS1        = "rsassa-pkcs1v15"
)

func (s Scheme) kind() string {
	switch s {
	case ECDSASHA256, ECDSASHA384, ECDSASHA512:
		return schemeKindECDSA
	case RSAPSSSHA256, RSAPSSSHA384, RSAPSSSHA512:
		return schemeKindRSAPSS
	case RSAPKCS1v15SHA256, RSAPKCS1v15SHA384, RSAPKCS1v15SHA512:
		return schemeKindRSAPKCS1
	case Ed25519:
		return string(Ed25519)
	}
	return ""
}

func (s Scheme) hash() crypto.Hash {
	switch {
	case strings.HasSuffix(string(s), "sha256"):
		return crypto.SHA256
	case strings.HasSuffix(string(s), "sha384"):
		return crypto.SHA384
	case strings.HasSuffix(string(s), "sha512"):
		return crypto.SHA512
	}
	return 0
}

// KeyOptions describe how a key is used. The zero value is the usual choice.
type KeyOptions struct {
	// Scheme is the signature scheme the key verifies. Zero means: ECDSA
	// with the hash matching the curve (SHA-256 for P-256, SHA-384 for
	// P-384, SHA-512 for P-521); Ed25519 for Ed25519 keys; RSASSA-PSS with
	// SHA-256 for RSA keys (the in-toto default).
	Scheme Scheme

	// Name is the attester name reported when the key verifies a signature
	// (ITE-VAL-1 attesterNames). Zero means the key's ID.
	Name string

	// KeyIDs are the keyid hints that signatures made with this key may
	// carry (for example a KMS key path, or a securesystemslib key ID). They
	// only decide which key is tried first; they never decide trust
	// (ITE-ENV-6).
	KeyIDs []string
}

// PublicKey is a trusted signature-verification key with its scheme. It is
// immutable and safe for concurrent use.
type PublicKey struct {
	key    crypto.PublicKey
	scheme Scheme
	id     string
	name   string
	hints  []string
}

// ed25519SPKIPrefix is the DER of an Ed25519 SubjectPublicKeyInfo up to the
// 32 key bytes: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }.
var ed25519SPKIPrefix = []byte{0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00}

// NewPublicKey wraps an *ecdsa.PublicKey (P-256, P-384, P-521), an
// ed25519.PublicKey or an *rsa.PublicKey (2048 to 8192 bits). A scheme that
// does not fit the key type fails with ErrUnsupportedKey.
func NewPublicKey(pub crypto.PublicKey, opts KeyOptions) (*PublicKey, error) {
	scheme, err := checkKey(pub, opts.Scheme)
	if err != nil {
		return nil, err
	}
	var der []byte
	if ed, ok := pub.(ed25519.PublicKey); ok && len(ed) == ed25519.PublicKeySize {
		// The one DER encoding of an Ed25519 SubjectPublicKeyInfo (RFC 8410):
		// environment identity keys are parsed on every evaluation.
		der = append(append(make([]byte, 0, len(ed25519SPKIPrefix)+len(ed)), ed25519SPKIPrefix...), ed...)
	} else if der, err = x509.MarshalPKIXPublicKey(pub); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
	}
	sum := sha256.Sum256(der)
	k := &PublicKey{key: pub, scheme: scheme, id: hex.EncodeToString(sum[:]), hints: slices.Clone(opts.KeyIDs)}
	k.name = opts.Name
	if k.name == "" {
		k.name = k.id
	}
	return k, nil
}

// checkKey validates the key and returns the scheme to use.
func checkKey(pub crypto.PublicKey, scheme Scheme) (Scheme, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil {
			return "", fmt.Errorf("%w: nil ECDSA key", ErrUnsupportedKey)
		}
		var def Scheme
		switch k.Curve {
		case elliptic.P256():
			def = ECDSASHA256
		case elliptic.P384():
			def = ECDSASHA384
		case elliptic.P521():
			def = ECDSASHA512
		default:
			return "", fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		if scheme == "" {
			return def, nil
		}
		if scheme.kind() != schemeKindECDSA {
			return "", fmt.Errorf("%w: scheme %q for an ECDSA key", ErrUnsupportedKey, scheme)
		}
		return scheme, nil
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return "", fmt.Errorf("%w: Ed25519 key of %d bytes", ErrUnsupportedKey, len(k))
		}
		if scheme != "" && scheme != Ed25519 {
			return "", fmt.Errorf("%w: scheme %q for an Ed25519 key", ErrUnsupportedKey, scheme)
		}
		return Ed25519, nil
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return "", fmt.Errorf("%w: nil RSA key", ErrUnsupportedKey)
		}
		if bits := k.N.BitLen(); bits < limits.MinRSABits || bits > limits.MaxRSABits {
			return "", fmt.Errorf("%w: RSA key of %d bits (accepted: %d to %d)", ErrUnsupportedKey, bits, limits.MinRSABits, limits.MaxRSABits)
		}
		if scheme == "" {
			return RSAPSSSHA256, nil
		}
		if kind := scheme.kind(); kind != schemeKindRSAPSS && kind != schemeKindRSAPKCS1 {
			return "", fmt.Errorf("%w: scheme %q for an RSA key", ErrUnsupportedKey, scheme)
		}
		return scheme, nil
	default:
		return "", fmt.Errorf("%w: key type %T", ErrUnsupportedKey, pub)
	}
}

// ParsePublicKey parses a PEM ("PUBLIC KEY" or "RSA PUBLIC KEY") or DER
// (PKIX or PKCS #1) public key. It never panics, whatever the input.
func ParsePublicKey(data []byte, opts KeyOptions) (*PublicKey, error) {
	if len(data) > limits.MaxKeyBytes {
		return nil, limits.TooLarge("public key", limits.MaxKeyBytes)
	}
	der := data
	pkcs1 := false
	if block, rest := pem.Decode(data); block != nil {
		if len(strings.TrimSpace(string(rest))) != 0 {
			return nil, fmt.Errorf("%w: data after the PEM block", ErrMalformed)
		}
		switch block.Type {
		case "PUBLIC KEY":
		case "RSA PUBLIC KEY":
			pkcs1 = true
		default:
			return nil, fmt.Errorf("%w: PEM block %q is not a public key", ErrMalformed, block.Type)
		}
		der = block.Bytes
	}
	var pub crypto.PublicKey
	var err error
	if pkcs1 {
		pub, err = x509.ParsePKCS1PublicKey(der)
	} else if pub, err = spki.Parse(der); err != nil {
		if rsaPub, rsaErr := x509.ParsePKCS1PublicKey(der); rsaErr == nil {
			pub, err = rsaPub, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: public key: %v", ErrMalformed, err)
	}
	return NewPublicKey(pub, opts)
}

// sslibSchemes maps securesystemslib key schemes to ours.
var sslibSchemes = map[string]Scheme{
	"ecdsa-sha2-nistp256":    ECDSASHA256,
	"ecdsa-sha2-nistp384":    ECDSASHA384,
	"ecdsa-sha2-nistp521":    ECDSASHA512,
	"ed25519":                Ed25519,
	"rsassa-pss-sha256":      RSAPSSSHA256,
	"rsassa-pss-sha384":      RSAPSSSHA384,
	"rsassa-pss-sha512":      RSAPSSSHA512,
	"rsa-pkcs1v15-sha256":    RSAPKCS1v15SHA256,
	"rsassa-pkcs1v15-sha256": RSAPKCS1v15SHA256,
}

// PublicKeyFromSSLib converts a securesystemslib key — the format of in-toto
// layouts and TUF metadata — into a PublicKey. The key's keyid becomes a hint.
// go-securesystemslib labels every ECDSA key "ecdsa-sha2-nistp256" (P-DSSE-2),
// so for ECDSA the hash follows the curve, as that library does when signing.
func PublicKeyFromSSLib(k *signerverifier.SSLibKey) (*PublicKey, error) {
	if k == nil {
		return nil, fmt.Errorf("%w: nil key", ErrMalformed)
	}
	scheme, ok := sslibSchemes[k.Scheme]
	if !ok {
		return nil, fmt.Errorf("%w: securesystemslib scheme %q", ErrUnsupportedKey, k.Scheme)
	}
	opts := KeyOptions{Scheme: scheme}
	if k.KeyID != "" {
		opts.KeyIDs = []string{k.KeyID}
	}
	var key *PublicKey
	var err error
	switch k.KeyType {
	case signerverifier.ED25519KeyType:
		raw, decErr := hex.DecodeString(k.KeyVal.Public)
		if decErr != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 key value is not %d hex bytes", ErrMalformed, ed25519.PublicKeySize)
		}
		return NewPublicKey(ed25519.PublicKey(raw), opts)
	case signerverifier.ECDSAKeyType, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384":
		if scheme.kind() != schemeKindECDSA {
			return nil, fmt.Errorf("%w: scheme %q for an ECDSA key", ErrUnsupportedKey, k.Scheme)
		}
		opts.Scheme = "" // hash follows the curve (see above)
		key, err = ParsePublicKey([]byte(k.KeyVal.Public), opts)
	case signerverifier.RSAKeyType:
		key, err = ParsePublicKey([]byte(k.KeyVal.Public), opts)
	default:
		return nil, fmt.Errorf("%w: securesystemslib key type %q", ErrUnsupportedKey, k.KeyType)
	}
	if err != nil {
		return nil, err
	}
	// The declared key type must match the key material: a key declared
	// "ecdsa" that holds an RSA key is rejected, not reinterpreted.
	_, isECDSA := key.key.(*ecdsa.PublicKey)
	_, isRSA := key.key.(*rsa.PublicKey)
	if (k.KeyType == signerverifier.RSAKeyType) != isRSA || (k.KeyType != signerverifier.RSAKeyType) != isECDSA {
		return nil, fmt.Errorf("%w: key material is %T, declared %q", ErrUnsupportedKey, key.key, k.KeyType)
	}
	return key, nil
}

// ID is the key's identifier: the lowercase hex SHA-256 of its PKIX DER
// encoding. Two PublicKeys with the same ID are the same key and count once
// towards a threshold.
func (k *PublicKey) ID() string { return k.id }

// Name is the attester name reported for signatures this key verifies.
func (k *PublicKey) Name() string { return k.name }

// Scheme is the signature scheme the key verifies.
func (k *PublicKey) Scheme() Scheme { return k.scheme }

// Public returns the underlying crypto.PublicKey.
func (k *PublicKey) Public() crypto.PublicKey { return k.key }

// hinted reports whether a signature's keyid hint names this key.
func (k *PublicKey) hinted(keyID string) bool {
	return keyID != "" && (keyID == k.id || slices.Contains(k.hints, keyID))
}

// Verify checks sig over message under the key's scheme. The message is
// hashed here; for DSSE it is the PAE encoding.
func (k *PublicKey) Verify(message, sig []byte) error {
	if len(sig) == 0 || len(sig) > limits.MaxSignatureBytes {
		return fmt.Errorf("%w: signature length %d", ErrSignature, len(sig))
	}
	if k.scheme == Ed25519 {
		if !ed25519.Verify(k.key.(ed25519.PublicKey), message, sig) {
			return fmt.Errorf("%w: Ed25519", ErrSignature)
		}
		return nil
	}
	h := k.scheme.hash()
	hh := h.New()
	hh.Write(message)
	digest := hh.Sum(nil)
	switch k.scheme.kind() {
	case schemeKindECDSA:
		pub := k.key.(*ecdsa.PublicKey)
		if verifyECDSA(pub, digest, sig) {
			return nil
		}
		return fmt.Errorf("%w: ECDSA", ErrSignature)
	case schemeKindRSAPSS:
		// Any salt length: the salt length is not a security parameter for
		// verification, and signers differ (go-securesystemslib uses 32,
		// crypto/rsa defaults to the maximum).
		if err := rsa.VerifyPSS(k.key.(*rsa.PublicKey), h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}); err != nil {
			return fmt.Errorf("%w: RSA-PSS", ErrSignature)
		}
		return nil
	case schemeKindRSAPKCS1:
		if err := rsa.VerifyPKCS1v15(k.key.(*rsa.PublicKey), h, digest, sig); err != nil {
			return fmt.Errorf("%w: RSA PKCS #1 v1.5", ErrSignature)
		}
		return nil
	}
	return fmt.Errorf("%w: scheme %q", ErrUnsupportedKey, k.scheme)
}

// verifyECDSA accepts ASN.1 DER and raw fixed-width r‖s signatures.
func verifyECDSA(pub *ecdsa.PublicKey, digest, sig []byte) bool {
	size := (pub.Curve.Params().BitSize + 7) / 8
	if len(sig) == 2*size {
		if ecdsasig.Verify(pub, digest, sig[:size], sig[size:]) {
			return true
		}
	}
	return ecdsa.VerifyASN1(pub, digest, sig)
}

// Signer signs DSSE PAE bytes. The method set is that of
// go-securesystemslib's dsse.Signer, so its signers (and KMS-backed ones)
// plug in unchanged. Sign receives the whole message and hashes it itself.
type Signer interface {
	Sign(ctx context.Context, data []byte) ([]byte, error)
	KeyID() (string, error)
}

// KeySigner signs with an in-process crypto.Signer (an *ecdsa.PrivateKey,
// ed25519.PrivateKey or *rsa.PrivateKey, or an HSM-backed crypto.Signer).
// ECDSA signatures are ASN.1 DER. Safe for concurrent use if the underlying
// crypto.Signer is.
type KeySigner struct {
	priv  crypto.Signer
	pub   *PublicKey
	keyID string
}

// NewSigner returns a Signer for priv. opts.Scheme picks the scheme as in
// KeyOptions; the keyid put on signatures is opts.KeyIDs[0] when set, else
// the public key's ID.
func NewSigner(priv crypto.Signer, opts KeyOptions) (*KeySigner, error) {
	if priv == nil {
		return nil, fmt.Errorf("%w: nil signer", ErrUnsupportedKey)
	}
	pub, err := NewPublicKey(priv.Public(), opts)
	if err != nil {
		return nil, err
	}
	s := &KeySigner{priv: priv, pub: pub, keyID: pub.id}
	if len(opts.KeyIDs) > 0 {
		s.keyID = opts.KeyIDs[0]
	}
	return s, nil
}

// PublicKey returns the verification key matching the signer.
func (s *KeySigner) PublicKey() *PublicKey { return s.pub }

// KeyID returns the keyid hint placed on signatures.
func (s *KeySigner) KeyID() (string, error) { return s.keyID, nil }

// Sign signs data under the signer's scheme. The context is not used by
// in-process keys; it is part of the interface for remote signers.
func (s *KeySigner) Sign(_ context.Context, data []byte) ([]byte, error) {
	scheme := s.pub.scheme
	if scheme == Ed25519 {
		return s.priv.Sign(nil, data, crypto.Hash(0))
	}
	h := scheme.hash()
	hh := h.New()
	hh.Write(data)
	digest := hh.Sum(nil)
	var opts crypto.SignerOpts = h
	if scheme.kind() == schemeKindRSAPSS {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
	}
	sig, err := s.priv.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("buildtrust: signing: %w", err)
	}
	return sig, nil
}

var errNoSigners = errors.New("buildtrust: no signers")
