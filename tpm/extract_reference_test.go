package tpm

import (
	"crypto"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-eventlog/extract"
	"github.com/google/go-eventlog/register"
	"github.com/google/go-eventlog/tcg"
	"github.com/google/go-eventlog/testdata"

	"github.com/buildtrust/buildtrust/internal/corpustest"
)

// referenceExtract is BootState.extract as it was before the extraction
// fed go-eventlog a re-encoded log and only the registers it reads: the
// original log, every verified register, extract.FirmwareLogState. The
// components read without go-eventlog are extract's own (extractOwn). It is
// the oracle of TestExtractMatchesReference.
func (bs *BootState) referenceExtract(l *EventLog, bank PCRBank, loader Loader, rtmr bool) {
	defer bs.addExtractCheck()
	h := bank.Hash
	bs.extractOwn(h)
	mrs := registers(bank, rtmr, func(int) bool { return true })
	evs, err := tcg.ParseAndReplay(l.raw, mrs, l.parseOpts)
	if err != nil {
		bs.addErr(fmt.Errorf("go-eventlog replay of verified registers: %v", errors.New(strings.TrimSpace(err.Error()))))
		return
	}
	cfg := extract.TPMRegisterConfig
	if rtmr {
		cfg = extract.RTMRRegisterConfig
	}
	st, err := extract.FirmwareLogState(evs, h, cfg, extractOpts(loader))
	if err != nil {
		bs.addErr(err)
	}
	if st == nil {
		return
	}
	bs.addState(st, h)
}

// agileLog encodes a crypto-agile log with one bank (no vendor info).
type agileLog struct {
	h crypto.Hash
	b []byte
}

func newAgileLog(h crypto.Hash) *agileLog {
	return &agileLog{h: h, b: appendSpecIDEvent(nil, h)}
}

// add appends an event measuring data (or carrying digest, when given).
func (l *agileLog) add(pcr int, typ EventType, data []byte, digest ...byte) {
	if digest == nil {
		d := l.h.New()
		d.Write(data)
		digest = d.Sum(nil)
	}
	le := binary.LittleEndian
	l.b = le.AppendUint32(l.b, uint32(pcr))
	l.b = le.AppendUint32(l.b, uint32(typ))
	l.b = le.AppendUint32(l.b, 1)
	l.b = le.AppendUint16(l.b, algOf(l.h))
	l.b = append(l.b, digest...)
	l.b = le.AppendUint32(l.b, uint32(len(data)))
	l.b = append(l.b, data...)
}

