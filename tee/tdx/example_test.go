package tdx_test

import (
	"crypto/sha256"
	"fmt"

	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/tee/tdx/tdxtest"
)

// A verifier that trusts a test chain checks a quote bound to an
// environment identity key. In production, Roots is tdx.IntelRoots() and
// the MRTDs come from the image producer's reference values.
func ExampleVerifier_VerifyQuote() {
	signer, err := tdxtest.New(tdxtest.Options{})
	if err != nil {
		panic(err)
	}
	identity := sha256.Sum256([]byte("identity key SPKI"))
	binding, _ := tee.Bind(tee.PurposeLaunch, identity[:])
	q := signer.Quote()
	q.MRTD = [48]byte{0: 0x42}
	q.ReportData = binding
	quote, err := signer.Sign(q)
	if err != nil {
		panic(err)
	}

	v, err := tdx.NewVerifier(tdx.Options{
		Roots: signer.Roots(),
		MRTDs: [][]byte{q.MRTD[:]},
		// No collateral: no TCB status, no revocation (see doc and
		// the collateral example).
		InsecureSkipCollateral: true,
	})
	if err != nil {
		panic(err)
	}
	claims, err := v.VerifyQuote(quote, tdxtest.DefaultTime, binding[:])
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.Platform, claims.Product, claims.SigningKey, "debug:", claims.Debug)
	for _, c := range claims.Checks[:6] {
		fmt.Println(c.ID, c.Outcome)
	}
	// Output:
	// tdx 50806f000000 PCK debug: false
	// tee.tdx.parse PASS
	// tee.tdx.chain PASS
	// tee.tdx.qeReport PASS
	// tee.tdx.qeBinding PASS
	// tee.tdx.signature PASS
	// tee.tdx.collateral NOT_APPLICABLE
}

// With a collateral bundle (TCB info, QE identity, PCK and root CRLs; from
// Intel PCS in production, from tdxtest here) the quote passes without
// InsecureSkipCollateral and the claims carry Intel's TCB status.
func ExampleVerifier_VerifyQuoteCollateral() {
	signer, err := tdxtest.New(tdxtest.Options{})
	if err != nil {
		panic(err)
	}
	binding, _ := tee.Bind(tee.PurposeLaunch, []byte("identity key digest"))
	q := signer.Quote()
	q.ReportData = binding
	quote, err := signer.Sign(q)
	if err != nil {
		panic(err)
	}
	collateral, err := signer.Collateral(tdxtest.Collateral{})
	if err != nil {
		panic(err)
	}
	v, err := tdx.NewVerifier(tdx.Options{Roots: signer.Roots(), MRTDs: [][]byte{q.MRTD[:]}})
	if err != nil {
		panic(err)
	}
	claims, err := v.VerifyQuoteCollateral(quote, collateral, tdxtest.DefaultTime, binding[:])
	if err != nil {
		panic(err)
	}
	fmt.Println("TCB status:", claims.TCB.Status)
	for _, c := range claims.Checks[5:11] {
		fmt.Println(c.ID, c.Outcome)
	}
	// Output:
	// TCB status: UpToDate
	// tee.tdx.collateral PASS
	// tee.tdx.collateral.tcbInfo PASS
	// tee.tdx.collateral.qeIdentity PASS
	// tee.tdx.collateral.crl PASS
	// tee.tdx.collateral.tdxModule PASS
	// tee.tdx.tcb PASS
}

// The pinned Intel SGX Root CA.
func ExampleIntelRoots() {
	roots, err := tdx.IntelRoots()
	if err != nil {
		panic(err)
	}
	fmt.Println(roots.Certificates()[0].Subject.CommonName)
	// Output: Intel SGX Root CA
}
