package bench

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/pcs"
	tdxpb "github.com/google/go-tdx-guest/proto/tdx"
	gtesting "github.com/google/go-tdx-guest/testing"
	"github.com/google/go-tdx-guest/testing/testdata"
	"github.com/google/go-tdx-guest/validate"
	"github.com/google/go-tdx-guest/verify"
	"github.com/google/go-tdx-guest/verify/trust"

	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/tee/tdx/tdxtest"
)

// sprTime is go-tdx-guest's own pinned time for its real Sapphire Rapids
// quote (PCK chain valid 2022-09-20 … 2029-09-20, EVIDENCE.md §4).
var sprTime = time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)

// tdxInput is one quote, with its collateral when there is one: the
// bundle for ours, and the same bundle served at Intel's PCS URLs for
// go-tdx-guest, which only takes collateral through an HTTPS getter
// (P-TDX-7).
type tdxInput struct {
	quote      []byte
	collateral []byte            // tdx.CollateralBundle JSON; nil: none
	getter     trust.HTTPSGetter // the same collateral for go-tdx-guest
}

// tdxPair compares our tdx.Verifier with go-tdx-guest on one quote.
//
// Ours (warm): the verified PCK chain and, with collateral, the verified
// collateral bundle are cached, so a quote from a known platform costs its
// parse, the QE report and quote signatures, the binding of the
// attestation key and the policy checks (plus, with collateral, the TCB
// level and QE identity evaluation against the cached collateral).
// ours-cold disables the caches.
//
// Peer: abi.QuoteToProto, verify.TdxQuote with the same root pool and
// pinned time (fresh Options per call, P-TDX-2) — with collateral
// GetCollateral and CheckRevocations on, as ours always checks TCB info,
// QE identity and both CRLs when collateral is given — then
// validate.TdxQuote for MRTD and REPORT_DATA, and the DEBUG bit by hand
// (go-tdx-guest v0.3.1 has no debug check, P-TDX-3; ours rejects debug TDs
// by default). go-tdx-guest caches nothing.
//
// Floor: the two per-quote P-256 signatures — the QE report by the PCK and
// the quote by the attestation key. The PCK chain and the collateral are
// the same for every quote of a platform.
func tdxPair(tb testing.TB, in tdxInput, opts tdx.Options, pool *x509.CertPool, now time.Time, tampered map[string]tdxInput) pair[tdxInput] {
	tb.Helper()
	q, err := tdx.ParseQuote(in.quote)
	if err != nil {
		tb.Fatal(err)
	}
	rd := q.ReportData
	opts.MRTDs = [][]byte{q.MRTD[:]}
	newOurs := func(cache int) func(tdxInput) error {
		o := opts
		o.CacheSize = cache
		v, err := tdx.NewVerifier(o)
		if err != nil {
			tb.Fatal(err)
		}
		return func(in tdxInput) error {
			var err error
			if in.collateral != nil {
				_, err = v.VerifyQuoteCollateral(in.quote, in.collateral, now, rd[:])
			} else {
				_, err = v.VerifyQuote(in.quote, now, rd[:])
			}
			return err
		}
	}
	ours := newOurs(0)
	if err := ours(in); err != nil { // warm the caches outside the timed loop
		tb.Fatal(err)
	}

	vopts := &validate.Options{TdQuoteBodyOptions: validate.TdQuoteBodyOptions{MrTd: q.MRTD[:], ReportData: rd[:]}}
	theirs := func(in tdxInput) error {
		pq, err := abi.QuoteToProto(in.quote)
		if err != nil {
			return err
		}
		o := &verify.Options{TrustedRoots: pool, Now: now}
		if in.collateral != nil {
			o.GetCollateral, o.CheckRevocations, o.Getter = true, true, in.getter
		}
		if err := verify.TdxQuote(pq, o); err != nil {
			return err
		}
		if err := validate.TdxQuote(pq, vopts); err != nil {
			return err
		}
		q4, ok := pq.(*tdxpb.QuoteV4)
		if !ok {
			return errors.New("not a v4 quote")
		}
		if q4.GetTdQuoteBody().GetTdAttributes()[0]&1 != 0 { // TD_ATTRIBUTES.DEBUG
			return errors.New("debug TD")
		}
		return nil
	}

	blk, _ := pem.Decode(q.PCKChain)
	if blk == nil {
		tb.Fatal("no PCK certificate")
	}
	leaf, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	pck, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		tb.Fatalf("PCK key is %T", leaf.PublicKey)
	}
	ak, err := ecdsa.ParseUncompressedPublicKey(pck.Curve, append([]byte{4}, q.AttestationKey[:]...))
	if err != nil {
		tb.Fatal(err)
	}
	signed := q.Raw()[:tdx.SignedSize]
	qeSig := derSignature(new(big.Int).SetBytes(q.QEReportSig[:32]), new(big.Int).SetBytes(q.QEReportSig[32:]))
	qSig := derSignature(new(big.Int).SetBytes(q.Signature[:32]), new(big.Int).SetBytes(q.Signature[32:]))
	floor := func() error {
		d1 := sha256.Sum256(q.QEReport[:])
		d2 := sha256.Sum256(signed)
		if !ecdsa.VerifyASN1(pck, d1[:], qeSig) || !ecdsa.VerifyASN1(ak, d2[:], qSig) {
			return errors.New("floor: a quote signature does not verify")
		}
		return nil
	}

	bad := in
	bad.quote = flip(in.quote, mrtdOffset) // first byte of MRTD: signed, and checked
	if tampered == nil {
		tampered = map[string]tdxInput{}
	}
	tampered["quote byte (MRTD)"] = bad
	return pair[tdxInput]{
		peer:     "go-tdx-guest",
		genuine:  in,
		tampered: tampered,
		ours:     ours,
		theirs:   theirs,
		floor:    floor,
		extra:    map[string]func(tdxInput) error{"ours-cold": newOurs(-1)},
	}
}

