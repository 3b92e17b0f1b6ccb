package tpm

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-eventlog/tcg"
	"github.com/google/go-eventlog/testdata"
)

// agreeWithGoEventlog checks that parseTCG and go-eventlog's
// tcg.ParseEventLog accept the same logs and yield the same events.
func agreeWithGoEventlog(t *testing.T, raw []byte, padding bool) {
	_, algs, events, err := parseTCG(raw, padding)
	el, gerr := tcg.ParseEventLog(raw, tcg.ParseOpts{AllowPadding: padding})
	if (err == nil) != (gerr == nil) {
		if err != nil && len(events) == 0 && bytes.Contains([]byte(err.Error()), []byte("exceeds limit")) {
			return // our limits are stricter on purpose
		}
		t.Fatalf("acceptance differs: ours %v, go-eventlog %v", err, gerr)
	}
	if err != nil {
		return
	}
	var theirs [][]tcg.Event
	for _, a := range el.Algs {
		theirs = append(theirs, el.Events(a))
	}
	if len(algs) != len(el.Algs) {
		t.Fatalf("algs %v vs %v", algs, el.Algs)
	}
	for ai, a := range el.Algs {
		h := a.CryptoHash()
		if algs[ai] != h || len(theirs[ai]) != len(events) {
			t.Fatalf("bank %v: %d events vs %d", h, len(events), len(theirs[ai]))
		}
		for i, e := range theirs[ai] {
			ours := events[i]
			if ours.PCR != e.Index || uint32(ours.Type) != uint32(e.Type) || !bytes.Equal(ours.Data, e.Data) || !bytes.Equal(ours.Digest(h), e.Digest) {
				t.Fatalf("event %d differs in bank %v", i, h)
			}
		}
	}
}

// TestParseMatchesGoEventlog: on every real log we have (go-eventlog's
// testdata, the shared corpus) and their truncations, our decoder and
// go-eventlog's agree.
func TestParseMatchesGoEventlog(t *testing.T) {
	logs := [][]byte{testdata.ArchLinuxWorkstationEventLog, testdata.Debian10EventLog, testdata.GlinuxAlexEventLog,
		testdata.Rhel8EventLog, testdata.Ubuntu1804AmdSevEventLog, testdata.Ubuntu2104NoDbxEventLog,
		testdata.Ubuntu2104NoSecureBootEventLog, testdata.Ubuntu2404AmdSevSnpEventLog, testdata.Cos85AmdSevEventLog,
		testdata.Cos93AmdSevEventLog, testdata.Cos101AmdSevEventLog}
	dir := filepath.Join("..", "..", "shared", "corpus", "go-tpm-tools", "internal", "test", "eventlogs")
	if files, err := filepath.Glob(filepath.Join(dir, "*.bin")); err == nil {
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				logs = append(logs, b)
			}
		}
	}
	for _, raw := range logs {
		agreeWithGoEventlog(t, raw, false)
		agreeWithGoEventlog(t, raw, true)
		for _, cut := range []int{1, 31, 33, 100, len(raw) / 2, len(raw) - 1} {
			if cut < len(raw) {
				agreeWithGoEventlog(t, raw[:cut], false)
			}
		}
	}
	if len(logs) < 11 {
		t.Fatalf("only %d logs", len(logs))
	}
}

// FuzzParseEventLogGoEventlog: differential fuzzing of the decoder.
func FuzzParseEventLogGoEventlog(f *testing.F) {
	f.Add(testdata.Cos85AmdSevEventLog[:2000], false)
	f.Fuzz(func(t *testing.T, raw []byte, padding bool) {
		agreeWithGoEventlog(t, raw, padding)
	})
}
