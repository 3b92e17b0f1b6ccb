package sevsnp

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/google/go-sev-guest/abi"
)

// The warm path's shortcuts must decide exactly as the code they replace.

func certTableOf(entries map[[16]byte][]byte) []byte {
	var hdr, data []byte
	off := (len(entries) + 1) * abi.CertTableEntrySize
	for g, d := range entries {
		var e [24]byte
		copy(e[:], g[:])
		binary.LittleEndian.PutUint32(e[16:], uint32(off+len(data)))
		binary.LittleEndian.PutUint32(e[20:], uint32(len(d)))
		hdr = append(hdr, e[:]...)
		data = append(data, d...)
	}
	hdr = append(hdr, make([]byte, 24)...)
	return append(hdr, data...)
}

// FuzzCertTableEntry: certTableEntry accepts exactly the tables
// ParseCertTable accepts and returns the same VCEK and VLEK.
func FuzzCertTableEntry(f *testing.F) {
	f.Add([]byte{})
	f.Add(make([]byte, 24))
	f.Add(certTableOf(map[[16]byte][]byte{guidVCEK: []byte("vcek"), guidASK: []byte("ask"), guidARK: []byte("ark")}))
	f.Add(certTableOf(map[[16]byte][]byte{guidVLEK: []byte("vlek"), {1}: []byte("other")}))
	f.Add(certTableOf(map[[16]byte][]byte{guidVCEK: {}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, err := ParseCertTable(b)
		vcek, errV := certTableEntry(b, guidVCEK)
		vlek, errL := certTableEntry(b, guidVLEK)
		if (err == nil) != (errV == nil) || (err == nil) != (errL == nil) {
			t.Fatalf("ParseCertTable: %v; certTableEntry: %v, %v", err, errV, errL)
		}
		if err != nil {
			if err.Error() != errV.Error() {
				t.Fatalf("errors differ: %v / %v", err, errV)
			}
			return
		}
		if !bytes.Equal(ct.VCEK, vcek) || (ct.VCEK == nil) != (vcek == nil) || !bytes.Equal(ct.VLEK, vlek) || (ct.VLEK == nil) != (vlek == nil) {
			t.Fatalf("entries differ: %x %x / %x %x", ct.VCEK, ct.VLEK, vcek, vlek)
		}
	})
}
