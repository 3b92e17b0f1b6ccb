package tpm_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/google/go-tpm/tpm2"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/tpm"
	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

var nonce = []byte("0123456789abcdef0123456789abcdef")

// bootTPM makes a software TPM that measured a small boot: firmware,
// separators, a bootloader and a kernel command line.
func bootTPM(t testing.TB, opts tpmtest.Options) *tpmtest.TPM {
	t.Helper()
	sim, err := tpmtest.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	sim.Measure(0, uint32(tpm.EvSCRTMVersion), []byte("buildtrust firmware 1.0\x00"))
	sim.Measure(0, uint32(tpm.EvEFIPlatformFirmwareBlob), []byte("firmware volume"))
	for pcr := 0; pcr <= 7; pcr++ {
		sim.Measure(pcr, uint32(tpm.EvSeparator), []byte{0, 0, 0, 0})
	}
	sim.Measure(8, 0x0D, []byte("kernel_cmdline: /vmlinuz root=/dev/vda1 ro\x00"))
	sim.Measure(9, 0x0D, []byte("/boot/vmlinuz-6.1"))
	return sim
}

var sha256Boot = tpmtest.Selection{Hash: crypto.SHA256, PCRs: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}

func pinned(sim *tpmtest.TPM) tpm.Options {
	return tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{sim.AK()}}, QualifyingData: nonce}
}

