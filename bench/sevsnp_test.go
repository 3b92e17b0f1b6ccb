package bench

import (
	"crypto/ecdsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/validate"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/testdata"
	"github.com/google/go-sev-guest/verify/trust"

	"github.com/buildtrust/buildtrust/tee/sevsnp"
	"github.com/buildtrust/buildtrust/tee/sevsnp/sevsnptest"
)

// goSevGuestTime is inside the validity of go-sev-guest's real Milan VCEK
// (2022-09-24 … 2029-09-24, EVIDENCE.md §4): pinned, so that the benchmark
// does not start failing in 2029.
var goSevGuestTime = time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)

// snpInput is one report with what both sides need to verify it.
type snpInput struct {
	report []byte // ATTESTATION_REPORT, ReportSize bytes
	vcek   []byte // DER VCEK
}

// snpPair compares our sevsnp.Verifier with go-sev-guest on one report and
// VCEK, under the same AMD roots and at the same pinned time.
//
// Ours (warm): a verifier that has seen this chip before, as a registry or
// build service verifying many reports from a fleet does: the verified
// VCEK chain is cached (DESIGN.md convention 10), so a report costs its
// parse, one P-384 signature and the policy checks. The variant ours-cold
// disables the cache (every call verifies ARK → ASK → VCEK again, through
// go-sev-guest).
//
// Peer: go-sev-guest as its README uses it: abi.ReportToProto,
// verify.SnpAttestation offline (DisableCertFetching, explicit
// TrustedRoots, pinned Now) and validate.SnpAttestation with the same
// expectations as ours (measurement, report data, VMPL 0, the guest policy
// ours accepts). go-sev-guest has no cache: every call verifies the whole
// chain (two RSA-4096 PSS signatures and the P-384 report signature).
//
// Floor: the report's ECDSA P-384 signature over bytes [0, 0x2A0) — the
// only per-report signature; the chain above the VCEK is the same for
// every report of a chip.
func snpPair(tb testing.TB, in snpInput, roots *sevsnp.Roots, peerRoots map[string][]*trust.AMDRootCerts, now time.Time, allowDebug bool) pair[snpInput] {
	tb.Helper()
	r, err := sevsnp.ParseReport(in.report)
	if err != nil {
		tb.Fatal(err)
	}
	rd := r.ReportData
	opts := sevsnp.Options{Roots: roots, Measurements: [][]byte{r.Measurement[:]}, InsecureAllowDebug: allowDebug}
	newOurs := func(cache int) func(snpInput) error {
		o := opts
		o.CacheSize = cache
		v, err := sevsnp.NewVerifier(o)
		if err != nil {
			tb.Fatal(err)
		}
		return func(in snpInput) error {
			_, err := v.VerifyEvidence(sevsnp.Evidence{Report: in.report, Certificate: in.vcek}, now, rd[:])
			return err
		}
	}
	ours := newOurs(0)
	if err := ours(in); err != nil { // warm the cache outside the timed loop
		tb.Fatal(err)
	}

	vmpl0 := 0
	vopts := &validate.Options{
		// The maximum accepted policy: what ours accepts by default (SMT
		// allowed, debug and migration agent refused), with debug allowed
		// exactly when ours is told InsecureAllowDebug.
		GuestPolicy: abi.SnpPolicy{SMT: true, Debug: allowDebug},
		Measurement: r.Measurement[:],
		ReportData:  rd[:],
		VMPL:        &vmpl0,
	}
	theirs := func(in snpInput) error {
		rep, err := abi.ReportToProto(in.report)
		if err != nil {
			return err
		}
		// Fresh values per call: SnpAttestation may fill in the
		// attestation and the options (P-SNP-7).
		att := &spb.Attestation{Report: rep, CertificateChain: &spb.CertificateChain{VcekCert: in.vcek}}
		if err := verify.SnpAttestation(att, &verify.Options{DisableCertFetching: true, Now: now, TrustedRoots: peerRoots}); err != nil {
			return err
		}
		return validate.SnpAttestation(att, vopts)
	}

	cert, err := x509.ParseCertificate(in.vcek)
	if err != nil {
		tb.Fatal(err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		tb.Fatalf("VCEK key is %T", cert.PublicKey)
	}
	sig := in.report[0x2A0:]
	der := derSignature(leBig(sig[:0x48]), leBig(sig[0x48:0x90]))
	floor := func() error {
		d := sha512.Sum384(in.report[:0x2A0])
		if !ecdsa.VerifyASN1(pub, d[:], der) {
			return errors.New("floor: report signature does not verify")
		}
		return nil
	}

	bad := in
	bad.report = flip(in.report, 0x90) // first byte of MEASUREMENT: signed, and checked
	return pair[snpInput]{
		peer:     "go-sev-guest",
		genuine:  in,
		tampered: map[string]snpInput{"report byte 0x90": bad},
		ours:     ours,
		theirs:   theirs,
		floor:    floor,
		extra:    map[string]func(snpInput) error{"ours-cold": newOurs(-1)},
	}
}

// leBig reads a little-endian integer (SEV-SNP signature components).
func leBig(le []byte) *big.Int {
	be := make([]byte, len(le))
	for i := range le {
		be[len(le)-1-i] = le[i]
	}
	return new(big.Int).SetBytes(be)
}

// snpRealPair: go-sev-guest's real Milan report (verify/testdata, imported
// as a package, not copied) and its VCEK, under AMD's roots as both
// libraries embed them. The guest policy allows debugging (0xb0000), so
// both sides are told to accept debug guests — ours through
// InsecureAllowDebug, which nothing outside a benchmark should set.
func snpRealPair(tb testing.TB) pair[snpInput] {
	tb.Helper()
	roots, err := sevsnp.EmbeddedRoots()
	if err != nil {
		tb.Fatal(err)
	}
	peer := trust.AMDRootCertsProduct(sevsnp.Milan)
	peer.ProductCerts = &trust.ProductCerts{}
	if err := peer.ProductCerts.FromKDSCertBytes(trust.AskArkMilanVcekBytes); err != nil {
		tb.Fatal(err)
	}
	in := snpInput{report: testdata.AttestationBytes[:sevsnp.ReportSize], vcek: testdata.VcekBytes}
	return snpPair(tb, in, roots, map[string][]*trust.AMDRootCerts{sevsnp.Milan: {peer}}, goSevGuestTime, true)
}

// snpTestChainPair: a version 3 Milan report of a well-behaved guest (debug
// off) from sevsnptest, signed under a test chain of AMD's shape (RSA-4096
// PSS ARK and ASK, P-384 VCEK), so that both sides run their default,
// strict policy.
func snpTestChainPair(tb testing.TB) pair[snpInput] {
	tb.Helper()
	s, err := sevsnptest.New(sevsnptest.Options{Product: "Milan-B0"})
	if err != nil {
		tb.Fatal(err)
	}
	r := s.Report()
	r.Measurement = [48]byte{0: 0xAA, 47: 0xAB}
	r.ReportData = [64]byte{0: 0x01, 63: 0x40}
	raw, err := s.Sign(r)
	if err != nil {
		tb.Fatal(err)
	}
	peer := trust.AMDRootCertsProduct(s.ProductLine())
	peer.ProductCerts = &trust.ProductCerts{}
	if err := peer.ProductCerts.FromKDSCertBytes(s.RootBundles()[0].PEM); err != nil {
		tb.Fatal(err)
	}
	now := sevsnptest.DefaultCreated.Add(30 * 24 * time.Hour)
	return snpPair(tb, snpInput{report: raw, vcek: s.VCEK()}, s.Roots(), map[string][]*trust.AMDRootCerts{s.ProductLine(): {peer}}, now, false)
}

func BenchmarkSEVSNP(b *testing.B) {
	b.Run("input=milan-real", func(b *testing.B) { snpRealPair(b).bench(b) })
	b.Run("input=milan-v3-testchain", func(b *testing.B) { snpTestChainPair(b).bench(b) })
}

// derSignature encodes an ECDSA signature in ASN.1 DER ahead of time, so
// that a floor times the verification alone (ecdsa.Verify would encode r
// and s on every call).
func derSignature(r, s *big.Int) []byte {
	der, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	if err != nil {
		panic(err)
	}
	return der
}
