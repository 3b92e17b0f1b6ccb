package tpm

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// parseTCG decodes a TCG PC Client event log (TCG PC Client Platform
// Firmware Profile §10.2: TCG_PCR_EVENT, TCG_EfiSpecIDEvent,
// TCG_PCR_EVENT2), bounded by MaxEvents and MaxEventDataBytes as it goes.
// It accepts exactly what go-eventlog v0.0.2's tcg.ParseEventLog accepts and
// yields the same events (TestParseMatchesGoEventlog,
// FuzzParseEventLogGoEventlog); it exists because go-eventlog's decoder,
// built on reflection, costs 9× hashing the log's data (bench_test.go).
func parseTCG(raw []byte, allowPadding bool) (format LogFormat, algs []crypto.Hash, events []Event, err error) {
	// Events alias one private copy of the log; real logs average a few
	// hundred bytes per event.
	r := leReader{b: bytes.Clone(raw)}
	events = make([]Event, 0, len(raw)/128+8) // boot logs average 80–300 bytes an event
	r.slab = make([]Digest, 0, 2*cap(events)) // two banks is the common case
	// The first event is always a TCG_PCR_EVENT (SHA-1 format).
	first, err := r.sha1Event()
	if err != nil {
		return 0, nil, nil, fmt.Errorf("parse first event: %v", err)
	}
	var spec []specAlg
	// The Spec ID Event header (TCG PC Client PFP §10.4.5.1): signature,
	// platform class, versions, errata, uintn size and the algorithm count,
	// 28 bytes. A shorter EV_NO_ACTION first event means a SHA-1 log, as
	// go-eventlog decides too.
	if first.Type == EvNoAction && len(first.Data) >= specIDHeaderSize {
		spec, err = parseSpecID(first.Data)
		if err != nil {
			return 0, nil, nil, fmt.Errorf("failed to parse spec ID event: %v", err)
		}
		for _, a := range spec {
			if h := hashFromAlg(a.id); h != 0 && h != crypto.SHA512 {
				algs = append(algs, h)
			}
		}
		if len(algs) == 0 {
			return 0, nil, nil, errors.New("measurement log didn't use sha1, sha256, or sha384 digests")
		}
		format = FormatCryptoAgile
	} else {
		format = FormatSHA1
		algs = []crypto.Hash{crypto.SHA1}
		first.Sequence = 0
		events = append(events, first)
	}
	for len(r.b) != 0 {
		if len(events) >= limits.MaxEvents {
			return 0, nil, nil, limits.TooLarge("events", limits.MaxEvents)
		}
		var e Event
		if format == FormatCryptoAgile {
			var pad bool
			e, pad, err = r.agileEvent(spec)
			if pad {
				if allowPadding {
					break
				}
				return 0, nil, nil, errors.New("reached padding before event log EOF")
			}
		} else {
			e, err = r.sha1Event()
		}
		if err != nil {
			return 0, nil, nil, err
		}
		e.Sequence = len(events)
		events = append(events, e)
	}
	return format, algs, events, nil
}

type specAlg struct{ id, size uint16 }

var errTruncated = errors.New("unexpected end of event log")

// parseSpecID decodes TCG_EfiSpecIDEvent (TCG PC Client PFP §10.4.5.1).
const specIDHeaderSize = 16 + 4 + 1 + 1 + 1 + 1 + 4

func parseSpecID(b []byte) ([]specAlg, error) {
	r := leReader{b: b}
	sig := r.bytes(16)
	r.bytes(4) // platformClass
	minor, major := r.u8(), r.u8()
	r.bytes(2) // errata, uintnSize
	n := r.u32()
	if r.err != nil {
		return nil, r.err
	}
	if !bytes.Equal(sig, specIDSignature) {
		return nil, fmt.Errorf("invalid spec id signature: %x", sig)
	}
	if major != 2 || minor != 0 {
		return nil, fmt.Errorf("invalid spec version %d.%d", major, minor)
	}
	var algs []specAlg
	for i := uint32(0); i < n; i++ {
		a := specAlg{id: r.u16(), size: r.u16()}
		if r.err != nil {
			return nil, fmt.Errorf("reading algorithm: %v", r.err)
		}
		algs = append(algs, a)
	}
	vendor := r.u8()
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != int(vendor) {
		return nil, fmt.Errorf("reading vendor info, expected %d remaining bytes, got %d", vendor, len(r.b))
	}
	return algs, nil
}

// sha1Event decodes a TCG_PCR_EVENT.
func (r *leReader) sha1Event() (Event, error) {
	pcr, typ := r.u32(), r.u32()
	digest := r.bytes(20)
	size := r.u32()
	if r.err != nil {
		return Event{}, fmt.Errorf("header deserialization error: %w", r.err)
	}
	data, err := r.data(size)
	if err != nil {
		return Event{}, err
	}
	return Event{PCR: int(pcr), Type: EventType(typ), Data: data,
		Digests: []Digest{{Hash: crypto.SHA1, Value: digest}}}, nil
}

// agileEvent decodes a TCG_PCR_EVENT2; pad reports an all-ones PCR index
// (CCEL padding).
func (r *leReader) agileEvent(spec []specAlg) (e Event, pad bool, err error) {
	pcr, typ := r.u32(), r.u32()
	if r.err != nil {
		return e, false, r.err
	}
	if pcr == 0xFFFFFFFF {
		return e, true, nil
	}
	e = Event{PCR: int(pcr), Type: EventType(typ)}
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		id := r.u16()
		if r.err != nil {
			break
		}
		size := -1
		for _, a := range spec {
			if a.id == id {
				size = int(a.size)
			}
		}
		if size < 0 {
			return e, false, fmt.Errorf("unknown algorithm ID %x", id)
		}
		if len(r.b) < size {
			return e, false, errTruncated
		}
		d := r.bytes(size)
		if h := hashFromAlg(id); h != 0 && h != crypto.SHA512 {
			if e.Digest(h) == nil {
				if e.Digests == nil {
					e.Digests = r.digests(len(spec))
				}
				e.Digests = append(e.Digests, Digest{Hash: h, Value: d})
			}
		}
	}
	r.slab = r.slab[:len(r.slab)+len(e.Digests)]
	size := r.u32()
	if r.err != nil {
		return e, false, r.err
	}
	e.Data, err = r.data(size)
	return e, false, err
}

func (r *leReader) data(size uint32) ([]byte, error) {
	if uint64(size) > uint64(len(r.b)) {
		return nil, fmt.Errorf("event data size (%d bytes) is greater than remaining measurement log (%d bytes)", size, len(r.b))
	}
	if size > limits.MaxEventDataBytes {
		return nil, limits.TooLarge("event data", limits.MaxEventDataBytes)
	}
	return r.bytes(int(size)), nil
}

// leReader decodes little-endian event-log fields; the first error sticks.
type leReader struct {
	b    []byte
	err  error
	slab []Digest // backing store for the events' digest lists
}

// digests returns an empty slice with room for n digests, carved from a
// shared slab: one allocation per few hundred events instead of one per
// event. Each event's slice is capped, so appends never reach the next.
func (r *leReader) digests(n int) []Digest {
	if cap(r.slab)-len(r.slab) < n {
		r.slab = make([]Digest, 0, max(128, n))
	}
	l := len(r.slab)
	return r.slab[l : l : l+n]
}

func (r *leReader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.err = errTruncated
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *leReader) u8() uint8 {
	if v := r.bytes(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *leReader) u16() uint16 {
	if v := r.bytes(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}

func (r *leReader) u32() uint32 {
	if v := r.bytes(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}
