// Package tpmtest is a pure-Go software TPM for tests and examples: it holds
// an attestation key, PCR banks and the event log of what it measured, and
// produces real TPM 2.0 quotes — a TPMS_ATTEST marshalled with go-tpm and a
// TPMT_SIGNATURE by the AK — that package tpm verifies like any other. No
// cgo, no hardware.
//
// It also mints deliberately broken evidence (bad magic, wrong attestation
// type, foreign AK, edited PCRs) through [TPM.QuoteWith], and AK
// certificates under a test CA ([NewCA]).
//
// It is not a TPM: there are no hierarchies, sessions, authorization or
// restricted-key semantics — [TPM.SignAttest] signs any bytes, which a real
// restricted AK never does. Never use it outside tests.
package tpmtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/google/go-tpm/tpm2"

	"github.com/buildtrust/buildtrust/tpm"
)

// Options configure a software TPM. The zero value gives an ECDSA P-256 AK
// signing with SHA-256 and SHA-1, SHA-256 and SHA-384 banks.
type Options struct {
	// Key is the AK: *ecdsa.PrivateKey (P-256, P-384) or *rsa.PrivateKey.
	// Nil: a fresh ECDSA P-256 key from Rand.
	Key crypto.Signer
	// RSAPSS makes an RSA AK sign with RSASSA-PSS instead of PKCS #1 v1.5.
	RSAPSS bool
	// Hash is the signature (and PCR digest) hash. Zero: SHA-256, or SHA-384
	// for a P-384 key.
	Hash crypto.Hash
	// Banks are the PCR banks. Empty: SHA-1, SHA-256, SHA-384.
	Banks []crypto.Hash
	// Locality is the startup locality; non-zero values are recorded in a
	// StartupLocality event and start PCR0 at that value.
	Locality byte
	// Rand is the randomness for key generation and signatures. Nil:
	// crypto/rand.
	Rand io.Reader
}

// TPM is a software TPM. It is safe for concurrent use.
type TPM struct {
	mu     sync.Mutex
	key    crypto.Signer
	pss    bool
	hash   crypto.Hash
	banks  []crypto.Hash
	pcrs   map[crypto.Hash][][]byte
	log    *Log
	rand   io.Reader
	clock  uint64
	public tpm2.TPMTPublic
}

// NumPCRs is the number of PCRs per bank (PC Client).
const NumPCRs = 24

// New starts a software TPM with fresh PCRs and an empty event log.
func New(opts Options) (*TPM, error) {
	t := &TPM{key: opts.Key, pss: opts.RSAPSS, hash: opts.Hash, banks: opts.Banks, rand: opts.Rand, pcrs: map[crypto.Hash][][]byte{}}
	if t.rand == nil {
		t.rand = rand.Reader
	}
	if len(t.banks) == 0 {
		t.banks = []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384}
	}
	if t.key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), t.rand)
		if err != nil {
			return nil, err
		}
		t.key = k
	}
	if t.hash == 0 {
		t.hash = crypto.SHA256
		if k, ok := t.key.(*ecdsa.PrivateKey); ok && k.Curve == elliptic.P384() {
			t.hash = crypto.SHA384
		}
	}
	pub, err := tpmPublic(t.key.Public(), t.hash, t.pss)
	if err != nil {
		return nil, err
	}
	t.public = pub
	if t.log, err = NewLog(t.banks...); err != nil {
		return nil, err
	}
	if opts.Locality != 0 {
		t.log.AppendDigests(0, 0x03, append([]byte("StartupLocality\x00"), opts.Locality), nil)
	}
	for _, h := range t.banks {
		regs := make([][]byte, NumPCRs)
		for i := range regs {
			regs[i] = make([]byte, h.Size())
			if i >= 17 && i <= 22 {
				for j := range regs[i] {
					regs[i][j] = 0xff
				}
			}
		}
		regs[0][h.Size()-1] = opts.Locality
		t.pcrs[h] = regs
	}
	return t, nil
}

// AK returns the AK public key.
func (t *TPM) AK() crypto.PublicKey { return t.key.Public() }

// AKPublic returns the AK as a TPMT_PUBLIC, as TPM2_ReadPublic would.
func (t *TPM) AKPublic() []byte { return tpm2.Marshal(t.public) }

