package tpm

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-eventlog/register"
	"github.com/google/go-eventlog/tcg"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// EventType is the type field of a TCG event (TCG PC Client Platform
// Firmware Profile §10.4.1). It is not covered by the event's digest: a
// replayed event's type is still attacker-chosen, so it is only used
// together with checks on the data and digest.
type EventType uint32

// Event types this package interprets itself.
const (
	EvPostCode                EventType = 0x00000001
	EvNoAction                EventType = 0x00000003
	EvSeparator               EventType = 0x00000004
	EvAction                  EventType = 0x00000005
	EvEventTag                EventType = 0x00000006
	EvSCRTMContents           EventType = 0x00000007
	EvSCRTMVersion            EventType = 0x00000008
	EvIPL                     EventType = 0x0000000D
	EvEFIVariableDriverConfig EventType = 0x80000001
	EvEFIBootServicesApp      EventType = 0x80000003
	EvEFIAction               EventType = 0x80000007
	EvEFIPlatformFirmwareBlob EventType = 0x80000008
	EvEFIPlatformFirmwareBlb2 EventType = 0x8000000A
	EvEFIVariableAuthority    EventType = 0x800000E0
)

// Known reports whether t is an event type of the TCG PC Client Platform
// Firmware Profile (as listed by go-eventlog). Logs with any other type are
// rejected by ParseEventLog (P-LOG-1).
func (t EventType) Known() bool {
	_, ok := tcg.EventType(t).KnownName()
	return ok
}

// String returns the TCG name of the type (EV_SEPARATOR, …) or its hex value.
func (t EventType) String() string { return tcg.EventType(t).TCGString() }

// LogFormat is the format of a TCG event log.
type LogFormat int

// Event-log formats (TCG PC Client Platform Firmware Profile §10.2).
const (
	// FormatSHA1 is the TPM 1.2 style log of TCG_PCR_EVENT records, SHA-1
	// digests only.
	FormatSHA1 LogFormat = iota + 1
	// FormatCryptoAgile is the TPM 2.0 log: a Spec ID Event03 header, then
	// TCG_PCR_EVENT2 records with one digest per bank.
	FormatCryptoAgile
)

// Event is one event of an event log: the register it extends, its
// (untrusted) type, its data and its digests per bank.
type Event struct {
	// Sequence is the event's position in the log, 0 for the first event
	// after any Spec ID header.
	Sequence int
	// PCR is the register index written in the log (a PCR for TPM logs, a
	// CC measurement register — RTMR index + 1 — for CCELs).
	PCR int
	// Type is the event type; not covered by the digest.
	Type EventType
	// Data is the event data.
	Data []byte
	// Digests holds the event's digests, one per bank the log carries, in
	// log order. Use [Event.Digest] to look one up.
	Digests []Digest
}

// Digest is one digest of an event.
type Digest struct {
	Hash  crypto.Hash
	Value []byte
}

// Digest returns the event's digest in bank h, or nil.
func (e Event) Digest(h crypto.Hash) []byte {
	for _, d := range e.Digests {
		if d.Hash == h {
			return d.Value
		}
	}
	return nil
}

// EventLog is a parsed, unverified TCG event log. Nothing in it may be used
// until it has been replayed against verified register values
// ([EventLog.Verify], [VerifyCCEL]).
type EventLog struct {
	// Format is the log's format.
	Format LogFormat
	// Algs are the banks the log carries digests for.
	Algs []crypto.Hash
	// Events are the log's events in order, EV_NO_ACTION included.
	Events []Event

	raw       []byte
	parseOpts tcg.ParseOpts
}

var specIDSignature = []byte("Spec ID Event03\x00")

// ParseEventLog parses a TCG PC Client event log (crypto-agile or SHA-1
// format; TCG PC Client Platform Firmware Profile §10.2) with checks of its
// own: size and event-count limits, register indices, event-data sizes, and
// that every event type is known — so that no crafted type can ever reach
// go-eventlog's extraction code, which v0.0.2 crashes on (P-LOG-1). The
// decoder accepts exactly what go-eventlog's tcg.ParseEventLog accepts and
// yields the same events (checked on every real log and by fuzzing); it is
// our own only for speed. The result is unverified.
func ParseEventLog(raw []byte) (*EventLog, error) {
	return parseLog(raw, tcg.ParseOpts{})
}

func parseLog(raw []byte, opts tcg.ParseOpts) (*EventLog, error) {
	if len(raw) == 0 {
		return nil, checkErr(CheckEventLogParse, bootThreats, ErrMalformed, "empty event log")
	}
	if len(raw) > limits.MaxEventLogBytes {
		return nil, checkErr(CheckEventLogParse, bootThreats, limits.TooLarge("event log", limits.MaxEventLogBytes), "event log")
	}
	format, algs, events, err := parseTCG(raw, opts.AllowPadding)
	if err != nil {
		if errors.Is(err, limits.ErrTooLarge) {
			return nil, checkErr(CheckEventLogParse, bootThreats, err, "event log")
		}
		return nil, checkErr(CheckEventLogParse, bootThreats, ErrMalformed, "%v", err)
	}
	l := &EventLog{Format: format, Algs: algs, Events: events, raw: raw, parseOpts: opts}
	for i, ev := range l.Events {
		if !ev.Type.Known() {
			return nil, checkErr(CheckEventLogType, bootThreats, ErrEventType, "event %d: type 0x%08x", i, uint32(ev.Type))
		}
		if ev.PCR < 0 || ev.PCR > limits.MaxPCRIndex {
			return nil, checkErr(CheckEventLogParse, bootThreats, ErrMalformed, "event %d: register index %d", i, ev.PCR)
		}
	}
	return l, nil
}

