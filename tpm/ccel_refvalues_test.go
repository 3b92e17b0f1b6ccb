package tpm_test

import (
	"crypto"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-eventlog/testdata"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/tpm"
	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

// ccel writes a small TDX CCEL (SHA-384, CC MR 1–3) and folds the RTMRs
// independently of the package under test.
func ccel(t *testing.T) ([]byte, tpm.RTMRs) {
	log, err := tpmtest.NewLog(crypto.SHA384)
	if err != nil {
		t.Fatal(err)
	}
	var rtmrs tpm.RTMRs
	for i := range rtmrs {
		rtmrs[i] = make([]byte, 48)
	}
	add := func(mr int, typ uint32, data []byte) {
		log.Append(mr, typ, data)
		d := sha512.Sum384(data)
		h := sha512.New384()
		h.Write(rtmrs[mr-1])
		h.Write(d[:])
		rtmrs[mr-1] = h.Sum(nil)
	}
	add(1, uint32(tpm.EvEFIPlatformFirmwareBlb2), []byte("TDVF config"))
	add(1, uint32(tpm.EvSeparator), []byte{0, 0, 0, 0})
	add(2, uint32(tpm.EvEFIBootServicesApp), []byte("shim"))
	add(3, 0x0D, []byte("kernel_cmdline: /vmlinuz console=ttyS0\x00"))
	raw := append(log.Bytes(), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff) // CCEL padding
	return raw, rtmrs
}

// TestCCELReplay: a CCEL replays into RTMR0–3 for the tdx package; a changed
// RTMR, including one the log never extends, is named (BENV-L3-3).
func TestCCELReplay(t *testing.T) {
	raw, rtmrs := ccel(t)
	log, err := tpm.ParseCCEL(raw)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := log.VerifyCCEL(rtmrs, tpm.NoLoader)
	if err != nil {
		t.Fatalf("VerifyCCEL: %v", err)
	}
	if len(bs.Events) != 4 || bs.Hash != crypto.SHA384 {
		t.Errorf("events = %d, hash %v", len(bs.Events), bs.Hash)
	}
	for i := range rtmrs {
		bad := rtmrs
		bad[i] = slices.Clone(rtmrs[i])
		bad[i][0] ^= 1
		_, err := log.VerifyCCEL(bad, tpm.NoLoader)
		var re *tpm.ReplayError
		if !errors.As(err, &re) || !slices.Equal(re.PCRs(), []int{i + 1}) || !errors.Is(err, threat.E9) {
			t.Errorf("RTMR%d changed: err = %v", i, err)
		}
	}
	// A TPM log is not a CCEL.
	if _, err := tpm.ParseCCEL(testdata.Rhel8EventLog); !errors.Is(err, tpm.ErrMalformed) {
		t.Errorf("TPM log as CCEL: %v", err)
	}
}

// TestReferenceValues: a boot matches the image producer's reference values
// per component and per PCR, with one Check each; a swapped kernel, an
// unaccepted PCR and a missing component each fail with E9 (BENV-L2-2,
// BENV-L2-6, THREAT-E9).
func TestReferenceValues(t *testing.T) {
	sim := bootTPM(t, tpmtest.Options{})
	ev, _ := sim.Evidence(nonce, sha256Boot)
	res, err := tpm.Verify(ev, pinned(sim))
	if err != nil {
		t.Fatal(err)
	}
	fw := res.Boot.ComponentsNamed(tpm.ComponentFirmware)
	pcr0, _ := res.Quote.Bank(crypto.SHA256)
	var fwDigests []buildtrust.DigestSet
	for _, c := range fw {
		fwDigests = append(fwDigests, buildtrust.DigestSet{"sha256": hex.EncodeToString(c.Digest)})
	}
	doc := func(pcr0Value string, extra ...tpm.ComponentReference) *tpm.ReferenceValues {
		return &tpm.ReferenceValues{
			Type: tpm.ReferenceValuesType,
			Components: append([]tpm.ComponentReference{
				{Name: tpm.ComponentFirmware, Digests: fwDigests},
				{Name: tpm.ComponentSeparator, Values: []string{"pcr0:00000000", "pcr1:00000000", "pcr2:00000000", "pcr3:00000000", "pcr4:00000000", "pcr5:00000000", "pcr6:00000000", "pcr7:00000000"}},
			}, extra...),
			PCRs: []tpm.PCRReference{{Bank: "sha256", Index: 0, Values: []string{pcr0Value}}},
		}
	}
	good := doc(hex.EncodeToString(pcr0.PCRs[0]))
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	checks, err := good.Check(res.Quote, res.Boot)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(checks) != 3 || checks[0].ID != "tpm.refvalue.firmware" || checks[2].ID != "tpm.refvalue.pcr.sha256.0" {
		t.Errorf("checks = %+v", checks)
	}

	tests := []struct {
		name  string
		rv    *tpm.ReferenceValues
		check string
	}{
		{"unaccepted PCR0", doc(hex.EncodeToString(make([]byte, 32))), "tpm.refvalue.pcr.sha256.0"},
		{"missing component", doc(hex.EncodeToString(pcr0.PCRs[0]),
			tpm.ComponentReference{Name: tpm.ComponentBootloader, Digests: fwDigests}), "tpm.refvalue.bootloader"},
		{"unaccepted firmware", &tpm.ReferenceValues{Type: tpm.ReferenceValuesType, Components: []tpm.ComponentReference{
			{Name: tpm.ComponentFirmware, Digests: fwDigests[:1]}}}, "tpm.refvalue.firmware"},
		{"dbx must include", &tpm.ReferenceValues{Type: tpm.ReferenceValuesType, Components: []tpm.ComponentReference{
			{Name: tpm.ComponentSeparator, Values: []string{"pcr9:00000000"}, Match: tpm.MatchIncludes}}}, "tpm.refvalue.separator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks, err := tt.rv.Check(res.Quote, res.Boot)
			if !errors.Is(err, tpm.ErrReferenceValue) || !errors.Is(err, threat.E9) {
				t.Fatalf("err = %v", err)
			}
			var ce *buildtrust.CheckError
			if !errors.As(err, &ce) || ce.Check != tt.check {
				t.Fatalf("failed check = %v, want %s", ce, tt.check)
			}
			var failed int
			for _, c := range checks {
				if c.Outcome == buildtrust.Fail {
					failed++
					if c.Expected == "" || c.Actual == "" {
						t.Errorf("failed check without expected/actual: %+v", c)
					}
				}
			}
			if failed != 1 {
				t.Errorf("%d failed checks, want 1: %+v", failed, checks)
			}
		})
	}
}