// Measure hashes data into every bank, extends PCR pcr with it and logs the
// event, as firmware does for most events.
func (t *TPM) Measure(pcr int, eventType uint32, data []byte) {
	digests := map[crypto.Hash][]byte{}
	for _, h := range t.banks {
		d := h.New()
		d.Write(data)
		digests[h] = d.Sum(nil)
	}
	t.MeasureDigests(pcr, eventType, data, digests)
}

// MeasureDigests extends PCR pcr with explicit per-bank digests and logs
// the event with data (for events whose digest is not the hash of their
// data). A bank missing from digests is extended with zeros.
func (t *TPM) MeasureDigests(pcr int, eventType uint32, data []byte, digests map[crypto.Hash][]byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, h := range t.banks {
		d := digests[h]
		if len(d) != h.Size() {
			d = make([]byte, h.Size())
		}
		t.extendLocked(h, pcr, d)
	}
	t.log.AppendDigests(pcr, eventType, data, digests)
}

// Extend extends PCR pcr in bank h without logging anything — the way an
// attacker who can run code changes a PCR behind the log's back.
func (t *TPM) Extend(h crypto.Hash, pcr int, digest []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.pcrs[h]; !ok || pcr < 0 || pcr >= NumPCRs || len(digest) != h.Size() {
		return errors.New("tpmtest: bad bank, PCR or digest size")
	}
	t.extendLocked(h, pcr, digest)
	return nil
}

func (t *TPM) extendLocked(h crypto.Hash, pcr int, digest []byte) {
	d := h.New()
	d.Write(t.pcrs[h][pcr])
	d.Write(digest)
	t.pcrs[h][pcr] = d.Sum(nil)
}

// LogOnly writes an event to the log without extending any PCR — the way
// an attacker inserts a measurement that never happened.
func (t *TPM) LogOnly(pcr int, eventType uint32, data []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.log.Append(pcr, eventType, data)
}

// SetPCRs loads PCR values directly, e.g. the values a real machine's
// event log is known to produce, so that a real log can be quoted.
func (t *TPM) SetPCRs(bank tpm.PCRBank) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	regs, ok := t.pcrs[bank.Hash]
	if !ok {
		return errors.New("tpmtest: no such bank")
	}
	for i, v := range bank.PCRs {
		if i < 0 || i >= NumPCRs || len(v) != bank.Hash.Size() {
			return errors.New("tpmtest: bad PCR index or size")
		}
		regs[i] = slices.Clone(v)
	}
	return nil
}

// QuoteLog loads bank h with the replay of eventLog (a real machine's log,
// say: SetPCRs) and quotes every register the log extends, so that the log
// verifies against the quote.
func (t *TPM) QuoteLog(qualifyingData, eventLog []byte, h crypto.Hash) (*Quote, error) {
	log, err := tpm.ParseEventLog(eventLog)
	if err != nil {
		return nil, err
	}
	bank, err := log.Replay(h)
	if err != nil {
		return nil, err
	}
	if err := t.SetPCRs(bank); err != nil {
		return nil, err
	}
	return t.Quote(qualifyingData, Selection{Hash: h, PCRs: bank.Indices()})
}

// PCRs returns the current values of the given PCRs of bank h.
func (t *TPM) PCRs(h crypto.Hash, pcrs []int) tpm.PCRBank {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := tpm.PCRBank{Hash: h, PCRs: map[int][]byte{}}
	for _, i := range pcrs {
		if regs, ok := t.pcrs[h]; ok && i >= 0 && i < NumPCRs {
			b.PCRs[i] = slices.Clone(regs[i])
		}
	}
	return b
}

// EventLog returns the event log of everything measured so far.
func (t *TPM) EventLog() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.log.Bytes()
}

// Selection is a PCR selection: a bank and PCR indices.
type Selection struct {
	Hash crypto.Hash
	PCRs []int
}

// Quote is a quote as a TPM returns it, with the PCR values it covers.
type Quote struct {
	// Attest is the TPMS_ATTEST (the signed bytes).
	Attest []byte
	// Signature is the TPMT_SIGNATURE.
	Signature []byte
	// PCRs are the values of the selected PCRs at quote time.
	PCRs []tpm.PCRBank
}

