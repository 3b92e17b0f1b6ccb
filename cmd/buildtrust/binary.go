package main

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/buildtrust/buildtrust/tee/sevsnp"
	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/tpm"
)

// describeBinary recognises binary evidence by its fixed structure: the
// SEV-SNP report by its exact size, a TDX quote by its header, a TPM quote
// by TPM_GENERATED_VALUE, then the formats without a magic number (event
// logs, certificate tables) by parsing.
func (in inspector) describeBinary(data []byte) (*node, error) {
	switch {
	case len(data) == sevsnp.ReportSize:
		r, err := sevsnp.ParseReport(data)
		if err != nil {
			return nil, fmt.Errorf("SEV-SNP attestation report (%d bytes): %w", len(data), err)
		}
		return snpNode(r), nil
	case isTDXQuote(data):
		q, err := tdx.ParseQuote(data)
		if err != nil {
			return nil, fmt.Errorf("TDX quote: %w", err)
		}
		return tdxNode(q), nil
	case len(data) >= 4 && binary.BigEndian.Uint32(data) == tpm.GeneratedValue:
		return in.quoteNode(data)
	}
	if l, err := tpm.ParseEventLog(data); err == nil {
		return in.eventLogNode("TCG event log", l), nil
	}
	if l, err := tpm.ParseCCEL(data); err == nil {
		return in.eventLogNode("TDX CC event log (CCEL)", l), nil
	}
	if t, err := sevsnp.ParseCertTable(data); err == nil && (t.VCEK != nil || t.VLEK != nil || t.ASK != nil || t.ARK != nil) {
		return certTableNode(t), nil
	}
	return nil, errUnrecognised
}

// isTDXQuote checks the DCAP quote header: version 4 or 5, attestation key
// type 2 (ECDSA P-256), TEE type 0x81 (TDX), all little-endian.
func isTDXQuote(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	v := binary.LittleEndian.Uint16(b)
	return (v == 4 || v == 5) && binary.LittleEndian.Uint16(b[2:]) == 2 && binary.LittleEndian.Uint32(b[4:]) == 0x81
}

func hexs(b []byte) string { return hex.EncodeToString(b) }

// snpProductLine guesses the product line from CPUID Fn0000_0001_EAX
// (reports of version 3 and later carry it) to lay out TCB versions; the
// tee/sevsnp package keeps its own mapping unexported.
func snpProductLine(eax uint32) string {
	if eax == 0 {
		return ""
	}
	family := (eax>>8)&0xf + (eax>>20)&0xff
	extModel := (eax >> 16) & 0xf
	switch {
	case family == 0x19 && extModel == 0:
		return sevsnp.Milan
	case family == 0x19 && extModel == 1:
		return sevsnp.Genoa
	case family == 0x1a && extModel == 0:
		return sevsnp.Turin
	}
	return ""
}

func snpNode(r *sevsnp.Report) *node {
	line := snpProductLine(r.CPUID1EAX)
	layout := line
	if layout == "" {
		layout = "Milan/Genoa layout; the report does not name its product"
	}
	tcb := func(v uint64) string {
		return fmt.Sprintf("0x%016x (%s)", v, sevsnp.DecodeTCB(line, v))
	}
	n := newNode("AMD SEV-SNP attestation report").
		set("version", r.Version).
		set("productLine", layout).
		set("guestSVN", r.GuestSVN).
		set("policy", fmt.Sprintf("0x%x", r.Policy)).
		// SEV-SNP ABI, GUEST_POLICY bit 19: the host may debug the guest.
		set("debugAllowed", r.Policy&(1<<19) != 0).
		set("vmpl", r.VMPL).
		set("signatureAlgo", r.SignatureAlgo).
		set("signingKey", string(r.SigningKey)).
		set("maskChipKey", r.MaskChipKey).
		set("currentTCB", tcb(r.CurrentTCB)).
		set("reportedTCB", tcb(r.ReportedTCB)).
		set("committedTCB", tcb(r.CommittedTCB)).
		set("launchTCB", tcb(r.LaunchTCB)).
		set("platformInfo", fmt.Sprintf("0x%x", r.PlatformInfo)).
		set("measurement", hexs(r.Measurement[:])).
		set("reportData", hexs(r.ReportData[:])).
		set("hostData", hexs(r.HostData[:])).
		set("familyId", hexs(r.FamilyID[:])).
		set("imageId", hexs(r.ImageID[:])).
		set("idKeyDigest", hexs(r.IDKeyDigest[:])).
		set("authorKeyDigest", hexs(r.AuthorKeyDigest[:])).
		set("reportId", hexs(r.ReportID[:])).
		set("chipId", hexs(r.ChipID[:])).
		set("firmware", fmt.Sprintf("current %d.%d.%d, committed %d.%d.%d", r.CurrentMajor, r.CurrentMinor, r.CurrentBuild, r.CommittedMajor, r.CommittedMinor, r.CommittedBuild))
	if r.CPUID1EAX != 0 {
		n.set("cpuid1eax", fmt.Sprintf("0x%08x", r.CPUID1EAX))
	}
	return n
}

