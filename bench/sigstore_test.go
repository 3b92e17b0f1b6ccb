package bench

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	ct "github.com/google/certificate-transparency-go"
	ctx509 "github.com/google/certificate-transparency-go/x509"
	ctx509util "github.com/google/certificate-transparency-go/x509util"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/sigstore"
)

// sigstoreGoFile reads a file of the sigstore-go module this module depends
// on, from the module cache (authenticated by go.sum), as the sigstore
// module's examples do: real Sigstore data — an npm provenance bundle of
// sigstore-js 1.3.0 built on GitHub Actions and the public-good trusted
// root — that is present wherever this package builds, read in place and
// never copied.
func sigstoreGoFile(tb testing.TB, name string) []byte {
	tb.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/sigstore/sigstore-go").Output()
	if err != nil {
		// Not a skip: a skipped pair would let TestPairsAgree pass
		// without comparing anything.
		tb.Fatalf("cannot locate the sigstore-go module: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "examples", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// sigstorePair: our sigstore module's Verifier.Verify against sigstore-go's
// SignedEntityVerifier, on the same bundle JSON and the same trusted root.
//
// Ours wraps sigstore-go and adds a strict parse of the signed statement
// and named checks; the peer is sigstore-go configured with the thresholds
// ours uses (one SCT, one tlog entry, one observer timestamp) and, like
// ours at this step, no artifact or identity policy (ours leaves identity
// to provenance.Check). Both parse the bundle JSON on every call.
//
// Floor: the per-bundle signatures no verifier can skip — the DSSE
// signature by the Fulcio leaf key, the leaf certificate's signature by
// the Fulcio intermediate, the SCT's signature by the CT log and the
// Rekor signed entry timestamp. The intermediate's own signature by the
// root is left out: it is the same for every bundle, so a verifier can
// cache it.
func sigstorePair(tb testing.TB) pair[[]byte] {
	tb.Helper()
	data := sigstoreGoFile(tb, "bundle-provenance.json")
	rootJSON := sigstoreGoFile(tb, "trusted-root-public-good.json")

	ourRoot, err := sigstore.ParseTrustedRoot(rootJSON)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := sigstore.NewVerifier(ourRoot, sigstore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tr, err := root.NewTrustedRootFromJSON(rootJSON)
	if err != nil {
		tb.Fatal(err)
	}
	sv, err := verify.NewVerifier(tr, verify.WithSignedCertificateTimestamps(1), verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1))
	if err != nil {
		tb.Fatal(err)
	}
	policy := verify.NewPolicy(verify.WithoutArtifactUnsafe(), verify.WithoutIdentitiesUnsafe())
	return pair[[]byte]{
		peer:     "sigstore-go",
		genuine:  data,
		tampered: map[string][]byte{"payload byte": flipBase64After(tb, data, `"payload":"`, 400)},
		ours: func(data []byte) error {
			_, err := v.Verify(data)
			return err
		},
		theirs: func(data []byte) error {
			var b bundle.Bundle
			if err := b.UnmarshalJSON(data); err != nil {
				return err
			}
			_, err := sv.Verify(&b, policy)
			return err
		},
		floor: sigstoreFloor(tb, data, tr),
	}
}

// bundleJSON is the part of a v0.1 bundle the floor needs.
type bundleJSON struct {
	VerificationMaterial struct {
		X509CertificateChain struct {
			Certificates []struct {
				RawBytes []byte `json:"rawBytes"`
			} `json:"certificates"`
		} `json:"x509CertificateChain"`
		TlogEntries []struct {
			LogIndex         string                 `json:"logIndex"`
			LogID            struct{ KeyID []byte } `json:"logId"`
			IntegratedTime   string                 `json:"integratedTime"`
			InclusionPromise struct {
				SignedEntryTimestamp []byte `json:"signedEntryTimestamp"`
			} `json:"inclusionPromise"`
			CanonicalizedBody string `json:"canonicalizedBody"`
		} `json:"tlogEntries"`
	} `json:"verificationMaterial"`
	DSSEEnvelope struct {
		Payload     []byte `json:"payload"`
		PayloadType string `json:"payloadType"`
		Signatures  []struct {
			Sig []byte `json:"sig"`
		} `json:"signatures"`
	} `json:"dsseEnvelope"`
}

// sigstoreFloor precomputes the four signed messages of the bundle and
// returns the four raw verifications. Each is checked once here, so a
// wrong reconstruction fails the benchmark instead of timing a failure.
func sigstoreFloor(tb testing.TB, data []byte, tr *root.TrustedRoot) func() error {
	tb.Helper()
	var b bundleJSON
	if err := json.Unmarshal(data, &b); err != nil {
		tb.Fatal(err)
	}
	vm := b.VerificationMaterial
	if len(vm.X509CertificateChain.Certificates) == 0 || len(vm.TlogEntries) != 1 || len(b.DSSEEnvelope.Signatures) != 1 {
		tb.Fatal("unexpected bundle shape")
	}
	leaf, err := x509.ParseCertificate(vm.X509CertificateChain.Certificates[0].RawBytes)
	if err != nil {
		tb.Fatal(err)
	}
	leafKey := leaf.PublicKey.(*ecdsa.PublicKey)

	// 1. DSSE: the leaf key over the PAE.
	pae := buildtrust.PAE(b.DSSEEnvelope.PayloadType, b.DSSEEnvelope.Payload)
	dsseSig := b.DSSEEnvelope.Signatures[0].Sig

	// 2. The leaf by the trusted Fulcio intermediate that issued it.
	var issuer *x509.Certificate
	for _, ca := range tr.FulcioCertificateAuthorities() {
		fca, ok := ca.(*root.FulcioCertificateAuthority)
		if !ok {
			continue
		}
		for _, c := range fca.Intermediates {
			if bytes.Equal(c.RawSubject, leaf.RawIssuer) && leaf.CheckSignatureFrom(c) == nil {
				issuer = c
			}
		}
	}
	if issuer == nil {
		tb.Fatal("no trusted intermediate issued the leaf")
	}
	issuerKey := issuer.PublicKey.(*ecdsa.PublicKey)
	tbsHash := hashFor(tb, leaf.SignatureAlgorithm)

	// 3. The SCT: the CT log's signature over the precertificate entry.
	ctLeaf, err := ctx509.ParseCertificate(leaf.Raw)
	if err != nil {
		tb.Fatal(err)
	}
	ctIssuer, err := ctx509.ParseCertificate(issuer.Raw)
	if err != nil {
		tb.Fatal(err)
	}
	scts, err := ctx509util.ParseSCTsFromSCTList(&ctLeaf.SCTList)
	if err != nil || len(scts) == 0 {
		tb.Fatalf("SCTs: %v (%d)", err, len(scts))
	}
	sct := scts[0]
	mtl, err := ct.MerkleTreeLeafForEmbeddedSCT([]*ctx509.Certificate{ctLeaf, ctIssuer}, sct.Timestamp)
	if err != nil {
		tb.Fatal(err)
	}
	sctInput, err := ct.SerializeSCTSignatureInput(*sct, ct.LogEntry{Leaf: *mtl})
	if err != nil {
		tb.Fatal(err)
	}
	ctLog, ok := tr.CTLogs()[hex.EncodeToString(sct.LogID.KeyID[:])]
	if !ok {
		tb.Fatal("SCT from an unknown CT log")
	}
	ctKey := ctLog.PublicKey.(*ecdsa.PublicKey)
	sctSig := sct.Signature.Signature

	// 4. The Rekor SET: the log's signature over the canonical JSON of the
	// entry (RFC 8785: keys sorted, integers bare).
	e := vm.TlogEntries[0]
	logID := hex.EncodeToString(e.LogID.KeyID)
	it, err1 := strconv.ParseInt(e.IntegratedTime, 10, 64)
	li, err2 := strconv.ParseInt(e.LogIndex, 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		tb.Fatal(err)
	}
	setPayload := []byte(fmt.Sprintf(`{"body":%q,"integratedTime":%d,"logID":%q,"logIndex":%d}`, e.CanonicalizedBody, it, logID, li))
	rekor, ok := tr.RekorLogs()[logID]
	if !ok {
		tb.Fatal("tlog entry from an unknown Rekor log")
	}
	rekorKey := rekor.PublicKey.(*ecdsa.PublicKey)
	setSig := e.InclusionPromise.SignedEntryTimestamp

	// Each check hashes its signed message and verifies: the messages are
	// precomputed, since building them is parsing, not signature work.
	return func() error {
		d := sha256.Sum256(pae)
		if !ecdsa.VerifyASN1(leafKey, d[:], dsseSig) {
			return errors.New("floor: DSSE signature")
		}
		h := tbsHash.New()
		h.Write(leaf.RawTBSCertificate)
		if !ecdsa.VerifyASN1(issuerKey, h.Sum(nil), leaf.Signature) {
			return errors.New("floor: leaf certificate signature")
		}
		d = sha256.Sum256(sctInput)
		if !ecdsa.VerifyASN1(ctKey, d[:], sctSig) {
			return errors.New("floor: SCT signature")
		}
		d = sha256.Sum256(setPayload)
		if !ecdsa.VerifyASN1(rekorKey, d[:], setSig) {
			return errors.New("floor: Rekor SET signature")
		}
		return nil
	}
}

func hashFor(tb testing.TB, alg x509.SignatureAlgorithm) crypto.Hash {
	tb.Helper()
	var h crypto.Hash
	switch alg {
	case x509.ECDSAWithSHA256:
		h = crypto.SHA256
	case x509.ECDSAWithSHA384:
		h = crypto.SHA384
	case x509.ECDSAWithSHA512:
		h = crypto.SHA512
	default:
		tb.Fatalf("leaf signature algorithm %v", alg)
	}
	return h
}

func BenchmarkSigstore(b *testing.B) {
	b.Run("input=npm-provenance-bundle-v0.1", func(b *testing.B) { sigstorePair(b).bench(b) })
}
