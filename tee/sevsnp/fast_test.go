package sevsnp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"math/big"
	"testing"

	"github.com/google/go-sev-guest/abi"
)

// The warm path's shortcuts must decide exactly as the code they replace.

// leBig is the reference conversion (the one verifySignature used before
// sigDER).
func leBig(le []byte) *big.Int {
	be := make([]byte, len(le))
	for i, b := range le {
		be[len(le)-1-i] = b
	}
	return new(big.Int).SetBytes(be)
}

func le72(v *big.Int) []byte {
	out := make([]byte, 0x48)
	be := v.FillBytes(make([]byte, 0x48))
	for i, b := range be {
		out[0x47-i] = b
	}
	return out
}

func TestSigDERDecidesAsVerify(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := sha512.Sum384([]byte("report"))
	r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
	if err != nil {
		t.Fatal(err)
	}
	n := elliptic.P384().Params().N
	one := big.NewInt(1)
	big72 := new(big.Int).Lsh(one, 8*0x48-1) // top bit of the 72-byte field
	values := []*big.Int{r, s, big.NewInt(0), one, new(big.Int).Sub(n, one), n, new(big.Int).Add(n, r), new(big.Int).Lsh(one, 383), big72, new(big.Int).Add(big72, r)}
	for _, rv := range values {
		for _, sv := range values {
			rLE, sLE := le72(rv), le72(sv)
			want := ecdsa.Verify(&key.PublicKey, d[:], leBig(rLE), leBig(sLE))
			var buf [155]byte
			der, ok := sigDER(buf[:0], rLE, sLE)
			got := ok && ecdsa.VerifyASN1(&key.PublicKey, d[:], der)
			if got != want {
				t.Errorf("r=%x s=%x: sigDER path %t, ecdsa.Verify %t", rv, sv, got, want)
			}
			if want && !(rv.Cmp(r) == 0 && sv.Cmp(s) == 0) {
				t.Errorf("accepted a signature other than the genuine one")
			}
		}
	}
	if der, ok := sigDER(nil, le72(r), le72(s)); !ok || !ecdsa.VerifyASN1(&key.PublicKey, d[:], der) {
		t.Fatal("genuine signature rejected")
	}
}

func TestTCBPartsStringFormat(t *testing.T) {
	for _, p := range []TCBParts{{}, {1, 2, 3, 4, 5}, {255, 255, 255, 255, 255}, {Bootloader: 9, Microcode: 210}} {
		want := fmt.Sprintf("bl=%d tee=%d snp=%d ucode=%d fmc=%d", p.Bootloader, p.TEE, p.SNP, p.Microcode, p.FMC)
		if got := p.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

func TestProductFromCPUIDMemo(t *testing.T) {
	// Alternating models must not return a stale memo.
	for range 3 {
		for _, c := range []struct {
			eax        uint32
			line, name string
		}{{0x00a00f10, "Milan", "Milan-B0"}, {0x00a10f11, "Genoa", "Genoa-B1"}, {0x00b00f00, "", ""}, {0x00a00f11, "Milan", "Milan-B1"}} {
			r := &Report{CPUID1EAX: c.eax}
			if line, name := r.productFromCPUID(); line != c.line || name != c.name {
				t.Errorf("CPUID %#x: %q %q, want %q %q", c.eax, line, name, c.line, c.name)
			}
		}
	}
}

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