// syntheticLogs cover what the real logs do not: the policy benchmark's
// shape (every PCR 0–11 quoted), events in a DRTM register (PCR 17, which
// go-eventlog replays from the wrong reset value), GRUB errors that cite
// event positions, a separator with bad data, and StartupLocality.
func syntheticLogs() map[string][]byte {
	out := map[string][]byte{}
	l := newAgileLog(crypto.SHA256)
	l.add(0, EvNoAction, []byte("StartupLocality\x00\x03"), make([]byte, 32)...)
	l.add(0, EvSCRTMVersion, []byte("fw 1.0\x00"))
	l.add(0, EvEFIPlatformFirmwareBlob, make([]byte, 16), make([]byte, 32)...)
	for pcr := 0; pcr <= 7; pcr++ {
		l.add(pcr, EvSeparator, []byte{0, 0, 0, 0})
	}
	l.add(1, EvAction, []byte("a PCR1 action"))
	l.add(8, EvIPL, []byte("grub_cmd: linux /vmlinuz\x00"))
	l.add(9, EvIPL, []byte("/boot/vmlinuz-6.1\x00"), make([]byte, 32)...)
	l.add(10, EvIPL, []byte("ima"))
	l.add(11, EvIPL, []byte("uki"))
	out["boot"] = slices.Clone(l.b)
	l.add(17, EvAction, []byte("DRTM"))
	out["drtm"] = slices.Clone(l.b)
	l.add(8, EvIPL, []byte("not a grub string"))
	l.add(5, EvSeparator, []byte("bad"))
	out["errors"] = slices.Clone(l.b)

	c := newAgileLog(crypto.SHA384)
	c.add(1, EvEFIPlatformFirmwareBlb2, []byte("TDVF config"))
	c.add(1, EvSeparator, []byte{0, 0, 0, 0})
	c.add(2, EvEFIBootServicesApp, []byte("shim"))
	c.add(3, EvIPL, []byte("kernel_cmdline: /vmlinuz console=ttyS0\x00"))
	c.add(4, EvIPL, []byte("rtmr3"))
	out["ccel"] = append(c.b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	return out
}

// TestExtractMatchesReference: on every real log (go-eventlog's testdata,
// the shared corpus) and the synthetic ones, in every bank, for several
// quoted subsets and both loaders, the boot state equals the one
// referenceExtract computes — components, extraction error text and
// checks.
func TestExtractMatchesReference(t *testing.T) {
	logs := map[string][]byte{
		"ArchLinuxWorkstation": testdata.ArchLinuxWorkstationEventLog, "Debian10": testdata.Debian10EventLog,
		"GlinuxAlex": testdata.GlinuxAlexEventLog, "Rhel8": testdata.Rhel8EventLog,
		"Ubuntu1804AmdSev": testdata.Ubuntu1804AmdSevEventLog, "Ubuntu2104NoDbx": testdata.Ubuntu2104NoDbxEventLog,
		"Ubuntu2104NoSecureBoot": testdata.Ubuntu2104NoSecureBootEventLog, "Ubuntu2404AmdSevSnp": testdata.Ubuntu2404AmdSevSnpEventLog,
		"Cos85AmdSev": testdata.Cos85AmdSevEventLog, "Cos93AmdSev": testdata.Cos93AmdSevEventLog, "Cos101AmdSev": testdata.Cos101AmdSevEventLog,
	}
	for _, f := range corpustest.Glob("go-tpm-tools/internal/test/eventlogs/*.bin") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		logs["corpus/"+f[strings.LastIndex(f, string(os.PathSeparator))+1:]] = b
	}
	synth := syntheticLogs()
	for name, b := range synth {
		logs["synthetic/"+name] = b
	}
	subsets := [][]int{nil, {0, 7}, {4, 5, 8, 9}, {0, 2, 4, 5, 7}, {1, 3, 6, 10, 11}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {5, 17}}
	compared, extracted, failed := 0, 0, 0
	for name, raw := range logs {
		ccel := name == "synthetic/ccel"
		var l *EventLog
		var err error
		if ccel {
			l, err = ParseCCEL(raw)
		} else {
			l, err = ParseEventLog(raw)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, h := range l.Algs {
			full, err := l.Replay(h)
			if err != nil {
				continue
			}
			for _, loader := range []Loader{NoLoader, GRUB} {
				if ccel {
					if h != crypto.SHA384 {
						continue
					}
					var r RTMRs
					for i := range r {
						if r[i] = full.PCRs[i+1]; r[i] == nil {
							r[i] = make([]byte, 48)
						}
					}
					got, err := l.VerifyCCEL(r, loader)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					bank := PCRBank{Hash: crypto.SHA384, PCRs: map[int][]byte{}}
					for i, v := range r {
						bank.PCRs[i+1] = v
					}
					compareWithReference(t, fmt.Sprintf("%s/%v", name, loader), got, l, bank, loader, true)
					compared++
					continue
				}
				for _, sub := range subsets {
					bank := PCRBank{Hash: h, PCRs: map[int][]byte{}}
					idx := sub
					if idx == nil {
						idx = full.Indices()
					}
					for _, i := range idx {
						if v, ok := full.PCRs[i]; ok {
							bank.PCRs[i] = v
						} else {
							bank.PCRs[i] = l.resetValue(h, i)
						}
					}
					got, err := l.Verify(&VerifiedQuote{Banks: []PCRBank{bank}}, Options{Loader: loader, InsecureAllowSHA1: true})
					if err != nil {
						t.Fatalf("%s %s%v: %v", name, HashName(h), idx, err)
					}
					compareWithReference(t, fmt.Sprintf("%s/%s%v/%v", name, HashName(h), idx, loader), got, l, bank, loader, false)
					compared++
					if got.ExtractErr != nil {
						failed++
					}
					if len(got.Components) > 0 {
						extracted++
					}
				}
			}
		}
	}
	// The comparison must have covered real extraction and real failures,
	// not only empty states.
	if compared < 300 || extracted < 200 || failed < 10 {
		t.Fatalf("compared %d boot states, %d with components, %d with extraction errors: too few", compared, extracted, failed)
	}
	t.Logf("compared %d boot states, %d with components, %d with extraction errors", compared, extracted, failed)
}

func compareWithReference(t *testing.T, name string, got *BootState, l *EventLog, bank PCRBank, loader Loader, rtmr bool) {
	t.Helper()
	want := &BootState{Hash: got.Hash, Events: got.Events, Unverified: got.Unverified, NoAction: got.NoAction,
		Checks: slices.Clone(got.Checks[:len(got.Checks)-1])}
	want.referenceExtract(l, bank, loader, rtmr)
	errText := func(err error) string {
		if err == nil {
			return "<nil>"
		}
		return err.Error()
	}
	if g, w := errText(got.ExtractErr), errText(want.ExtractErr); g != w {
		t.Errorf("%s: extraction error\n got %s\nwant %s", name, g, w)
	}
	if !errors.Is(got.ExtractErr, ErrExtract) && got.ExtractErr != nil {
		t.Errorf("%s: extraction error does not wrap ErrExtract", name)
	}
	g, w := *got, *want
	g.ExtractErr, w.ExtractErr = nil, nil
	if !reflect.DeepEqual(g.Components, w.Components) {
		t.Errorf("%s: %d components, reference %d", name, len(g.Components), len(w.Components))
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: boot state differs from the reference", name)
	}
}

// FuzzExtractMatchesReference: on any log that parses, a boot state
// verified against the log's own replay (all its registers, every bank,
// both loaders) equals the reference's.
func FuzzExtractMatchesReference(f *testing.F) {
	for _, raw := range syntheticLogs() {
		f.Add(raw)
	}
	f.Add(testdata.Ubuntu2104NoSecureBootEventLog)
	f.Add(testdata.Debian10EventLog)
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := ParseEventLog(raw)
		if err != nil {
			return
		}
		for _, h := range l.Algs {
			bank, err := l.Replay(h)
			if err != nil || len(bank.PCRs) == 0 {
				continue
			}
			for _, loader := range []Loader{NoLoader, GRUB} {
				got, err := l.Verify(&VerifiedQuote{Banks: []PCRBank{bank}}, Options{Loader: loader, InsecureAllowSHA1: true})
				if err != nil {
					t.Fatalf("log does not verify against its own replay: %v", err)
				}
				compareWithReference(t, fmt.Sprintf("%s/%v", HashName(h), loader), got, l, bank, loader, false)
			}
		}
	})
}