// TestSkipExtraction: the events are verified as before, nothing is
// extracted, the extraction check says so, and reference values that name
// components fail instead of passing on nothing.
func TestSkipExtraction(t *testing.T) {
	sim := bootTPM(t, tpmtest.Options{})
	ev, _ := sim.Evidence(nonce, sha256Boot)
	full, err := tpm.Verify(ev, pinned(sim))
	if err != nil {
		t.Fatal(err)
	}
	opts := pinned(sim)
	opts.SkipExtraction = true
	res, err := tpm.Verify(ev, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Boot.Events) == 0 || !reflect.DeepEqual(res.Boot.Events, full.Boot.Events) {
		t.Errorf("verified events differ when extraction is skipped")
	}
	if len(full.Boot.Components) == 0 || len(res.Boot.Components) != 0 || res.Boot.ExtractErr != nil {
		t.Errorf("components: %d extracted, %d when skipped (err %v)", len(full.Boot.Components), len(res.Boot.Components), res.Boot.ExtractErr)
	}
	last := res.Boot.Checks[len(res.Boot.Checks)-1]
	if last.ID != tpm.CheckEventLogExtract || last.Outcome != buildtrust.NotApplicable {
		t.Errorf("extraction check = %+v, want %s not applicable", last, tpm.CheckEventLogExtract)
	}
	var fw []buildtrust.DigestSet
	for _, c := range full.Boot.ComponentsNamed(tpm.ComponentFirmware) {
		fw = append(fw, buildtrust.DigestSet{"sha256": hex.EncodeToString(c.Digest)})
	}
	rv := &tpm.ReferenceValues{Type: tpm.ReferenceValuesType, Components: []tpm.ComponentReference{{Name: tpm.ComponentFirmware, Digests: fw}}}
	if _, err := rv.Check(full.Quote, full.Boot); err != nil {
		t.Fatalf("extracted: %v", err)
	}
	if _, err := rv.Check(res.Quote, res.Boot); !errors.Is(err, tpm.ErrReferenceValue) {
		t.Errorf("component reference values with nothing extracted: %v, want %v", err, tpm.ErrReferenceValue)
	}
}

// TestParseReferenceValues: the JSON form decodes strictly.
func TestParseReferenceValues(t *testing.T) {
	good := `{"type":"https://buildtrust.dev/tpm/reference-values/v1","components":[{"name":"kernel","digests":[{"sha256":"` +
		hex.EncodeToString(make([]byte, 32)) + `"}]}],"pcrs":[{"bank":"sha384","index":7,"values":["` + hex.EncodeToString(make([]byte, 48)) + `"]}]}`
	if _, err := tpm.ParseReferenceValues([]byte(good)); err != nil {
		t.Fatalf("good document: %v", err)
	}
	bad := map[string]string{
		"duplicate key":  `{"type":"https://buildtrust.dev/tpm/reference-values/v1","type":"x","components":[]}`,
		"unknown field":  `{"type":"https://buildtrust.dev/tpm/reference-values/v1","pcrz":[]}`,
		"wrong type":     `{"type":"https://example.com/other","components":[{"name":"k","values":["v"]}]}`,
		"empty":          `{"type":"https://buildtrust.dev/tpm/reference-values/v1"}`,
		"short PCR":      `{"type":"https://buildtrust.dev/tpm/reference-values/v1","pcrs":[{"bank":"sha256","index":0,"values":["00"]}]}`,
		"upper-case hex": `{"type":"https://buildtrust.dev/tpm/reference-values/v1","components":[{"name":"k","digests":[{"sha256":"` + hex.EncodeToString(make([]byte, 31)) + `AB"}]}]}`,
		"case-folded":    `{"Type":"https://buildtrust.dev/tpm/reference-values/v1","components":[{"name":"k","values":["v"]}]}`,
	}
	for name, doc := range bad {
		if _, err := tpm.ParseReferenceValues([]byte(doc)); !errors.Is(err, tpm.ErrMalformed) && !errors.Is(err, tpm.ErrTooLarge) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
