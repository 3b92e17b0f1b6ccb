package tpmtest

import (
	"bytes"
	"crypto"
	"encoding/binary"
	"fmt"
)

// Log writes a TCG crypto-agile event log (TCG PC Client Platform Firmware
// Profile §10.2.1–10.2.2): a TCG_PCR_EVENT header carrying a Spec ID
// Event03 that declares the banks, then one TCG_PCR_EVENT2 per event with
// a digest for every bank. go-eventlog has no writer; this one is small on
// purpose, and its output is parsed back by go-eventlog in the tests.
//
// The same format, with SHA-384 only and CC measurement-register indices
// (RTMR n = index n+1), is a TDX CCEL.
type Log struct {
	banks []crypto.Hash
	buf   bytes.Buffer
}

// NewLog starts a log with the given banks (SHA-1, SHA-256, SHA-384,
// SHA-512), in that order in the Spec ID event.
func NewLog(banks ...crypto.Hash) (*Log, error) {
	l := &Log{banks: banks}
	var spec bytes.Buffer
	spec.WriteString("Spec ID Event03\x00")
	le(&spec, uint32(0)) // platformClass
	spec.Write([]byte{0, 2, 0, 2})
	le(&spec, uint32(len(banks)))
	for _, h := range banks {
		alg := algID(h)
		if alg == 0 {
			return nil, fmt.Errorf("tpmtest: unsupported bank %v", h)
		}
		le(&spec, alg)
		le(&spec, uint16(h.Size()))
	}
	spec.WriteByte(0) // vendorInfoSize
	le(&l.buf, uint32(0))
	le(&l.buf, uint32(0x03)) // EV_NO_ACTION
	l.buf.Write(make([]byte, 20))
	le(&l.buf, uint32(spec.Len()))
	l.buf.Write(spec.Bytes())
	return l, nil
}

// Append writes one event whose digest in every bank is the hash of data.
func (l *Log) Append(pcr int, eventType uint32, data []byte) {
	digests := map[crypto.Hash][]byte{}
	for _, h := range l.banks {
		d := h.New()
		d.Write(data)
		digests[h] = d.Sum(nil)
	}
	l.AppendDigests(pcr, eventType, data, digests)
}

// AppendDigests writes one event with explicit digests (for events whose
// digest is not the hash of their data, e.g. an EFI application's
// Authenticode hash). A bank missing from digests is written as zeros.
func (l *Log) AppendDigests(pcr int, eventType uint32, data []byte, digests map[crypto.Hash][]byte) {
	le(&l.buf, uint32(pcr))
	le(&l.buf, eventType)
	le(&l.buf, uint32(len(l.banks)))
	for _, h := range l.banks {
		le(&l.buf, algID(h))
		d := digests[h]
		if len(d) != h.Size() {
			d = make([]byte, h.Size())
		}
		l.buf.Write(d)
	}
	le(&l.buf, uint32(len(data)))
	l.buf.Write(data)
}

// Bytes returns a copy of the log written so far.
func (l *Log) Bytes() []byte { return bytes.Clone(l.buf.Bytes()) }

func le(b *bytes.Buffer, v any) { _ = binary.Write(b, binary.LittleEndian, v) }

func algID(h crypto.Hash) uint16 {
	switch h {
	case crypto.SHA1:
		return 0x0004
	case crypto.SHA256:
		return 0x000B
	case crypto.SHA384:
		return 0x000C
	case crypto.SHA512:
		return 0x000D
	}
	return 0
}