// TestVerifyQuoteSchemes: RSASSA, RSAPSS, ECDSA P-256/P-384 quotes with
// SHA-256/384 verify; multiple banks at once (BENV-L2-3).
func TestVerifyQuoteSchemes(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	tests := []struct {
		name string
		opts tpmtest.Options
		sel  []tpmtest.Selection
	}{
		{"ecdsa-p256-sha256", tpmtest.Options{}, []tpmtest.Selection{sha256Boot}},
		{"ecdsa-p384-sha384", tpmtest.Options{Key: p384}, []tpmtest.Selection{{Hash: crypto.SHA384, PCRs: []int{0, 7}}}},
		{"rsassa-sha256", tpmtest.Options{Key: rsaKey}, []tpmtest.Selection{sha256Boot}},
		{"rsapss-sha384", tpmtest.Options{Key: rsaKey, RSAPSS: true, Hash: crypto.SHA384}, []tpmtest.Selection{sha256Boot}},
		{"two-banks", tpmtest.Options{}, []tpmtest.Selection{sha256Boot, {Hash: crypto.SHA384, PCRs: []int{0, 4, 7}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := bootTPM(t, tt.opts)
			ev, err := sim.Evidence(nonce, tt.sel...)
			if err != nil {
				t.Fatal(err)
			}
			vq, err := tpm.VerifyQuote(ev, pinned(sim))
			if err != nil {
				t.Fatalf("VerifyQuote: %v", err)
			}
			if len(vq.Banks) != len(tt.sel) {
				t.Fatalf("banks = %d, want %d", len(vq.Banks), len(tt.sel))
			}
			for _, s := range tt.sel {
				b, ok := vq.Bank(s.Hash)
				if !ok || !slices.Equal(b.Indices(), s.PCRs) {
					t.Errorf("bank %v = %v", s.Hash, b.Indices())
				}
			}
			for _, c := range vq.Checks {
				if c.Outcome != buildtrust.Pass {
					t.Errorf("check %s = %s", c.ID, c.Outcome)
				}
			}
			if len(vq.Checks) != 7 {
				t.Errorf("%d checks, want 7", len(vq.Checks))
			}
		})
	}
}

// TestVerifyQuoteAttacks: every attack on a quote is rejected with a typed
// error naming the check and threat E9 (THREAT-E9, BENV-L2-6, P-TPM-1).
func TestVerifyQuoteAttacks(t *testing.T) {
	sim := bootTPM(t, tpmtest.Options{})
	other := bootTPM(t, tpmtest.Options{})
	good, err := sim.Evidence(nonce, sha256Boot)
	if err != nil {
		t.Fatal(err)
	}
	mutated := func(f func(*tpm2.TPMSAttest)) tpm.Evidence {
		q, err := sim.QuoteWith(nonce, f, sha256Boot)
		if err != nil {
			t.Fatal(err)
		}
		ev := good
		ev.Attest, ev.Signature, ev.PCRs = q.Attest, q.Signature, q.PCRs
		return ev
	}
	tests := []struct {
		name    string
		ev      func() tpm.Evidence
		opts    func(tpm.Options) tpm.Options
		check   string
		wantErr error
		threat  threat.ID
	}{
		{"replayed quote (wrong nonce)", func() tpm.Evidence { return good },
			func(o tpm.Options) tpm.Options {
				o.QualifyingData = []byte("a fresh nonce, not the old one..")
				return o
			},
			tpm.CheckQuoteNonce, tpm.ErrQualifyingData, threat.E9},
		{"PCR value edited", func() tpm.Evidence {
			ev := good
			ev.PCRs = []tpm.PCRBank{good.PCRs[0].Clone()}
			ev.PCRs[0].PCRs[4][0] ^= 1
			return ev
		}, nil, tpm.CheckQuotePCRDigest, tpm.ErrPCRDigest, threat.E9},
		{"PCR value missing", func() tpm.Evidence {
			ev := good
			ev.PCRs = []tpm.PCRBank{good.PCRs[0].Clone()}
			delete(ev.PCRs[0].PCRs, 7)
			return ev
		}, nil, tpm.CheckQuotePCRDigest, tpm.ErrPCRDigest, threat.E9},
		{"wrong AK", func() tpm.Evidence {
			ev, _ := other.Evidence(nonce, sha256Boot)
			ev.AKPublic = nil
			return ev
		}, nil, tpm.CheckQuoteSignature, tpm.ErrSignature, threat.E9},
		{"bad magic", func() tpm.Evidence {
			return mutated(func(a *tpm2.TPMSAttest) { a.Magic = 0xff544348 })
		}, nil, tpm.CheckQuoteMagic, tpm.ErrMagic, threat.E9},
		{"wrong attestation type", func() tpm.Evidence {
			return mutated(func(a *tpm2.TPMSAttest) {
				a.Type = tpm2.TPMSTAttestCertify
				a.Attested = tpm2.NewTPMUAttest(tpm2.TPMSTAttestCertify, &tpm2.TPMSCertifyInfo{
					Name: tpm2.TPM2BName{Buffer: []byte{0, 4, 1, 2}}, QualifiedName: tpm2.TPM2BName{Buffer: []byte{0, 4, 3, 4}}})
			})
		}, nil, tpm.CheckQuoteType, tpm.ErrAttestType, threat.E9},
		{"signature bit flipped", func() tpm.Evidence {
			ev := good
			ev.Attest = slices.Clone(good.Attest)
			ev.Attest[len(ev.Attest)-1] ^= 1
			return ev
		}, nil, tpm.CheckQuoteSignature, tpm.ErrSignature, threat.E9},
		{"SHA-1 bank without opt-in", func() tpm.Evidence {
			ev, _ := sim.Evidence(nonce, sha256Boot, tpmtest.Selection{Hash: crypto.SHA1, PCRs: []int{0}})
			return ev
		}, nil, tpm.CheckQuotePCRSelection, tpm.ErrWeakHash, threat.V2},
		{"required PCR not quoted", func() tpm.Evidence {
			ev, _ := sim.Evidence(nonce, tpmtest.Selection{Hash: crypto.SHA256, PCRs: []int{0, 7}})
			return ev
		}, func(o tpm.Options) tpm.Options { o.RequiredPCRs = []int{0, 4, 7}; return o },
			tpm.CheckQuotePCRSelection, tpm.ErrPCRSelection, threat.E9},
		{"trailing byte after TPMS_ATTEST", func() tpm.Evidence {
			ev := good
			ev.Attest = append(slices.Clone(good.Attest), 0)
			return ev
		}, nil, tpm.CheckQuoteParse, tpm.ErrMalformed, threat.E9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := pinned(sim)
			if tt.opts != nil {
				opts = tt.opts(opts)
			}
			_, err := tpm.VerifyQuote(tt.ev(), opts)
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, tt.threat) {
				t.Fatalf("err = %v, want %v and %v", err, tt.wantErr, tt.threat)
			}
			var ce *buildtrust.CheckError
			if !errors.As(err, &ce) || ce.Check != tt.check {
				t.Fatalf("check = %v, want %s", ce, tt.check)
			}
		})
	}
}

