//go:build simulator

package tpm_test

import (
	"crypto"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
	"github.com/google/go-tpm/tpm2/transport/simulator"

	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/tpm"
	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

// openSimulator starts the Microsoft reference TPM (go-tpm's simulator
// transport, cgo + libcrypto), skipping when cgo is off (P-TPM-3).
func openSimulator(t *testing.T) transport.TPMCloser {
	sim, err := simulator.OpenSimulator()
	if err != nil {
		if strings.Contains(err.Error(), "requires building with CGO") {
			t.Skip("simulator needs cgo:", err)
		}
		t.Fatalf("OpenSimulator: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// akTemplate is a restricted ECDSA P-256 signing key, the usual AK shape.
var akTemplate = tpm2.TPMTPublic{
	Type: tpm2.TPMAlgECC, NameAlg: tpm2.TPMAlgSHA256,
	ObjectAttributes: tpm2.TPMAObject{FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true,
		UserWithAuth: true, NoDA: true, Restricted: true, SignEncrypt: true},
	Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgECC, &tpm2.TPMSECCParms{
		Scheme: tpm2.TPMTECCScheme{Scheme: tpm2.TPMAlgECDSA,
			Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgECDSA, &tpm2.TPMSSigSchemeECDSA{HashAlg: tpm2.TPMAlgSHA256})},
		CurveID: tpm2.TPMECCNistP256,
	}),
}

// TestSimulatorQuote proves the verifier accepts quotes from a real TPM
// implementation (BENV-L2-3, BENV-L2-8): the reference TPM extends PCRs from
// an event log, quotes them with a fresh nonce under a restricted AK, and
// tpm.Verify accepts quote and log; a replayed nonce and a log with an
// inserted event are rejected.
func TestSimulatorQuote(t *testing.T) {
	thetpm := openSimulator(t)
	primary, err := tpm2.CreatePrimary{
		PrimaryHandle: tpm2.TPMRHEndorsement,
		InPublic:      tpm2.New2B(akTemplate),
	}.Execute(thetpm)
	if err != nil {
		t.Fatalf("CreatePrimary: %v", err)
	}
	t.Cleanup(func() { _, _ = tpm2.FlushContext{FlushHandle: primary.ObjectHandle}.Execute(thetpm) })

	// Measure a small boot into PCR 16 and 23 (resettable, owned by us on a
	// fresh simulator) and write the matching event log.
	log, err := tpmtest.NewLog(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	measure := func(pcr int, typ uint32, data []byte) {
		log.Append(pcr, typ, data)
		d := sha256.Sum256(data)
		_, err := tpm2.PCRExtend{
			PCRHandle: tpm2.AuthHandle{Handle: tpm2.TPMHandle(pcr), Auth: tpm2.PasswordAuth(nil)},
			Digests:   tpm2.TPMLDigestValues{Digests: []tpm2.TPMTHA{{HashAlg: tpm2.TPMAlgSHA256, Digest: d[:]}}},
		}.Execute(thetpm)
		if err != nil {
			t.Fatalf("PCRExtend: %v", err)
		}
	}
	measure(16, 0x0D, []byte("grub_cmd: linux /vmlinuz"))
	measure(16, 0x0D, []byte("kernel_cmdline: /vmlinuz ro"))
	measure(23, uint32(tpm.EvSeparator), []byte{0, 0, 0, 0})

	sel := tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{
		{Hash: tpm2.TPMAlgSHA256, PCRSelect: tpm2.PCClientCompatible.PCRs(0, 16, 23)},
	}}
	q, err := tpm2.Quote{
		SignHandle:     tpm2.AuthHandle{Handle: primary.ObjectHandle, Name: primary.Name, Auth: tpm2.PasswordAuth(nil)},
		QualifyingData: tpm2.TPM2BData{Buffer: nonce},
		InScheme:       tpm2.TPMTSigScheme{Scheme: tpm2.TPMAlgNull},
		PCRSelect:      sel,
	}.Execute(thetpm)
	if err != nil {
		t.Fatalf("Quote: %v", err)
	}
	read, err := tpm2.PCRRead{PCRSelectionIn: sel}.Execute(thetpm)
	if err != nil {
		t.Fatalf("PCRRead: %v", err)
	}
	bank := tpm.PCRBank{Hash: crypto.SHA256, PCRs: map[int][]byte{}}
	for i, idx := range []int{0, 16, 23} {
		bank.PCRs[idx] = read.PCRValues.Digests[i].Buffer
	}
	ev := tpm.Evidence{
		Attest:    q.Quoted.Bytes(),
		Signature: tpm2.Marshal(q.Signature),
		PCRs:      []tpm.PCRBank{bank},
		AKPublic:  primary.OutPublic.Bytes(),
		EventLog:  log.Bytes(),
	}
	ak, err := tpm.ParseAKPublic(ev.AKPublic)
	if err != nil {
		t.Fatalf("ParseAKPublic(simulator AK): %v", err)
	}
	opts := tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{ak}}, QualifyingData: nonce}
	res, err := tpm.Verify(ev, opts)
	if err != nil {
		t.Fatalf("Verify(simulator quote): %v", err)
	}
	if got := len(res.Boot.Events); got != 3 {
		t.Errorf("verified events = %d, want 3", got)
	}

	replayed := opts
	replayed.QualifyingData = []byte("another verifier's nonce........")
	if _, err := tpm.Verify(ev, replayed); !errors.Is(err, tpm.ErrQualifyingData) || !errors.Is(err, threat.E9) {
		t.Errorf("replayed quote: err = %v", err)
	}
	log.Append(16, 0x0D, []byte("grub_cmd: insmod evil"))
	ev.EventLog = log.Bytes()
	var re *tpm.ReplayError
	if _, err := tpm.Verify(ev, opts); !errors.As(err, &re) || len(re.PCRs()) != 1 || re.PCRs()[0] != 16 {
		t.Errorf("inserted event: err = %v", err)
	}
}
