// Package sevsnptest makes SEV-SNP attestation reports signed under a test
// AMD chain (ARK → ASK/ASVK → VCEK/VLEK, the shape and algorithms of AMD's:
// RSA-4096 RSASSA-PSS roots, ECDSA P-384 endorsement keys, KDS
// certificate extensions), so that builders, registries and policies can
// test SEV-SNP verification without hardware (STYLE.md G12).
//
// Every report field is settable ([Report]); [Signer.SignRaw] re-signs
// arbitrary bytes. Defaults are those of a well-behaved guest: version 3,
// VCEK-signed, debug and migration agent off, VMPL 0, the signer's TCB in
// every TCB field. Reports verify under [Signer.Roots] and are rejected
// under AMD's roots (sevsnp.EmbeddedRoots).
//
// The certificate chain comes from go-sev-guest's test package
// (github.com/google/go-sev-guest/testing, fixed test-only keys). Importing
// this package therefore registers that package's global flags (-product,
// -product_name, -test_kds, -test_use_kds; P-BLD-1, P-SNP-6): import it
// from tests only, and do not reuse those flag names.
//
// # Security considerations
//
// The keys are public test keys. Never add [Signer.Roots] to a production
// verifier.
package sevsnptest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha512"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	sevtest "github.com/google/go-sev-guest/testing"

	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/sevsnp"
)

// Options configure a [Signer].
type Options struct {
	// Product is the KDS product name with stepping ("Milan-B0",
	// "Genoa-B1", "Turin-B0"). "" means "Milan-B0".
	Product string
	// Created is the creation time of every certificate: the ARK, ASK and
	// ASVK are valid 25 years from it, the VCEK and VLEK until 7 years after
	// it (go-sev-guest's test chain). Zero means 2024-01-01T00:00:00Z, so
	// that tests do not depend on the clock.
	Created time.Time
	// TCB is the TCB the VCEK and VLEK are issued for, and the default of
	// every TCB field of reports. Zero means bootloader 3, tee 0, snp 8,
	// microcode 115.
	TCB sevsnp.TCBParts
	// ChipID is the VCEK's HWID and the default CHIP_ID of reports. Zero
	// means 64 bytes of 0xC1.
	ChipID [64]byte
}

// DefaultCreated is the creation time used when Options.Created is zero.
var DefaultCreated = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Signer signs reports under its own test chain. It is safe for concurrent
// use.
type Signer struct {
	amd     *sevtest.AmdSigner
	product string
	line    string
	tcb     sevsnp.TCBParts
	chipID  [64]byte
	roots   *sevsnp.Roots
	bundles []sevsnp.RootBundle
}

// go-sev-guest's test chain builder draws from one shared math/rand source.
var buildMu sync.Mutex

// New makes a signer with a fresh test chain.
func New(o Options) (*Signer, error) {
	if o.Product == "" {
		o.Product = "Milan-B0"
	}
	if o.Created.IsZero() {
		o.Created = DefaultCreated
	}
	if o.TCB == (sevsnp.TCBParts{}) {
		o.TCB = sevsnp.TCBParts{Bootloader: 3, SNP: 8, Microcode: 115}
	}
	if o.ChipID == ([64]byte{}) {
		for i := range o.ChipID {
			o.ChipID[i] = 0xC1
		}
	}
	line, _, _ := strings.Cut(o.Product, "-")
	if _, err := kds.ParseProductName(o.Product, abi.VcekReportSigner); err != nil {
		return nil, fmt.Errorf("sevsnptest: product %q: %v", o.Product, err)
	}
	parts := kds.TCBParts{BlSpl: o.TCB.Bootloader, TeeSpl: o.TCB.TEE, SnpSpl: o.TCB.SNP, UcodeSpl: o.TCB.Microcode}
	b := &sevtest.AmdSignerBuilder{
		Keys:             sevtest.DefaultAmdKeys(),
		ProductName:      o.Product,
		CSPID:            "buildtrust-test",
		ArkCreationTime:  o.Created,
		AskCreationTime:  o.Created,
		AsvkCreationTime: o.Created,
		VcekCreationTime: o.Created,
		VlekCreationTime: o.Created,
		VcekCustom:       sevtest.CertOverride{Extensions: sevtest.CustomExtensions(parts, o.ChipID[:], "", o.Product)},
		VlekCustom:       sevtest.CertOverride{Extensions: sevtest.CustomExtensions(parts, nil, "buildtrust-test", o.Product)},
	}
	buildMu.Lock()
	amd, err := b.TestOnlyCertChain()
	buildMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("sevsnptest: %v", err)
	}
	s := &Signer{amd: amd, product: o.Product, line: line, tcb: o.TCB, chipID: o.ChipID}
	pemOf := func(der ...[]byte) []byte {
		var out []byte
		for _, d := range der {
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
		}
		return out
	}
	s.bundles = []sevsnp.RootBundle{
		{ProductLine: line, PEM: pemOf(amd.Ask.Raw, amd.Ark.Raw)},
		{ProductLine: line, PEM: pemOf(amd.Asvk.Raw, amd.Ark.Raw)},
	}
	if s.roots, err = sevsnp.ParseRoots(s.bundles...); err != nil {
		return nil, fmt.Errorf("sevsnptest: %v", err)
	}
	return s, nil
}