func tdxNode(q *tdx.Quote) *node {
	n := newNode("Intel TDX quote").
		set("version", q.Version).
		set("qeSVN", q.QESVN).
		set("pceSVN", q.PCESVN).
		set("teeTcbSvn", hexs(q.TEETCBSVN[:])).
		set("mrSeam", hexs(q.MRSEAM[:])).
		set("mrSignerSeam", hexs(q.MRSIGNERSEAM[:])).
		set("seamAttributes", fmt.Sprintf("0x%016x", q.SEAMAttributes)).
		set("tdAttributes", fmt.Sprintf("0x%016x", q.TDAttributes)).
		set("debug", q.Debug()).
		set("xfam", fmt.Sprintf("0x%016x", q.XFAM)).
		set("mrTd", hexs(q.MRTD[:])).
		set("mrConfigId", hexs(q.MRCONFIGID[:])).
		set("mrOwner", hexs(q.MROWNER[:])).
		set("mrOwnerConfig", hexs(q.MROWNERCONFIG[:]))
	for i, r := range q.RTMR {
		n.set("rtmr"+strconv.Itoa(i), hexs(r[:]))
	}
	n.set("reportData", hexs(q.ReportData[:]))
	return n.set("pckChain", certsNode(q.PCKChain))
}

// placeholderSignature is an empty ECDSA TPMT_SIGNATURE, used only to let
// tpm.ParseQuote decode a TPMS_ATTEST that came without its signature (the
// tpm package has no parser for TPMS_ATTEST alone); it is never shown.
var placeholderSignature = []byte{0x00, 0x18, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00}

func (in inspector) quoteNode(attest []byte) (*node, error) {
	sig := in.tpmSignature
	if sig == nil {
		sig = placeholderSignature
	}
	q, err := tpm.ParseQuote(attest, sig)
	if err != nil {
		return nil, fmt.Errorf("TPM quote (TPMS_ATTEST): %w", err)
	}
	kind := "TPM 2.0 quote (TPMS_ATTEST)"
	typ := fmt.Sprintf("0x%04x", q.Type)
	if q.Type == tpm.AttestQuote {
		typ += " TPM_ST_ATTEST_QUOTE"
	} else {
		kind = "TPM 2.0 attestation (TPMS_ATTEST, not a quote)"
	}
	n := newNode(kind).
		set("magic", fmt.Sprintf("0x%08x", q.Magic)).
		set("type", typ).
		set("qualifiedSigner", hexs(q.QualifiedSigner)).
		set("extraData", hexs(q.ExtraData)).
		set("clock", q.Clock).
		set("resetCount", q.ResetCount).
		set("restartCount", q.RestartCount).
		set("safe", q.Safe).
		set("firmwareVersion", fmt.Sprintf("0x%016x", q.FirmwareVersion))
	var sel []string
	for _, s := range q.Selection {
		name := tpm.HashName(s.Hash)
		if name == "" {
			name = fmt.Sprintf("alg 0x%04x", s.Alg)
		}
		idx := make([]string, len(s.PCRs))
		for i, p := range s.PCRs {
			idx[i] = strconv.Itoa(p)
		}
		sel = append(sel, name+": "+strings.Join(idx, ","))
	}
	n.set("pcrSelection", sel).set("pcrDigest", hexs(q.PCRDigest))
	if in.tpmSignature == nil {
		return n.set("signature", "not supplied (give -signature FILE)"), nil
	}
	s := q.Signature
	scheme := map[uint16]string{tpm.SigRSASSA: "RSASSA", tpm.SigRSAPSS: "RSAPSS", tpm.SigECDSA: "ECDSA"}[s.Scheme]
	size := len(s.RSA)
	if s.Scheme == tpm.SigECDSA {
		size = len(s.R) + len(s.S)
	}
	return n.set("signature", fmt.Sprintf("%s with %s, %d bytes", scheme, tpmAlgName(s.HashAlg), size)), nil
}

func tpmAlgName(alg uint16) string {
	switch alg {
	case 0x0004:
		return "SHA-1"
	case 0x000b:
		return "SHA-256"
	case 0x000c:
		return "SHA-384"
	case 0x000d:
		return "SHA-512"
	}
	return fmt.Sprintf("alg 0x%04x", alg)
}

