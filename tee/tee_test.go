package tee_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/tee"
)

// Known answers computed outside Go with coreutils:
//
//	(printf 'buildtrust/bind/v1\0launch\0'; head -c 32 /dev/zero) | sha512sum
//	(printf 'buildtrust/bind/v1\0dispatch\0'; printf 'abc') | sha512sum
func TestBindKnownAnswers(t *testing.T) {
	tests := []struct {
		purpose string
		payload []byte
		want    string
	}{
		{tee.PurposeLaunch, make([]byte, 32), "3781924fbd314875d2327431b835e425c7007f70ff9cb9d1832fc0052797998591434cc6c8bf37832f8a3ccbc6537cda3acf88345c947c89b0d48ed4d2d27e43"},
		{tee.PurposeDispatch, []byte("abc"), "c8d88d19a764273613a9ba1b6260e755806ab70d9c697be0de4c5e833732431b7412498a34934215a75e98348003e6bf9a930d31fbdab5c7210336c71d6b5666"},
	}
	for _, tt := range tests {
		got, err := tee.Bind(tt.purpose, tt.payload)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got[:]) != tt.want {
			t.Errorf("Bind(%q) = %x, want %s", tt.purpose, got, tt.want)
		}
	}
}

func TestBindRejectsAmbiguousPurpose(t *testing.T) {
	for _, p := range []string{"", "launch\x00x", "\x00"} {
		if _, err := tee.Bind(p, nil); !errors.Is(err, tee.ErrPurpose) {
			t.Errorf("Bind(%q): err = %v, want ErrPurpose", p, err)
		}
	}
	// Without the NUL rule, ("a\x00b", "c") and ("a", "b\x00c") would collide.
	a, _ := tee.Bind("a", []byte("b\x00c"))
	b, _ := tee.Bind("ab", []byte("c"))
	if a == b {
		t.Error("different (purpose, payload) pairs bind alike")
	}
}

// TestBindAgreesWithSCAI proves that tee.Bind is the function the scai
// package's bindings describe (DESIGN.md "Binding convention", BENV-H-4,
// BENV-L3-2): same convention name and purposes, and for a launch and a
// dispatch binding built by scai, Bind over scai's payload bytes equals
// SHA-512 of the convention spelled out from scai's own constants.
func TestBindAgreesWithSCAI(t *testing.T) {
	if tee.BindingConvention != scai.BindingConvention || tee.PurposeLaunch != scai.PurposeLaunch || tee.PurposeDispatch != scai.PurposeDispatch {
		t.Fatal("tee and scai name the binding convention differently")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := scai.IdentityDescriptor(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	bindings := []scai.Binding{
		scai.LaunchBinding(id),
		{Convention: scai.BindingConvention, Purpose: scai.PurposeDispatch, Payload: scai.DispatchPayload(id, "build-42")},
	}
	for _, b := range bindings {
		payload, err := b.PayloadBytes()
		if err != nil {
			t.Fatal(err)
		}
		if len(payload) != 32 {
			t.Fatalf("payload %d bytes", len(payload))
		}
		got, err := tee.Bind(b.Purpose, payload)
		if err != nil {
			t.Fatal(err)
		}
		want := sha512.Sum512([]byte(b.Convention + "\x00" + b.Purpose + "\x00" + string(payload)))
		if got != want {
			t.Errorf("%s: tee.Bind = %x, scai convention gives %x", b.Purpose, got, want)
		}
	}
	// The launch payload is the identity key's SHA-256, as scai states.
	if lb := scai.LaunchBinding(id); lb.Payload[buildtrust.SHA256] != id.Digest[buildtrust.SHA256] {
		t.Error("launch payload is not the identity digest")
	}
}

func TestCacheBounded(t *testing.T) {
	c := tee.NewCache[int](3)
	for i := range 10 {
		c.Put(tee.CacheKey{byte(i)}, i)
	}
	if c.Len() != 3 {
		t.Fatalf("Len = %d, want 3", c.Len())
	}
	for i := range 7 {
		if _, ok := c.Get(tee.CacheKey{byte(i)}); ok {
			t.Errorf("entry %d not evicted", i)
		}
	}
	for i := 7; i < 10; i++ {
		if v, ok := c.Get(tee.CacheKey{byte(i)}); !ok || v != i {
			t.Errorf("entry %d = %v, %v", i, v, ok)
		}
	}
	off := tee.NewCache[int](-1)
	off.Put(tee.CacheKey{1}, 1)
	if _, ok := off.Get(tee.CacheKey{1}); ok {
		t.Error("disabled cache returned an entry")
	}
	if tee.NewCache[int](0).Len() != 0 {
		t.Error("new cache not empty")
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := tee.NewCache[string](16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				k := tee.CacheKey{byte(g), byte(i)}
				c.Put(k, fmt.Sprint(i))
				c.Get(k)
			}
		}()
	}
	wg.Wait()
	if c.Len() > 16 {
		t.Errorf("Len = %d > 16", c.Len())
	}
}