// Quote performs TPM2_Quote: it builds a TPMS_ATTEST of type
// TPM_ST_ATTEST_QUOTE with extraData = qualifyingData over the selected
// PCRs, and signs it with the AK.
func (t *TPM) Quote(qualifyingData []byte, sel ...Selection) (*Quote, error) {
	return t.QuoteWith(qualifyingData, nil, sel...)
}

// QuoteWith is Quote with a hook that may alter the TPMS_ATTEST before it is
// signed (bad magic, another type, another PCR digest), to mint broken
// evidence that still carries a valid AK signature.
func (t *TPM) QuoteWith(qualifyingData []byte, mutate func(*tpm2.TPMSAttest), sel ...Selection) (*Quote, error) {
	t.mu.Lock()
	var lsel tpm2.TPMLPCRSelection
	d := t.hash.New()
	var banks []tpm.PCRBank
	for _, s := range sel {
		regs, ok := t.pcrs[s.Hash]
		if !ok {
			t.mu.Unlock()
			return nil, fmt.Errorf("tpmtest: no %v bank", s.Hash)
		}
		idx := slices.Clone(s.PCRs)
		slices.Sort(idx)
		idx = slices.Compact(idx)
		bitmap := make([]byte, 3)
		b := tpm.PCRBank{Hash: s.Hash, PCRs: map[int][]byte{}}
		for _, i := range idx {
			if i < 0 || i >= NumPCRs {
				t.mu.Unlock()
				return nil, fmt.Errorf("tpmtest: PCR %d", i)
			}
			bitmap[i/8] |= 1 << (i % 8)
			d.Write(regs[i])
			b.PCRs[i] = slices.Clone(regs[i])
		}
		lsel.PCRSelections = append(lsel.PCRSelections, tpm2.TPMSPCRSelection{Hash: tpm2.TPMIAlgHash(algID(s.Hash)), PCRSelect: bitmap})
		banks = append(banks, b)
	}
	t.clock += 1000
	clock := t.clock
	t.mu.Unlock()

	name, err := tpm2.ObjectName(&t.public)
	if err != nil {
		return nil, err
	}
	att := tpm2.TPMSAttest{
		Magic:           tpm2.TPMGeneratedValue,
		Type:            tpm2.TPMSTAttestQuote,
		QualifiedSigner: tpm2.TPM2BName{Buffer: name.Buffer},
		ExtraData:       tpm2.TPM2BData{Buffer: slices.Clone(qualifyingData)},
		ClockInfo:       tpm2.TPMSClockInfo{Clock: clock, ResetCount: 1, RestartCount: 0, Safe: true},
		FirmwareVersion: 0x2023_0001,
		Attested: tpm2.NewTPMUAttest(tpm2.TPMSTAttestQuote, &tpm2.TPMSQuoteInfo{
			PCRSelect: lsel,
			PCRDigest: tpm2.TPM2BDigest{Buffer: d.Sum(nil)},
		}),
	}
	if mutate != nil {
		mutate(&att)
	}
	attest := tpm2.Marshal(att)
	sig, err := t.SignAttest(attest)
	if err != nil {
		return nil, err
	}
	return &Quote{Attest: attest, Signature: sig, PCRs: banks}, nil
}