// TestVerifyQuoteSHA1OptIn: SHA-1 banks and signatures pass only with
// InsecureAllowSHA1 (P-TPM-4).
func TestVerifyQuoteSHA1OptIn(t *testing.T) {
	sim := bootTPM(t, tpmtest.Options{Hash: crypto.SHA1})
	ev, err := sim.Evidence(nonce, tpmtest.Selection{Hash: crypto.SHA1, PCRs: []int{0, 7}})
	if err != nil {
		t.Fatal(err)
	}
	opts := pinned(sim)
	if _, err := tpm.VerifyQuote(ev, opts); !errors.Is(err, tpm.ErrWeakHash) || !errors.Is(err, threat.V2) {
		t.Fatalf("SHA-1 signature without opt-in: %v", err)
	}
	opts.InsecureAllowSHA1 = true
	if _, err := tpm.VerifyQuote(ev, opts); err != nil {
		t.Fatalf("with InsecureAllowSHA1: %v", err)
	}
}

// TestVerifyQuoteOptions: missing trust inputs fail closed with sentinels.
func TestVerifyQuoteOptions(t *testing.T) {
	sim := bootTPM(t, tpmtest.Options{})
	ev, _ := sim.Evidence(nonce, sha256Boot)
	ca, err := tpmtest.NewCA("root", time.Unix(0, 0), time.Unix(0, 0).AddDate(100, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate)
	tests := []struct {
		name string
		opts tpm.Options
		want error
	}{
		{"zero options", tpm.Options{QualifyingData: nonce}, tpm.ErrNoTrustRoots},
		{"no qualifying data", tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{sim.AK()}}}, tpm.ErrNoQualifyingData},
		{"two trust modes", tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{sim.AK()}, Roots: roots}, QualifyingData: nonce}, tpm.ErrOptions},
		{"roots without time", tpm.Options{AK: tpm.AKTrust{Roots: roots}, QualifyingData: nonce}, tpm.ErrNoTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tpm.VerifyQuote(ev, tt.opts); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// A pinned AK whose point is off the curve verifies nothing: the signature
// check refuses the key itself.
func TestPinnedAKOffCurve(t *testing.T) {
	sim := bootTPM(t, tpmtest.Options{})
	ev, _ := sim.Evidence(nonce, sha256Boot)
	ak, ok := sim.AK().(*ecdsa.PublicKey)
	if !ok {
		t.Fatalf("simulator AK is %T", sim.AK())
	}
	bad := &ecdsa.PublicKey{Curve: ak.Curve, X: ak.X, Y: new(big.Int).Add(ak.Y, big.NewInt(1))}
	if _, err := tpm.VerifyQuote(ev, tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{ak}}, QualifyingData: nonce}); err != nil {
		t.Fatalf("genuine AK: %v", err)
	}
	if _, err := tpm.VerifyQuote(ev, tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{bad}}, QualifyingData: nonce}); !errors.Is(err, tpm.ErrSignature) {
		t.Fatalf("off-curve AK: err = %v, want %v", err, tpm.ErrSignature)
	}
}