// Roots returns the test roots (ARK with ASK and ASVK) as sevsnp.Roots.
func (s *Signer) Roots() *sevsnp.Roots { return s.roots }

// RootBundles returns the test roots in KDS cert_chain PEM form.
func (s *Signer) RootBundles() []sevsnp.RootBundle { return s.bundles }

// ProductLine returns "Milan", "Genoa" or "Turin".
func (s *Signer) ProductLine() string { return s.line }

// VCEK returns the DER VCEK certificate.
func (s *Signer) VCEK() []byte { return append([]byte(nil), s.amd.Vcek.Raw...) }

// VLEK returns the DER VLEK certificate.
func (s *Signer) VLEK() []byte { return append([]byte(nil), s.amd.Vlek.Raw...) }

// VCEKNotAfter returns the end of the VCEK's validity.
func (s *Signer) VCEKNotAfter() time.Time { return s.amd.Vcek.NotAfter }

// CertTable returns an extended-report certificate table holding ARK, ASK,
// VCEK, VLEK and ASVK, as a host would serve it.
func (s *Signer) CertTable() []byte {
	b, err := s.amd.CertTableBytes()
	if err != nil { // only on a broken chain, which New refuses
		panic("sevsnptest: " + err.Error())
	}
	return b
}

// Report is every field of an ATTESTATION_REPORT. [Signer.Report] fills
// the defaults.
type Report struct {
	Version                                          uint32
	GuestSVN                                         uint32
	Policy                                           uint64
	FamilyID, ImageID                                [16]byte
	VMPL                                             uint32
	CurrentTCB, ReportedTCB, CommittedTCB, LaunchTCB sevsnp.TCBParts
	PlatformInfo                                     uint64
	SigningKey                                       tee.KeyKind
	MaskChipKey, AuthorKeyEn                         bool
	ReportData                                       [64]byte
	Measurement                                      [48]byte
	HostData                                         [32]byte
	IDKeyDigest, AuthorKeyDigest                     [48]byte
	ReportID, ReportIDMA                             [32]byte
	ChipID                                           [64]byte
	CPUID1EAX                                        uint32
	CurrentBuild, CurrentMinor, CurrentMajor         uint8
	CommittedBuild, CommittedMinor, CommittedMajor   uint8
	LaunchMitVector, CurrentMitVector                uint64
}

// PolicyDefault is the default guest policy: SMT allowed, the reserved
// bit 17 set, debug and migration agent off.
const PolicyDefault = 0x30000

// Policy bits of the guest policy (SEV-SNP ABI, GUEST_POLICY).
const (
	PolicySMT       = 1 << 16
	PolicyMigrateMA = 1 << 18
	PolicyDebug     = 1 << 19
)

// Report returns a report with the defaults: version 3, CPUID of the
// signer's product, policy PolicyDefault, VCEK-signed, VMPL 0, every TCB
// field the signer's TCB, CHIP_ID the VCEK's HWID, firmware 1.55 build 1.
func (s *Signer) Report() Report {
	return Report{
		Version: 3, Policy: PolicyDefault, SigningKey: tee.VCEK,
		CurrentTCB: s.tcb, ReportedTCB: s.tcb, CommittedTCB: s.tcb, LaunchTCB: s.tcb,
		ChipID: s.chipID, CurrentMajor: 1, CurrentMinor: 55, CurrentBuild: 1,
		CommittedMajor: 1, CommittedMinor: 55, CommittedBuild: 1,
	}
}

