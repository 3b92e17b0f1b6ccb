package tpm_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"os"
	"testing"

	"github.com/google/go-eventlog/testdata"
	"github.com/google/go-tpm/tpm2"

	"github.com/buildtrust/buildtrust/tpm"
	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

// Benchmarks with their floors (DESIGN.md convention 10): a quote verify
// against the raw ECDSA P-256 signature check it cannot avoid (target ≤
// 1.3×), and the replay of the largest real log against hashing its event
// data alone (target ≤ 2×). TestBenchmarkRatios prints both ratios when
// BUILDTRUST_BENCH_RATIOS=1.

func benchEvidence(b testing.TB) (tpm.Evidence, tpm.Options) {
	sim := bootTPM(b, tpmOptionsFixed())
	ev, err := sim.Evidence(nonce, sha256Boot)
	if err != nil {
		b.Fatal(err)
	}
	ev.EventLog = nil
	return ev, pinned(sim)
}

func BenchmarkVerifyQuote(b *testing.B) {
	ev, opts := benchEvidence(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpm.VerifyQuote(ev, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuoteRawSignature is the floor: SHA-256 over TPMS_ATTEST and one
// ECDSA P-256 verification, with the signature already decoded to DER.
func BenchmarkQuoteRawSignature(b *testing.B) {
	ev, opts := benchEvidence(b)
	sig, err := tpm2.Unmarshal[tpm2.TPMTSignature](ev.Signature)
	if err != nil {
		b.Fatal(err)
	}
	es, _ := sig.Signature.ECDSA()
	der, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(es.SignatureR.Buffer), new(big.Int).SetBytes(es.SignatureS.Buffer)})
	pub := opts.AK.Keys[0].(*ecdsa.PublicKey)
	b.ResetTimer()
	for b.Loop() {
		d := sha256.Sum256(ev.Attest)
		if !ecdsa.VerifyASN1(pub, d[:], der) {
			b.Fatal("bad signature")
		}
	}
}

// largestLog is the largest real log of go-eventlog's testdata package.
func largestLog() []byte {
	var big []byte
	for _, l := range goEventlogLogs {
		if len(l.raw) > len(big) {
			big = l.raw
		}
	}
	return big
}

// BenchmarkReplayLargestLog: parse + replay into SHA-256 + comparison with
// a verified bank of every PCR the log extends (log.Verify without
// extraction is not separable, so this is ParseEventLog + Replay).
func BenchmarkReplayLargestLog(b *testing.B) {
	raw := largestLog()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		log, err := tpm.ParseEventLog(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := log.Replay(crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHashLargestLogData is the floor: SHA-256 of every event's data,
// the least work any replaying verifier that checks data against digests
// does.
func BenchmarkHashLargestLogData(b *testing.B) {
	raw := largestLog()
	log, err := tpm.ParseEventLog(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for b.Loop() {
		for _, e := range log.Events {
			_ = sha256.Sum256(e.Data)
		}
	}
}

func TestBenchmarkRatios(t *testing.T) {
	if os.Getenv("BUILDTRUST_BENCH_RATIOS") != "1" {
		t.Skip("set BUILDTRUST_BENCH_RATIOS=1 to measure benchmark ratios")
	}
	ratio := func(a, b func(*testing.B)) (float64, testing.BenchmarkResult, testing.BenchmarkResult) {
		ra, rb := testing.Benchmark(a), testing.Benchmark(b)
		return float64(ra.NsPerOp()) / float64(rb.NsPerOp()), ra, rb
	}
	q, qa, qb := ratio(BenchmarkVerifyQuote, BenchmarkQuoteRawSignature)
	t.Logf("quote verify %d ns / raw signature %d ns = %.2fx (target <= 1.3x)", qa.NsPerOp(), qb.NsPerOp(), q)
	r, ra, rb := ratio(BenchmarkReplayLargestLog, BenchmarkHashLargestLogData)
	t.Logf("replay largest log (%d B) %d ns / hash event data %d ns = %.2fx (target <= 2x)", len(largestLog()), ra.NsPerOp(), rb.NsPerOp(), r)
}

// BenchmarkVerifyWithLog is tpm.Verify as the policy calls it: a quote, the
// small log of bootTPM and no claimed PCR values (they come from the
// log's replay). Its cost minus BenchmarkQuoteRawSignature is what Verify
// spends besides the signature it cannot avoid.
func BenchmarkVerifyWithLog(b *testing.B) {
	sim := bootTPM(b, tpmOptionsFixed())
	ev, err := sim.Evidence(nonce, sha256Boot)
	if err != nil {
		b.Fatal(err)
	}
	ev.PCRs = nil
	opts := pinned(sim)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpm.Verify(ev, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRealLog is tpm.Verify over the real Ubuntu 24.04 SEV-SNP
// log (Secure Boot variables with 2 db certificates and 371 dbx hashes,
// GRUB), quoted by the software TPM over its replay.
func BenchmarkVerifyRealLog(b *testing.B) {
	raw := testdata.Ubuntu2404AmdSevSnpEventLog
	sim, err := tpmtest.New(tpmOptionsFixed())
	if err != nil {
		b.Fatal(err)
	}
	q, err := sim.QuoteLog(nonce, raw, crypto.SHA256)
	if err != nil {
		b.Fatal(err)
	}
	ev := tpm.Evidence{Attest: q.Attest, Signature: q.Signature, EventLog: raw}
	opts := pinned(sim)
	opts.Loader = tpm.GRUB
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tpm.Verify(ev, opts); err != nil {
			b.Fatal(err)
		}
	}
}
