package main

import (
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
)

// readFile reads at most max bytes of path; a larger file is an error
// wrapping buildtrust.ErrTooLarge, found without reading it all.
func readFile(path string, max int64, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := limits.ReadAll(f, max, what+" "+path)
	if err != nil {
		return nil, err
	}
	return data, nil
}

// parseDigests turns repeated ALG:HEX values into a DigestSet checked by the
// in-toto rules (lowercase hex of the algorithm's length).
func parseDigests(values []string) (buildtrust.DigestSet, error) {
	ds := buildtrust.DigestSet{}
	for _, v := range values {
		alg, hexValue, ok := strings.Cut(v, ":")
		if !ok || alg == "" || hexValue == "" {
			return nil, fmt.Errorf("digest %q: want ALG:HEX, e.g. sha256:%s", v, strings.Repeat("ab", 32))
		}
		if _, dup := ds[alg]; dup {
			return nil, fmt.Errorf("digest %q: %s given twice", v, alg)
		}
		ds[alg] = hexValue
	}
	if err := ds.Validate(); err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	return ds, nil
}

// fileDigests hashes a file in one streaming pass. SHA-512 is computed too so
// that a subject listing only sha512 still matches.
func fileDigests(path string) (buildtrust.DigestSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ds, _, err := buildtrust.Digest(f, buildtrust.SHA256, buildtrust.SHA512)
	if err != nil {
		return nil, fmt.Errorf("hashing %s: %w", path, err)
	}
	return ds, nil
}

// formatDigests writes a digest set as "alg:hex" pairs in a stable order.
func formatDigests(ds buildtrust.DigestSet) string { return ds.String() }

// parseTime reads -time; empty means now.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("-time %q: want RFC 3339, e.g. 2026-03-01T12:00:00Z", s)
	}
	return t, nil
}

// loadSigner reads a PEM private key (PKCS #8, SEC 1 EC or PKCS #1 RSA) and
// returns a signer with the scheme the root package picks for its type.
// Encrypted keys are refused rather than prompted for: the CLI runs in
// pipelines where nobody can type a passphrase.
func loadSigner(path string) (*buildtrust.KeySigner, error) {
	data, err := readFile(path, limits.MaxKeyBytes, "private key")
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block (want a PEM private key)", path)
	}
	if _, ok := block.Headers["Proc-Type"]; ok || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, fmt.Errorf("%s: encrypted private keys are not supported", path)
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%s: PEM block %q is not a private key", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: key type %T cannot sign", path, key)
	}
	s, err := buildtrust.NewSigner(signer, buildtrust.KeyOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// loadPublicKey reads a PEM or DER public key.
func loadPublicKey(path string) (*buildtrust.PublicKey, error) {
	data, err := readFile(path, limits.MaxKeyBytes, "public key")
	if err != nil {
		return nil, err
	}
	k, err := buildtrust.ParsePublicKey(data, buildtrust.KeyOptions{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// isHexText reports whether data is hex digits and white space only, with an
// even number of digits: some projects publish binary evidence that way
// (virtee/sev's report_milan.hex).
func isHexText(data []byte) bool {
	n := 0
	for _, c := range data {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			n++
		case c == ' ', c == '\n', c == '\r', c == '\t':
		default:
			return false
		}
	}
	return n > 0 && n%2 == 0
}

func decodeHexText(data []byte) ([]byte, error) {
	clean := make([]byte, 0, len(data))
	for _, c := range data {
		if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			clean = append(clean, c)
		}
	}
	out := make([]byte, hex.DecodedLen(len(clean)))
	if _, err := hex.Decode(out, clean); err != nil {
		return nil, err
	}
	return out, nil
}

var errUnrecognised = errors.New("unrecognised input")