// TestAKCertificate: an AK certified by a trusted root verifies at an
// explicit time inside the validity window, and is refused outside it or
// under another root.
func TestAKCertificate(t *testing.T) {
	sim := bootTPM(t, tpmtest.Options{})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ca, err := tpmtest.NewCA("AK root", t0, t0.AddDate(10, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	otherCA, _ := tpmtest.NewCA("other root", t0, t0.AddDate(10, 0, 0))
	der, err := ca.IssueAK(sim.AK(), t0, t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := sim.Evidence(nonce, sha256Boot)
	ev.AKCertificates = [][]byte{der}
	pool := func(c *tpmtest.CA) *x509.CertPool { p := x509.NewCertPool(); p.AddCert(c.Certificate); return p }

	opts := tpm.Options{AK: tpm.AKTrust{Roots: pool(ca)}, Time: t0.AddDate(0, 6, 0), QualifyingData: nonce}
	vq, err := tpm.VerifyQuote(ev, opts)
	if err != nil {
		t.Fatalf("valid chain: %v", err)
	}
	if vq.AKCertificate == nil || vq.Checks[0].Actual != "certificate chain" {
		t.Errorf("AK certificate not reported: %+v", vq.Checks[0])
	}

	for name, o := range map[string]tpm.Options{
		"expired":    {AK: tpm.AKTrust{Roots: pool(ca)}, Time: t0.AddDate(2, 0, 0), QualifyingData: nonce},
		"other root": {AK: tpm.AKTrust{Roots: pool(otherCA)}, Time: t0.AddDate(0, 6, 0), QualifyingData: nonce},
	} {
		if _, err := tpm.VerifyQuote(ev, o); !errors.Is(err, tpm.ErrUntrustedAK) || !errors.Is(err, threat.E9) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// A certified key that did not sign the quote.
	other := bootTPM(t, tpmtest.Options{})
	der2, _ := ca.IssueAK(other.AK(), t0, t0.AddDate(1, 0, 0))
	ev2 := ev
	ev2.AKPublic, ev2.AKCertificates = nil, [][]byte{der2}
	if _, err := tpm.VerifyQuote(ev2, opts); !errors.Is(err, tpm.ErrSignature) {
		t.Errorf("certificate for another AK: err = %v", err)
	}
}

type akFunc func(crypto.PublicKey, []byte) error

func (f akFunc) VerifyAK(k crypto.PublicKey, raw []byte) error { return f(k, raw) }

var errNotBound = errors.New("AK not bound by the TEE report")

// TestAKVerifierHook: the hook for TEE-bound AKs (vTPM in a CVM) accepts or
// refuses the AK; its own error stays visible through errors.Is.
func TestAKVerifierHook(t *testing.T) {
	sim := bootTPM(t, tpmtest.Options{})
	ev, _ := sim.Evidence(nonce, sha256Boot)
	accept := akFunc(func(k crypto.PublicKey, _ []byte) error {
		if e, ok := k.(*ecdsa.PublicKey); ok && e.Equal(sim.AK()) {
			return nil
		}
		return errNotBound
	})
	opts := tpm.Options{AK: tpm.AKTrust{Verifier: accept}, QualifyingData: nonce}
	if _, err := tpm.VerifyQuote(ev, opts); err != nil {
		t.Fatalf("bound AK: %v", err)
	}
	other := bootTPM(t, tpmtest.Options{})
	ev2, _ := other.Evidence(nonce, sha256Boot)
	_, err := tpm.VerifyQuote(ev2, opts)
	if !errors.Is(err, tpm.ErrUntrustedAK) || !errors.Is(err, errNotBound) || !errors.Is(err, threat.E9) {
		t.Fatalf("unbound AK: err = %v", err)
	}
	ev.AKPublic = nil
	if _, err := tpm.VerifyQuote(ev, opts); !errors.Is(err, tpm.ErrUntrustedAK) {
		t.Fatalf("no AKPublic: err = %v", err)
	}
}

// TestParseAKPublic: TPMT_PUBLIC and PKIX forms give the same key; weak
// keys are refused.
func TestParseAKPublic(t *testing.T) {
	sim := bootTPM(t, tpmtest.Options{})
	k1, err := tpm.ParseAKPublic(sim.AKPublic())
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(sim.AK())
	k2, err := tpm.ParseAKPublic(der)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.(*ecdsa.PublicKey).Equal(k2) {
		t.Error("TPMT_PUBLIC and PKIX keys differ")
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	der, _ = x509.MarshalPKIXPublicKey(&small.PublicKey)
	if _, err := tpm.ParseAKPublic(der); !errors.Is(err, tpm.ErrMalformed) {
		t.Errorf("RSA-1024: %v", err)
	}
	if _, err := tpm.ParseAKPublic([]byte("junk")); !errors.Is(err, tpm.ErrMalformed) {
		t.Errorf("junk: %v", err)
	}
}
