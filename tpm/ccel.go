package tpm

import (
	"bytes"
	"crypto"
	"fmt"
	"slices"

	"github.com/google/go-eventlog/tcg"

	"github.com/buildtrust/buildtrust"
)

// RTMRs are the four TDX runtime measurement registers (SHA-384, 48 bytes
// each), as read from a verified TD quote body. The tdx package verifies the
// quote; this package only replays the log against the values it returns.
type RTMRs [4][]byte

// ParseCCEL parses a Confidential Computing Event Log (the TDX CCEL, a TCG
// crypto-agile log whose register index is the CC measurement register:
// RTMR n is index n+1; trailing 0xFF padding allowed) with the checks of
// ParseEventLog. The result is unverified.
func ParseCCEL(raw []byte) (*EventLog, error) {
	l, err := parseLog(raw, tcg.ParseOpts{AllowPadding: true})
	if err != nil {
		return nil, err
	}
	if !slices.Contains(l.Algs, crypto.SHA384) {
		return nil, checkErr(CheckEventLogParse, bootThreats, ErrMalformed, "CCEL has no SHA-384 digests")
	}
	for _, e := range l.Events {
		if e.Type != EvNoAction && (e.PCR < 1 || e.PCR > 4) {
			return nil, checkErr(CheckEventLogParse, bootThreats, ErrMalformed, "CCEL event %d extends CC MR %d (RTMRs are 1–4)", e.Sequence, e.PCR)
		}
	}
	return l, nil
}

// VerifyCCEL replays a parsed CCEL into RTMR0–3 (all starting at zero) and
// compares each with the verified rtmrs (tpm.ccel.replay): every RTMR must
// match, including those the log never extends (they must then be zero).
// On success it returns the boot state extracted from the log with
// go-eventlog's RTMR configuration (EFI applications, Secure Boot state,
// GRUB files and kernel command line when loader is GRUB), with component
// PCR fields holding CC MR indices (RTMR n = n+1).
func (l *EventLog) VerifyCCEL(rtmrs RTMRs, loader Loader) (*BootState, error) {
	replayed, err := l.replay(crypto.SHA384, func([]byte, int) {}) // RTMRs start at zero
	rerr := &ReplayError{}
	for i, want := range rtmrs {
		if len(want) != crypto.SHA384.Size() {
			return nil, checkErr(CheckCCELReplay, bootThreats, ErrReplay, "RTMR%d has %d bytes", i, len(want))
		}
		got, ok := replayed.PCRs[i+1]
		if !ok {
			got = make([]byte, crypto.SHA384.Size())
		}
		if err != nil || !bytes.Equal(got, want) {
			if err != nil {
				got = nil
			}
			rerr.Mismatches = append(rerr.Mismatches, PCRMismatch{Hash: crypto.SHA384, PCR: i + 1, Quoted: slices.Clone(want), Replayed: got})
		}
	}
	if len(rerr.Mismatches) > 0 {
		return nil, checkErr(CheckCCELReplay, bootThreats, fmt.Errorf("%w: %w", ErrReplay, rerr), "CCEL")
	}
	bank := PCRBank{Hash: crypto.SHA384, PCRs: map[int][]byte{}}
	for i, v := range rtmrs {
		bank.PCRs[i+1] = slices.Clone(v)
	}
	bs := &BootState{Hash: crypto.SHA384}
	bs.Checks = append(bs.Checks, buildtrust.Check{ID: CheckCCELReplay, Threats: bootThreats, Outcome: buildtrust.Pass,
		Expected: "RTMR0-3 as quoted", Actual: "replayed equal"})
	for _, e := range l.Events {
		if e.Type == EvNoAction {
			bs.NoAction = append(bs.NoAction, noAction(e))
			continue
		}
		bs.Events = append(bs.Events, e)
	}
	bs.extract(l, bank, loader, true)
	return bs, nil
}