// mrtdOffset is MRTD's offset in a v4 quote: the 48-byte header, then
// TEE_TCB_SVN (16), MRSEAM (48), MRSIGNERSEAM (48), SEAM, TD and XFAM
// attributes (8 each).
const mrtdOffset = 48 + 16 + 48 + 48 + 8 + 8 + 8

// tdxRealPair: go-tdx-guest's real Sapphire Rapids E4 production quote
// (testing/testdata, imported as a package) under the Intel SGX Root CA, at
// go-tdx-guest's pinned time, without collateral: its canned Intel
// collateral expired in 2023 and the platform is below every TCB level in
// it, so no verifier can pass it with collateral (P-TDX-13). Ours is told
// so with InsecureSkipCollateral.
func tdxRealPair(tb testing.TB) pair[tdxInput] {
	tb.Helper()
	roots, err := tdx.IntelRoots()
	if err != nil {
		tb.Fatal(err)
	}
	return tdxPair(tb, tdxInput{quote: testdata.RawQuote}, tdx.Options{Roots: roots, InsecureSkipCollateral: true}, roots.Pool(), sprTime, nil)
}

// tdxCollateralPair: a tdxtest quote (Intel's PCK profile under a test
// root) with the matching full collateral — TCB info, QE identity, PCK and
// root CRLs, signed the way Intel PCS signs them — checked by both sides.
func tdxCollateralPair(tb testing.TB) pair[tdxInput] {
	tb.Helper()
	s, err := tdxtest.New(tdxtest.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tq := s.Quote()
	tq.MRTD = [48]byte{0: 0x63, 47: 0x64}
	tq.ReportData = [64]byte{0: 0x01, 63: 0x40}
	raw, err := s.Sign(tq)
	if err != nil {
		tb.Fatal(err)
	}
	input := func(c tdxtest.Collateral) tdxInput {
		b, err := s.CollateralBundle(c)
		if err != nil {
			tb.Fatal(err)
		}
		col, err := b.Marshal()
		if err != nil {
			tb.Fatal(err)
		}
		return tdxInput{quote: raw, collateral: col, getter: pcsGetter(s, b)}
	}
	now := tdxtest.DefaultTime.Add(24 * time.Hour)
	// The collateral's TCB info signature one bit off: a different bundle,
	// so the warm cache of ours must not save it.
	tampered := map[string]tdxInput{"TCB info signature bit": input(tdxtest.Collateral{TamperTCBInfo: true})}
	return tdxPair(tb, input(tdxtest.Collateral{}), tdx.Options{Roots: s.Roots()}, s.RootPool(), now, tampered)
}

// pcsGetter serves a collateral bundle to go-tdx-guest at the exact Intel
// PCS URLs it requests, with the issuer-chain headers PCS sends
// (EVIDENCE.md §3.2.1): nothing goes to the network.
func pcsGetter(s *tdxtest.Signer, b tdx.CollateralBundle) trust.HTTPSGetter {
	pemOf := func(c *x509.Certificate) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	return &gtesting.Getter{Responses: map[string]gtesting.HTTPResponse{
		pcs.TcbInfoURL("50806f000000"):  {Header: map[string][]string{"Tcb-Info-Issuer-Chain": {b.TCBInfoIssuerChain}}, Body: []byte(b.TCBInfo)},
		pcs.QeIdentityURL():             {Header: map[string][]string{"Sgx-Enclave-Identity-Issuer-Chain": {b.QEIdentityIssuerChain}}, Body: []byte(b.QEIdentity)},
		pcs.PckCrlURL("platform"):       {Header: map[string][]string{"Sgx-Pck-Crl-Issuer-Chain": {url.QueryEscape(pemOf(s.CA) + pemOf(s.Root))}}, Body: b.PCKCRL},
		s.Root.CRLDistributionPoints[0]: {Body: b.RootCRL},
	}}
}

func BenchmarkTDX(b *testing.B) {
	b.Run("input=spr-real-nocollateral", func(b *testing.B) { tdxRealPair(b).bench(b) })
	b.Run("input=testchain-collateral", func(b *testing.B) { tdxCollateralPair(b).bench(b) })
}