// TestReplayLogMatchesOriginal: go-eventlog's replay of replayLog's
// re-encoding returns the same events (numbers, registers, types, data,
// digests, hash) as its replay of the original log, or fails as it does,
// on every real crypto-agile log, bank and quoted subset.
func TestReplayLogMatchesOriginal(t *testing.T) {
	logs := [][]byte{testdata.ArchLinuxWorkstationEventLog, testdata.GlinuxAlexEventLog, testdata.Rhel8EventLog,
		testdata.Ubuntu1804AmdSevEventLog, testdata.Ubuntu2104NoDbxEventLog, testdata.Ubuntu2104NoSecureBootEventLog,
		testdata.Ubuntu2404AmdSevSnpEventLog, testdata.Cos85AmdSevEventLog, testdata.Cos93AmdSevEventLog, testdata.Cos101AmdSevEventLog}
	for _, raw := range syntheticLogs() {
		if l, err := ParseEventLog(raw); err == nil { // not the CCEL
			logs = append(logs, l.raw)
		}
	}
	compared := 0
	for n, raw := range logs {
		l, err := ParseEventLog(raw)
		if err != nil {
			t.Fatal(err)
		}
		if l.Format != FormatCryptoAgile {
			t.Fatalf("log %d is not crypto-agile", n)
		}
		for _, h := range l.Algs {
			full, err := l.Replay(h)
			if err != nil {
				continue
			}
			for _, sub := range [][]int{nil, {0}, {2, 4, 5, 7}, {8, 9, 14}, {0, 17}} {
				var mrs []register.MR
				idx := sub
				if idx == nil {
					idx = full.Indices()
				}
				for _, i := range idx {
					v, ok := full.PCRs[i]
					if !ok {
						v = l.resetValue(h, i)
					}
					mrs = append(mrs, register.PCR{Index: i, Digest: v, DigestAlg: h})
				}
				want, werr := tcg.ParseAndReplay(raw, mrs, tcg.ParseOpts{})
				got, gerr := tcg.ParseAndReplay(l.replayLog(mrs, h), mrs, tcg.ParseOpts{})
				if fmt.Sprint(gerr) != fmt.Sprint(werr) {
					t.Errorf("log %d %s%v: error %v, original %v", n, HashName(h), idx, gerr, werr)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("log %d %s%v: %d events, original %d, or they differ", n, HashName(h), idx, len(got), len(want))
				}
				compared++
			}
		}
	}
	if compared < 50 {
		t.Fatalf("only %d comparisons", compared)
	}
}