// SignAttest signs arbitrary bytes with the AK and returns a TPMT_SIGNATURE.
// A real restricted AK refuses to sign data that starts with
// TPM_GENERATED_VALUE unless the TPM made it; this one does not, which is
// what lets tests check that verifiers look at the magic.
func (t *TPM) SignAttest(attest []byte) ([]byte, error) {
	d := t.hash.New()
	d.Write(attest)
	digest := d.Sum(nil)
	halg := tpm2.TPMIAlgHash(algID(t.hash))
	switch k := t.key.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(t.rand, k, digest)
		if err != nil {
			return nil, err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		return tpm2.Marshal(tpm2.TPMTSignature{
			SigAlg: tpm2.TPMAlgECDSA,
			Signature: tpm2.NewTPMUSignature(tpm2.TPMAlgECDSA, &tpm2.TPMSSignatureECC{
				Hash:       halg,
				SignatureR: tpm2.TPM2BECCParameter{Buffer: r.FillBytes(make([]byte, size))},
				SignatureS: tpm2.TPM2BECCParameter{Buffer: s.FillBytes(make([]byte, size))},
			}),
		}), nil
	case *rsa.PrivateKey:
		alg := tpm2.TPMAlgRSASSA
		var sig []byte
		var err error
		if t.pss {
			alg = tpm2.TPMAlgRSAPSS
			sig, err = rsa.SignPSS(t.rand, k, t.hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(t.rand, k, t.hash, digest)
		}
		if err != nil {
			return nil, err
		}
		return tpm2.Marshal(tpm2.TPMTSignature{
			SigAlg:    alg,
			Signature: tpm2.NewTPMUSignature(alg, &tpm2.TPMSSignatureRSA{Hash: halg, Sig: tpm2.TPM2BPublicKeyRSA{Buffer: sig}}),
		}), nil
	}
	return nil, fmt.Errorf("tpmtest: unsupported key %T", t.key)
}

// Evidence quotes the selected PCRs and returns everything a verifier needs:
// quote, PCR values, the AK as TPMT_PUBLIC and the event log.
func (t *TPM) Evidence(qualifyingData []byte, sel ...Selection) (tpm.Evidence, error) {
	q, err := t.Quote(qualifyingData, sel...)
	if err != nil {
		return tpm.Evidence{}, err
	}
	return tpm.Evidence{
		Attest: q.Attest, Signature: q.Signature, PCRs: q.PCRs,
		AKPublic: t.AKPublic(), EventLog: t.EventLog(),
	}, nil
}

// tpmPublic describes the AK as a restricted signing key TPMT_PUBLIC.
func tpmPublic(pub crypto.PublicKey, h crypto.Hash, pss bool) (tpm2.TPMTPublic, error) {
	attrs := tpm2.TPMAObject{FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true,
		UserWithAuth: true, NoDA: true, Restricted: true, SignEncrypt: true}
	halg := tpm2.TPMIAlgHash(algID(h))
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		curve := tpm2.TPMECCNistP256
		if k.Curve == elliptic.P384() {
			curve = tpm2.TPMECCNistP384
		} else if k.Curve != elliptic.P256() {
			return tpm2.TPMTPublic{}, errors.New("tpmtest: ECDSA AK must be P-256 or P-384")
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		return tpm2.TPMTPublic{
			Type: tpm2.TPMAlgECC, NameAlg: tpm2.TPMAlgSHA256, ObjectAttributes: attrs,
			Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgECC, &tpm2.TPMSECCParms{
				Symmetric: tpm2.TPMTSymDefObject{Algorithm: tpm2.TPMAlgNull},
				Scheme: tpm2.TPMTECCScheme{Scheme: tpm2.TPMAlgECDSA,
					Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgECDSA, &tpm2.TPMSSigSchemeECDSA{HashAlg: halg})},
				CurveID: curve,
				KDF:     tpm2.TPMTKDFScheme{Scheme: tpm2.TPMAlgNull},
			}),
			Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgECC, &tpm2.TPMSECCPoint{
				X: tpm2.TPM2BECCParameter{Buffer: k.X.FillBytes(make([]byte, size))},
				Y: tpm2.TPM2BECCParameter{Buffer: k.Y.FillBytes(make([]byte, size))},
			}),
		}, nil
	case *rsa.PublicKey:
		scheme := tpm2.TPMTRSAScheme{Scheme: tpm2.TPMAlgRSASSA,
			Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgRSASSA, &tpm2.TPMSSigSchemeRSASSA{HashAlg: halg})}
		if pss {
			scheme = tpm2.TPMTRSAScheme{Scheme: tpm2.TPMAlgRSAPSS,
				Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgRSAPSS, &tpm2.TPMSSigSchemeRSAPSS{HashAlg: halg})}
		}
		exp := uint32(k.E)
		if k.E == 65537 {
			exp = 0
		}
		return tpm2.TPMTPublic{
			Type: tpm2.TPMAlgRSA, NameAlg: tpm2.TPMAlgSHA256, ObjectAttributes: attrs,
			Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgRSA, &tpm2.TPMSRSAParms{
				Symmetric: tpm2.TPMTSymDefObject{Algorithm: tpm2.TPMAlgNull},
				Scheme:    scheme,
				KeyBits:   tpm2.TPMIRSAKeyBits(k.N.BitLen()),
				Exponent:  exp,
			}),
			Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgRSA, &tpm2.TPM2BPublicKeyRSA{Buffer: k.N.Bytes()}),
		}, nil
	}
	return tpm2.TPMTPublic{}, fmt.Errorf("tpmtest: unsupported AK %T", pub)
}
