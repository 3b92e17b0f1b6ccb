package bench

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"

	"github.com/google/go-attestation/attest"
	"github.com/google/go-eventlog/testdata"
	"github.com/google/go-tpm/tpm2"

	"github.com/buildtrust/buildtrust/tpm"
	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

// tpmInput is one quote with the PCR values it covers and the event log,
// in each library's own representation of the same values (ours:
// tpm.Evidence; go-attestation: attest.Quote and []attest.PCR). The
// conversion is done once, outside the timed loop: it is input plumbing,
// not verification.
type tpmInput struct {
	ev       tpm.Evidence
	quote    attest.Quote
	peerPCRs []attest.PCR
}

var tpmNonce = []byte("buildtrust-bench-nonce-0123456789")

// tpmPair: the real measured-boot log of an Ubuntu 24.04 AMD SEV-SNP guest
// on GCE (go-eventlog's testdata package, 116 events, imported, not
// copied), and a quote over the SHA-256 PCRs that log replays to, made by
// our software TPM (tpm/tpmtest: a real TPMS_ATTEST and TPMT_SIGNATURE,
// ECDSA P-256 AK). Both sides pin the same AK public key.
//
// Ours: tpm.Verify — quote (magic, type, nonce in constant time, PCR
// digest, signature), then log parse and replay against the quoted PCRs,
// and the default extraction (firmware, Secure Boot state, EFI
// applications; no bootloader). ours-noextract leaves the extraction out
// (Options.SkipExtraction), the same work as go-attestation, which
// extracts nothing; ours-grub adds the GRUB/kernel extraction.
//
// Peer: go-attestation's AKPublic.Verify (signature, type, nonce, PCR
// digest) followed by ParseEventLog and EventLog.Verify (replay).
//
// Floor: the quote's ECDSA P-256 signature (SHA-256 of TPMS_ATTEST and one
// verification), as tpm/bench_test.go measures it. The replay's hashing is
// not in the floor: it is proportional to the log, and a verifier may skip
// the log (ours and go-attestation both replay it here).
func tpmPair(tb testing.TB) pair[tpmInput] {
	tb.Helper()
	raw := testdata.Ubuntu2404AmdSevSnpEventLog
	sim, err := tpmtest.New(tpmtest.Options{Key: fixedKey(tb, "P256")})
	if err != nil {
		tb.Fatal(err)
	}
	q, err := sim.QuoteLog(tpmNonce, raw, crypto.SHA256)
	if err != nil {
		tb.Fatal(err)
	}
	input := func(attestBytes, eventLog []byte) tpmInput {
		in := tpmInput{
			ev:    tpm.Evidence{Attest: attestBytes, Signature: q.Signature, PCRs: q.PCRs, EventLog: eventLog},
			quote: attest.Quote{Quote: attestBytes, Signature: q.Signature},
		}
		for _, b := range q.PCRs {
			for _, i := range b.Indices() {
				in.peerPCRs = append(in.peerPCRs, attest.PCR{Index: i, Digest: b.PCRs[i], DigestAlg: b.Hash})
			}
		}
		return in
	}
	genuine := input(q.Attest, raw)

	akPub := sim.AK()
	opts := tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{akPub}}, QualifyingData: tpmNonce}
	withGRUB := opts
	withGRUB.Loader = tpm.GRUB
	noExtract := opts
	noExtract.SkipExtraction = true
	verifyWith := func(o tpm.Options) func(tpmInput) error {
		return func(in tpmInput) error {
			_, err := tpm.Verify(in.ev, o)
			return err
		}
	}
	peerAK := &attest.AKPublic{Public: akPub, Hash: crypto.SHA256}
	theirs := func(in tpmInput) error {
		if err := peerAK.Verify(in.quote, in.peerPCRs, tpmNonce); err != nil {
			return err
		}
		el, err := attest.ParseEventLog(in.ev.EventLog)
		if err != nil {
			return err
		}
		_, err = el.Verify(in.peerPCRs)
		return err
	}

	sig, err := tpm2.Unmarshal[tpm2.TPMTSignature](q.Signature)
	if err != nil {
		tb.Fatal(err)
	}
	es, err := sig.Signature.ECDSA()
	if err != nil {
		tb.Fatal(err)
	}
	der := derSignature(new(big.Int).SetBytes(es.SignatureR.Buffer), new(big.Int).SetBytes(es.SignatureS.Buffer))
	pub := akPub.(*ecdsa.PublicKey)
	floor := func() error {
		d := sha256.Sum256(q.Attest)
		if !ecdsa.VerifyASN1(pub, d[:], der) {
			return errors.New("floor: quote signature does not verify")
		}
		return nil
	}

	return pair[tpmInput]{
		peer:    "go-attestation",
		genuine: genuine,
		tampered: map[string]tpmInput{
			// The last byte of TPMS_ATTEST is in the quoted PCR digest.
			"quote byte (PCR digest)": input(flip(q.Attest, len(q.Attest)-1), raw),
			// One digest byte of a measured event: the log no longer
			// replays to the quoted PCRs.
			"event log digest byte": input(q.Attest, flipEventDigest(tb, raw)),
		},
		ours:   verifyWith(opts),
		theirs: theirs,
		floor:  floor,
		extra:  map[string]func(tpmInput) error{"ours-grub": verifyWith(withGRUB), "ours-noextract": verifyWith(noExtract)},
	}
}

// flipEventDigest flips one byte of the SHA-256 digest of the first event
// that extends PCR 4 (the boot manager and loader measurements).
func flipEventDigest(tb testing.TB, raw []byte) []byte {
	tb.Helper()
	log, err := tpm.ParseEventLog(raw)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range log.Events {
		if e.PCR != 4 || e.Type == tpm.EvNoAction {
			continue
		}
		d := e.Digest(crypto.SHA256)
		if i := bytes.Index(raw, d); i >= 0 {
			return flip(raw, i+len(d)/2)
		}
	}
	tb.Fatal("no PCR 4 event digest in the log")
	return nil
}

func BenchmarkTPM(b *testing.B) {
	b.Run("input=ubuntu2404-snp-log", func(b *testing.B) { tpmPair(b).bench(b) })
}