func (in inspector) eventLogNode(kind string, l *tpm.EventLog) *node {
	format := "crypto-agile"
	if l.Format == tpm.FormatSHA1 {
		format = "SHA-1 (TPM 1.2 style)"
	}
	var algs []string
	for _, h := range l.Algs {
		algs = append(algs, tpm.HashName(h))
	}
	types := map[string]int{}
	for _, e := range l.Events {
		types[e.Type.String()]++
	}
	var typeCounts []string
	for t, c := range types {
		typeCounts = append(typeCounts, fmt.Sprintf("%s %d", t, c))
	}
	sort.Strings(typeCounts)
	n := newNode(kind).
		set("format", format).
		set("banks", strings.Join(algs, ", ")).
		set("events", len(l.Events)).
		set("eventTypes", typeCounts)
	register := "PCR"
	if strings.Contains(kind, "CCEL") {
		register = "MR" // CC measurement register index: RTMR n is n+1
	}
	var replays []*node
	for _, h := range l.Algs {
		bank, err := l.Replay(h)
		rn := newNode("replay " + tpm.HashName(h))
		if err != nil {
			replays = append(replays, rn.set("error", err.Error()))
			continue
		}
		for _, i := range bank.Indices() {
			rn.set(register+strconv.Itoa(i), hexs(bank.PCRs[i]))
		}
		replays = append(replays, rn)
	}
	n.set("replayedValues", replays)
	if in.verbose {
		var events []*node
		for _, e := range l.Events {
			en := newNode(e.Type.String()).set("sequence", e.Sequence).set(register, e.PCR)
			for _, d := range e.Digests {
				en.set(tpm.HashName(d.Hash), hexs(d.Value))
			}
			en.set("data", eventData(e.Data))
			events = append(events, en)
		}
		n.set("eventList", events)
	}
	return n
}

// eventData shows event data as text when it is printable (GRUB commands,
// kernel command lines), else as hex, shortened either way.
func eventData(b []byte) string {
	s := strings.TrimRight(string(b), "\x00")
	if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' }) {
		return truncate(s, 200)
	}
	return truncate(hexs(b), 200)
}

func certTableNode(t *sevsnp.CertTable) *node {
	n := newNode("AMD SEV-SNP certificate table")
	for _, e := range []struct {
		name string
		der  []byte
	}{{"vcek", t.VCEK}, {"vlek", t.VLEK}, {"ask", t.ASK}, {"ark", t.ARK}} {
		if e.der != nil {
			n.set(e.name, certsNode(e.der))
		}
	}
	var other []string
	for guid, b := range t.Other {
		other = append(other, fmt.Sprintf("%s (%d bytes)", guid, len(b)))
	}
	sort.Strings(other)
	return n.set("other", other)
}

// certsNode describes one DER certificate or a PEM chain.
func certsNode(data []byte) *node {
	var ders [][]byte
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			ders = append(ders, block.Bytes)
		}
	}
	if len(ders) == 0 {
		ders = [][]byte{data}
	}
	if len(ders) == 1 {
		return certNode(ders[0])
	}
	n := newNode(fmt.Sprintf("certificate chain (%d)", len(ders)))
	var certs []*node
	for _, d := range ders {
		certs = append(certs, certNode(d))
	}
	return n.set("certificates", certs)
}

// Fulcio certificate extensions (github.com/sigstore/fulcio docs/oid-info.md)
// that say who signed: the OIDC issuer and, for CI signers, the workflow.
var fulcioOIDs = []struct {
	oid  asn1.ObjectIdentifier
	name string
	raw  bool // the deprecated .1.1–.1.6 values are raw strings, not DER
}{
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}, "oidcIssuer", true},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}, "oidcIssuer", false},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 9}, "buildSignerURI", false},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 12}, "sourceRepositoryURI", false},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 13}, "sourceRepositoryDigest", false},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 14}, "sourceRepositoryRef", false},
	{asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 21}, "runInvocationURI", false},
}

func certNode(der []byte) *node {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return newNode("certificate (unreadable)").set("error", err.Error())
	}
	n := newNode("X.509 certificate").
		set("subject", c.Subject.String()).
		set("issuer", c.Issuer.String()).
		set("serial", c.SerialNumber.String()).
		set("notBefore", c.NotBefore.UTC().Format(timeLayout)).
		set("notAfter", c.NotAfter.UTC().Format(timeLayout))
	var sans []string
	for _, u := range c.URIs {
		sans = append(sans, u.String())
	}
	sans = append(append(sans, c.EmailAddresses...), c.DNSNames...)
	n.set("subjectAltNames", sans)
	seen := map[string]bool{}
	for _, f := range fulcioOIDs {
		for _, ext := range c.Extensions {
			if !ext.Id.Equal(f.oid) || seen[f.name] {
				continue
			}
			v := string(ext.Value)
			if !f.raw {
				var s string
				if _, err := asn1.Unmarshal(ext.Value, &s); err != nil {
					continue
				}
				v = s
			}
			seen[f.name] = true
			n.set(f.name, v)
		}
	}
	return n.set("publicKey", publicKeyType(c.PublicKey))
}

func publicKeyType(k crypto.PublicKey) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", k), "*")
}