// Replay computes the value of every register the log extends in bank h:
// starting from the register's reset value (PCR0 from the startup
// locality recorded in a StartupLocality EV_NO_ACTION event, PCRs 17–22 all
// ones), each non-EV_NO_ACTION event's digest is extended in log order.
// It fails if an event lacks a digest in bank h.
func (l *EventLog) Replay(h crypto.Hash) (PCRBank, error) {
	if !slices.Contains(l.Algs, h) {
		return PCRBank{}, fmt.Errorf("%w: the log has no %s bank", ErrReplay, HashName(h))
	}
	locality := byte(0)
	for _, e := range l.Events {
		if e.PCR == 0 && e.Type == EvNoAction && len(e.Data) == 17 && strings.HasPrefix(string(e.Data), "StartupLocality") {
			locality = e.Data[16]
		}
	}
	return l.replay(h, func(v []byte, index int) { setInitialPCR(v, index, locality) })
}

// replay folds the log into bank h, each register starting from what
// initial writes into its zeroed value.
func (l *EventLog) replay(h crypto.Hash, initial func(v []byte, index int)) (PCRBank, error) {
	// Real logs extend about ten registers: one map allocation, and the
	// values carved from one slab instead of one allocation each.
	bank := PCRBank{Hash: h, PCRs: make(map[int][]byte, 16)}
	var slab []byte
	hasher := h.New()
	for _, e := range l.Events {
		if e.Type == EvNoAction {
			continue
		}
		d := e.Digest(h)
		if len(d) != h.Size() {
			return PCRBank{}, fmt.Errorf("%w: event %d has no %s digest", ErrReplay, e.Sequence, HashName(h))
		}
		cur, ok := bank.PCRs[e.PCR]
		if !ok {
			if len(slab) < h.Size() {
				slab = make([]byte, 8*h.Size())
			}
			cur, slab = slab[:h.Size():h.Size()], slab[h.Size():]
			initial(cur, e.PCR)
		}
		hasher.Reset()
		hasher.Write(cur)
		hasher.Write(d)
		// cur is ours (carved above or an earlier Sum) and already
		// consumed: the new value reuses its storage.
		bank.PCRs[e.PCR] = hasher.Sum(cur[:0])
	}
	return bank, nil
}

// PCRMismatch is one quoted register that the log does not explain.
type PCRMismatch struct {
	// Hash is the bank.
	Hash crypto.Hash
	// PCR is the register index.
	PCR int
	// Quoted is the verified value; Replayed is what the log folds to
	// (nil when the bank cannot be replayed).
	Quoted, Replayed []byte
}

// ReplayError lists every quoted register whose value the event log does
// not reproduce (P-LOG-2, P-TPM-5). It is wrapped with ErrReplay; use
// errors.As to get it.
type ReplayError struct {
	Mismatches []PCRMismatch
}

// Error implements error.
func (e *ReplayError) Error() string {
	var parts []string
	for _, m := range e.Mismatches {
		parts = append(parts, fmt.Sprintf("%s PCR%d quoted %s replayed %s",
			HashName(m.Hash), m.PCR, short(m.Quoted), short(m.Replayed)))
	}
	return "registers differ: " + strings.Join(parts, "; ")
}

// PCRs returns the distinct indices that differ, ascending.
func (e *ReplayError) PCRs() []int {
	var idx []int
	for _, m := range e.Mismatches {
		if !slices.Contains(idx, m.PCR) {
			idx = append(idx, m.PCR)
		}
	}
	slices.Sort(idx)
	return idx
}

func short(b []byte) string {
	if b == nil {
		return "none"
	}
	s := hex.EncodeToString(b)
	if len(s) > 16 {
		s = s[:16] + "…"
	}
	return s
}

// compareBanks checks every quoted register of every quoted bank against the
// replay of the log. Registers the log never extends must still hold their
// reset value: a quoted register the log cannot explain is a mismatch, not a
// pass (P-LOG-2).
func (l *EventLog) compareBanks(banks []PCRBank, done map[crypto.Hash]PCRBank) error {
	rerr := &ReplayError{}
	for _, b := range banks {
		replayed, ok := done[b.Hash]
		var err error
		if !ok {
			replayed, err = l.Replay(b.Hash)
		}
		for _, i := range b.Indices() {
			if err != nil {
				rerr.Mismatches = append(rerr.Mismatches, PCRMismatch{Hash: b.Hash, PCR: i, Quoted: b.PCRs[i]})
				continue
			}
			want, ok := replayed.PCRs[i]
			if !ok {
				want = l.resetValue(b.Hash, i)
			}
			if !bytes.Equal(want, b.PCRs[i]) {
				rerr.Mismatches = append(rerr.Mismatches, PCRMismatch{Hash: b.Hash, PCR: i, Quoted: b.PCRs[i], Replayed: want})
			}
		}
	}
	if len(rerr.Mismatches) > 0 {
		return checkErr(CheckEventLogReplay, bootThreats, fmt.Errorf("%w: %w", ErrReplay, rerr), "event log")
	}
	return nil
}

