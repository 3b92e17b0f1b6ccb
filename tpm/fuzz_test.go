package tpm_test

import (
	"crypto"
	"testing"

	"github.com/google/go-eventlog/testdata"

	"github.com/buildtrust/buildtrust/tpm"
)

// FuzzParseQuote: TPMS_ATTEST + TPMT_SIGNATURE parsing and the whole
// verification never panic; anything accepted re-verifies. Seeds: quotes of
// the software TPM in testdata/fuzz/FuzzParseQuote.
func FuzzParseQuote(f *testing.F) {
	// The differential check against go-tpm is FuzzParseQuoteGoTPM.
	sim := bootTPM(f, tpmOptionsFixed())
	ev, _ := sim.Evidence(nonce, sha256Boot)
	f.Add(ev.Attest, ev.Signature)
	opts := pinned(sim)
	f.Fuzz(func(t *testing.T, attest, sig []byte) {
		q, err := tpm.ParseQuote(attest, sig)
		if err != nil {
			return
		}
		_ = q.Attest()
		fev := ev
		fev.Attest, fev.Signature = attest, sig
		if _, err := tpm.VerifyQuote(fev, opts); err == nil && string(attest) != string(ev.Attest) {
			// A different TPMS_ATTEST can only verify if it carries a new
			// valid signature, which the fuzzer cannot make.
			t.Fatalf("forged attest accepted")
		}
	})
}

// FuzzParseAKPublic: TPMT_PUBLIC / PKIX parsing never panics.
func FuzzParseAKPublic(f *testing.F) {
	sim := bootTPM(f, tpmOptionsFixed())
	f.Add(sim.AKPublic())
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = tpm.ParseAKPublic(data)
	})
}

// FuzzParseEventLog: event-log parsing, replay, and verification with
// extraction through go-eventlog never panic or crash (a P-LOG-1 regression
// kills the fuzzer, which reports it). Every log that parses is replayed
// into a fake verified quote of its own values and extracted with GRUB on.
func FuzzParseEventLog(f *testing.F) {
	sim := bootTPM(f, tpmOptionsFixed())
	f.Add(sim.EventLog())
	// Prefixes of real logs (whole logs make the fuzzer spend its time
	// minimizing 20-40 KiB inputs; the unit tests run them whole).
	f.Add(testdata.Cos85AmdSevEventLog[:1200])
	f.Add(testdata.Debian10EventLog[:1200])
	f.Fuzz(func(t *testing.T, raw []byte) {
		log, err := tpm.ParseEventLog(raw)
		if err != nil {
			return
		}
		verifyAgainstOwnReplay(t, log, false)
	})
}

// FuzzParseCCEL: the same for CCELs and RTMR replay.
func FuzzParseCCEL(f *testing.F) {
	sim := bootTPM(f, tpmOptionsFixed())
	f.Add(sim.EventLog())
	f.Fuzz(func(t *testing.T, raw []byte) {
		log, err := tpm.ParseCCEL(raw)
		if err != nil {
			return
		}
		verifyAgainstOwnReplay(t, log, true)
	})
}

// FuzzParseReferenceValues: strict JSON decoding and validation never
// panic.
func FuzzParseReferenceValues(f *testing.F) {
	f.Add([]byte(`{"type":"https://buildtrust.dev/tpm/reference-values/v1","components":[{"name":"kernel","values":["x"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rv, err := tpm.ParseReferenceValues(data)
		if err != nil {
			return
		}
		_, _ = rv.Check(nil, nil)
	})
}

func verifyAgainstOwnReplay(t *testing.T, log *tpm.EventLog, ccel bool) {
	for _, h := range log.Algs {
		bank, err := log.Replay(h)
		if err != nil || len(bank.PCRs) == 0 {
			continue
		}
		if ccel {
			if h != crypto.SHA384 {
				continue
			}
			var r tpm.RTMRs
			for i := range r {
				r[i] = bank.PCRs[i+1]
				if r[i] == nil {
					r[i] = make([]byte, 48)
				}
			}
			if _, err := log.VerifyCCEL(r, tpm.GRUB); err != nil {
				t.Fatalf("CCEL does not verify against its own replay: %v", err)
			}
			continue
		}
		// A quote is faked here on purpose: the target is the log path.
		vq := &tpm.VerifiedQuote{Banks: []tpm.PCRBank{bank}}
		if _, err := log.Verify(vq, tpm.Options{Loader: tpm.GRUB, InsecureAllowSHA1: true}); err != nil {
			t.Fatalf("log does not verify against its own replay: %v", err)
		}
	}
}
