package tpm_test

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/google/go-eventlog/testdata"

	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/tpm"
	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

const crashChildEnv = "BUILDTRUST_TPM_CRAFTED_LOG_CHILD"

// craftedLog is the real Ubuntu 24.04 SEV-SNP log with the type of its first
// PCR8 EV_IPL event changed to 0x12345. The type is not covered by the
// digest, so the log still replays against the genuine PCRs — and
// go-eventlog v0.0.2's extraction dies on it with a fatal stack overflow
// that recover cannot catch (P-LOG-1, EVIDENCE.md §1.3.2).
func craftedLog(t testing.TB) []byte {
	raw := bytes.Clone(testdata.Ubuntu2404AmdSevSnpEventLog)
	at := bytes.Index(raw, []byte{8, 0, 0, 0, 0x0d, 0, 0, 0})
	if at < 0 {
		t.Fatal("no PCR8 EV_IPL event in the Ubuntu 24.04 log")
	}
	binary.LittleEndian.PutUint32(raw[at+4:], 0x12345)
	return raw
}

// TestCraftedEventTypeDoesNotCrash is the regression test for P-LOG-1: a
// crafted log reaching the full Verify path (quote over the genuine PCR
// values, GRUB extraction on) is rejected with ErrEventType and the process
// survives. The risky part runs in a child process (the test binary
// re-executed, as the standard library does for os/exec and runtime tests),
// so a regression shows up as a failed test, not a dead test binary.
func TestCraftedEventTypeDoesNotCrash(t *testing.T) {
	if os.Getenv(crashChildEnv) == "1" {
		crashChild(t)
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip("cannot find the test binary:", err)
	}
	cmd := exec.Command(exe, "-test.run=^TestCraftedEventTypeDoesNotCrash$", "-test.v")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child process failed (crash?): %v\n%s", err, tail(out))
	}
	if !bytes.Contains(out, []byte("crafted log rejected: ErrEventType E9")) {
		t.Fatalf("child did not report the rejection:\n%s", tail(out))
	}
}

func crashChild(t *testing.T) {
	raw := craftedLog(t)
	sim, _ := tpmtest.New(tpmtest.Options{})
	q, err := sim.QuoteLog(nonce, testdata.Ubuntu2404AmdSevSnpEventLog, crypto.SHA256) // the genuine log's registers
	if err != nil {
		t.Fatal(err)
	}
	opts := pinned(sim)
	opts.Loader = tpm.GRUB
	_, err = tpm.Verify(tpm.Evidence{Attest: q.Attest, Signature: q.Signature, PCRs: q.PCRs, EventLog: raw}, opts)
	if !errors.Is(err, tpm.ErrEventType) || !errors.Is(err, threat.E9) {
		t.Fatalf("crafted log: err = %v, want ErrEventType", err)
	}
	// The CCEL path must refuse it the same way.
	if _, err := tpm.ParseCCEL(raw); !errors.Is(err, tpm.ErrEventType) {
		t.Fatalf("crafted CCEL: err = %v", err)
	}
	fmt.Println("crafted log rejected: ErrEventType E9")
}

func tail(b []byte) []byte {
	if len(b) > 4000 {
		return b[len(b)-4000:]
	}
	return b
}