func (l *EventLog) resetValue(h crypto.Hash, i int) []byte {
	return initialPCR(h, i, 0)
}

// replayedEvents runs go-eventlog's replay over registers already verified
// by compareBanks, to obtain the tcg.Event values its extraction functions
// take (they can only be made by its replay). Only events of the given
// registers are returned, with their bank-h digests.
func (l *EventLog) replayedEvents(mrs []register.MR, h crypto.Hash) (evs []tcg.Event, err error) {
	defer func() {
		if r := recover(); r != nil {
			evs, err = nil, fmt.Errorf("replay panic: %v", r)
		}
	}()
	raw, opts := l.raw, l.parseOpts
	if l.Format == FormatCryptoAgile && len(raw) != 0 { // parsed, not built by hand
		raw, opts = l.replayLog(mrs, h), tcg.ParseOpts{}
	}
	evs, err = tcg.ParseAndReplay(raw, mrs, opts)
	if err != nil {
		return nil, errors.New(strings.TrimSpace(err.Error()))
	}
	return evs, nil
}

// replayLog re-encodes the log for go-eventlog's replay of mrs with what
// that replay reads and nothing else, so its reflective decoder and its
// per-register passes over the log do less work: a Spec ID event declaring
// bank h only; each event of a register in mrs with its data and bank-h
// digest (EV_NO_ACTION events without digests: the replay skips them and
// reads only a StartupLocality event's data); every other event as an
// empty EV_NO_ACTION in its register, so that go-eventlog numbers each event
// as it numbers it in the original log (its extraction errors cite event
// numbers). The result replays to the same events as the original log
// (TestReplayLogMatchesOriginal, TestExtractMatchesReference).
// Crypto-agile logs only.
func (l *EventLog) replayLog(mrs []register.MR, h crypto.Hash) []byte {
	var in [limits.MaxPCRIndex + 1]bool
	for _, mr := range mrs {
		if i := mr.Idx(); i >= 0 && i < len(in) {
			in[i] = true
		}
	}
	// parseLog bounds register indices; an EventLog built by hand may not.
	replayed := func(pcr int) bool { return pcr >= 0 && pcr < len(in) && in[pcr] }
	alg := algOf(h)
	size := 32 + specIDReplaySize
	for _, e := range l.Events {
		size += 16
		if replayed(e.PCR) {
			size += 2 + h.Size() + len(e.Data)
		}
	}
	b := appendSpecIDEvent(make([]byte, 0, size), h)
	le := binary.LittleEndian
	for _, e := range l.Events {
		// TCG_PCR_EVENT2.
		b = le.AppendUint32(b, uint32(e.PCR))
		if !replayed(e.PCR) {
			b = le.AppendUint32(b, uint32(EvNoAction))
			b = le.AppendUint32(b, 0) // no digests
			b = le.AppendUint32(b, 0) // no data
			continue
		}
		b = le.AppendUint32(b, uint32(e.Type))
		if d := e.Digest(h); e.Type != EvNoAction && len(d) == h.Size() {
			b = le.AppendUint32(b, 1)
			b = le.AppendUint16(b, alg)
			b = append(b, d...)
		} else {
			b = le.AppendUint32(b, 0)
		}
		b = le.AppendUint32(b, uint32(len(e.Data)))
		b = append(b, e.Data...)
	}
	return b
}

// appendSpecIDEvent appends the first event of a crypto-agile log: a
// TCG_PCR_EVENT carrying TCG_EfiSpecIDEvent (TCG PC Client PFP §10.4.5.1)
// that declares bank h alone, with no vendor info.
func appendSpecIDEvent(b []byte, h crypto.Hash) []byte {
	le := binary.LittleEndian
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, uint32(EvNoAction))
	b = append(b, make([]byte, 20)...)
	b = le.AppendUint32(b, specIDReplaySize)
	b = append(b, specIDSignature...)
	b = le.AppendUint32(b, 0)        // platformClass
	b = append(b, 0, 2, 0, 2)        // minor, major, errata, uintnSize
	b = le.AppendUint32(b, 1)        // numberOfAlgorithms
	b = le.AppendUint16(b, algOf(h)) // algorithmId
	b = le.AppendUint16(b, uint16(h.Size()))
	return append(b, 0) // vendorInfoSize
}

// specIDReplaySize is the size of appendSpecIDEvent's TCG_EfiSpecIDEvent.
const specIDReplaySize = specIDHeaderSize + 4 + 1