// Sign encodes r and signs it with the VCEK or VLEK r names. A zero
// CPUID1EAX in a version 3+ report is filled with the signer's product.
func (s *Signer) Sign(r Report) ([]byte, error) {
	si := abi.SignerInfo{SigningKey: abi.VcekReportSigner, MaskChipKey: r.MaskChipKey, AuthorKeyEn: r.AuthorKeyEn}
	switch r.SigningKey {
	case tee.VCEK:
	case tee.VLEK:
		si.SigningKey = abi.VlekReportSigner
	default:
		return nil, fmt.Errorf("sevsnptest: signing key %q", r.SigningKey)
	}
	fms := r.CPUID1EAX
	if fms == 0 && r.Version >= 3 {
		p, err := kds.ParseProductName(s.product, abi.VcekReportSigner)
		if err != nil {
			return nil, err
		}
		fms = abi.MaskedCpuid1EaxFromSevProduct(p)
	}
	p := &spb.Report{
		Version: r.Version, GuestSvn: r.GuestSVN, Policy: r.Policy,
		FamilyId: r.FamilyID[:], ImageId: r.ImageID[:], Vmpl: r.VMPL,
		SignatureAlgo: abi.SignEcdsaP384Sha384,
		CurrentTcb:    sevsnp.EncodeTCB(s.line, r.CurrentTCB), PlatformInfo: r.PlatformInfo,
		SignerInfo: abi.ComposeSignerInfo(si), ReportData: r.ReportData[:], Measurement: r.Measurement[:],
		HostData: r.HostData[:], IdKeyDigest: r.IDKeyDigest[:], AuthorKeyDigest: r.AuthorKeyDigest[:],
		ReportId: r.ReportID[:], ReportIdMa: r.ReportIDMA[:], ReportedTcb: sevsnp.EncodeTCB(s.line, r.ReportedTCB),
		Cpuid1EaxFms: fms, ChipId: r.ChipID[:], CommittedTcb: sevsnp.EncodeTCB(s.line, r.CommittedTCB),
		CurrentBuild: uint32(r.CurrentBuild), CurrentMinor: uint32(r.CurrentMinor), CurrentMajor: uint32(r.CurrentMajor),
		CommittedBuild: uint32(r.CommittedBuild), CommittedMinor: uint32(r.CommittedMinor), CommittedMajor: uint32(r.CommittedMajor),
		LaunchTcb: sevsnp.EncodeTCB(s.line, r.LaunchTCB), LaunchMitVector: r.LaunchMitVector, CurrentMitVector: r.CurrentMitVector,
		Signature: make([]byte, abi.SignatureSize),
	}
	raw, err := abi.ReportToAbiBytes(p)
	if err != nil {
		return nil, fmt.Errorf("sevsnptest: %v", err)
	}
	return s.SignRaw(raw)
}

// SignRaw signs an arbitrary ReportSize-byte report in place of its
// signature field, with the key its SIGNER_INFO names, and returns the
// signed copy. Use it to make reports whose fields Report cannot express.
func (s *Signer) SignRaw(raw []byte) ([]byte, error) {
	if len(raw) != sevsnp.ReportSize {
		return nil, fmt.Errorf("sevsnptest: report is %d bytes, want %d", len(raw), sevsnp.ReportSize)
	}
	out := append([]byte(nil), raw...)
	info, err := abi.ReportSignerInfo(out)
	if err != nil {
		return nil, err
	}
	key := s.amd.Keys.Vcek
	if (info>>2)&7 == uint32(abi.VlekReportSigner) {
		key = s.amd.Keys.Vlek
	}
	if key == nil {
		return nil, errors.New("sevsnptest: no key for the report's signer")
	}
	d := sha512.Sum384(abi.SignedComponent(out))
	R, S, err := ecdsa.Sign(rand.Reader, key, d[:])
	if err != nil {
		return nil, err
	}
	if err := abi.SetSignature(R, S, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Evidence signs r and returns it with the signer's certificate table.
func (s *Signer) Evidence(r Report) (sevsnp.Evidence, error) {
	raw, err := s.Sign(r)
	if err != nil {
		return sevsnp.Evidence{}, err
	}
	return sevsnp.Evidence{Report: raw, CertTable: s.CertTable()}, nil
}
