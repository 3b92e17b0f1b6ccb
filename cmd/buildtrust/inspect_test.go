package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/scai"
)

// inspectJSON runs inspect -format json on path and returns the description
// of the input, after checking that the output says it is unverified.
func inspectJSON(t *testing.T, path string, extra ...string) map[string]any {
	t.Helper()
	r := runCLI(t, append([]string{"inspect", path, "-format", "json"}, extra...)...).wantCode(t, exitOK)
	var out struct {
		Status string         `json:"status"`
		Notice string         `json:"notice"`
		Input  map[string]any `json:"input"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("inspect -format json: %v\n%s", err, r)
	}
	if out.Status != "UNVERIFIED" || !strings.Contains(out.Notice, "No signature") {
		t.Errorf("JSON output not marked UNVERIFIED: %+v", out)
	}
	text := runCLI(t, append([]string{"inspect", path}, extra...)...).wantCode(t, exitOK)
	if !strings.HasPrefix(text.stdout, "UNVERIFIED:") {
		t.Errorf("text output not marked UNVERIFIED:\n%s", text.stdout)
	}
	return out.Input
}

// get follows a path of object keys and list indices through decoded JSON.
func get(t *testing.T, v any, path ...string) any {
	t.Helper()
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(x) {
				t.Fatalf("no index %s in %v", p, x)
			}
			v = x[i]
		default:
			t.Fatalf("cannot follow %q into %T (path %v)", p, v, path)
		}
	}
	return v
}

func getString(t *testing.T, v any, path ...string) string {
	t.Helper()
	s, ok := get(t, v, path...).(string)
	if !ok {
		t.Fatalf("%v: not a string: %#v", path, get(t, v, path...))
	}
	return s
}

// launchEvidence returns the evidence blobs of a bundle's launch attestation
// by media type, inline or from Bundle.Evidence by digest.
func launchEvidence(t *testing.T, b *buildenvtest.Bundle) map[string][]byte {
	t.Helper()
	l, err := b.LaunchAttestation()
	if err != nil {
		t.Fatal(err)
	}
	var pieces []*buildtrust.ResourceDescriptor
	if l.MeasuredBoot != nil {
		pieces = append(pieces, l.MeasuredBoot.Pieces()...)
	}
	if l.TEE != nil {
		pieces = append(pieces, l.TEE.Pieces()...)
	}
	out := map[string][]byte{}
	for _, rd := range pieces {
		if len(rd.Content) > 0 {
			out[rd.MediaType] = rd.Content
			continue
		}
		for _, e := range b.Evidence {
			if sum := sha256.Sum256(e); hex.EncodeToString(sum[:]) == rd.Digest["sha256"] {
				out[rd.MediaType] = e
			}
		}
		if out[rd.MediaType] == nil {
			t.Fatalf("evidence %s not found", descriptor(rd))
		}
	}
	return out
}

func TestInspectAttestations(t *testing.T) {
	f := scenario(t, buildenvtest.Options{})
	b := f.bundleResult

	// One envelope: the provenance, with its statement.
	prov := writeFile(t, f.dir, "provenance.json", b.Provenance)
	in := inspectJSON(t, prov)
	if getString(t, in, "kind") != "DSSE envelope" || getString(t, in, "payloadType") != buildtrust.PayloadType {
		t.Errorf("envelope: %v", in)
	}
	if got := getString(t, in, "statement", "predicate", "builder"); got != buildenvtest.BuilderID {
		t.Errorf("builder %q", got)
	}
	if got := getString(t, in, "statement", "predicate", "invocationId"); got != buildenvtest.BuildID {
		t.Errorf("invocationId %q", got)
	}
	subject := getString(t, in, "statement", "subjects", "0")
	if !strings.Contains(subject, "sha256:"+b.ArtifactDigest["sha256"]) {
		t.Errorf("subject %q does not carry the artifact digest", subject)
	}

	// The JSON Lines bundle: every line described, the BuildEnv ones by role.
	in = inspectJSON(t, f.bundle)
	if getString(t, in, "kind") != "JSON Lines bundle" || get(t, in, "lines") != float64(len(b.Attestations)) {
		t.Fatalf("bundle: %v", in)
	}
	kinds := map[string]bool{}
	for i := range b.Attestations {
		kinds[getString(t, in, "entries", strconv.Itoa(i), "statement", "predicate", "kind")] = true
	}
	for _, k := range []string{"SLSA provenance v1", "BuildEnv image reference values (SCAI v0.3)",
		"BuildEnv launch attestation (SCAI v0.3)", "BuildEnv dispatch attestation (SCAI v0.3)"} {
		if !kinds[k] {
			t.Errorf("no %q among the bundle's entries: %v", k, kinds)
		}
	}
	// The launch's inline TPM evidence is decoded: quote and AK certificate.
	for i := range b.Attestations {
		pred := get(t, in, "entries", strconv.Itoa(i), "statement", "predicate").(map[string]any)
		if pred["kind"] != "BuildEnv launch attestation (SCAI v0.3)" {
			continue
		}
		if k := getString(t, pred, "measuredBoot", "inlineQuote", "kind"); k != "TPM 2.0 quote (TPMS_ATTEST)" {
			t.Errorf("inline quote: %q", k)
		}
		if k := getString(t, pred, "measuredBoot", "inlineAKCertificate", "kind"); k != "X.509 certificate" {
			t.Errorf("inline AK certificate: %q", k)
		}
	}
	// The dispatch names the build.
	text := runCLI(t, "inspect", f.bundle).wantCode(t, exitOK).stdout
	if !strings.Contains(text, "buildId:") || !strings.Contains(text, buildenvtest.BuildID) {
		t.Errorf("text output lacks the dispatch's build ID:\n%s", text)
	}

	// A bare statement.
	env, _ := buildtrust.ParseEnvelope(b.Provenance)
	st := writeFile(t, f.dir, "statement.json", env.Payload)
	if in := inspectJSON(t, st); getString(t, in, "kind") != "in-toto Statement" {
		t.Errorf("statement: %v", in)
	}
}

func TestInspectEvidence(t *testing.T) {
	f := scenario(t, buildenvtest.Options{})
	b := f.bundleResult
	ev := launchEvidence(t, b)

	// SEV-SNP report: the measurement the image producer signed.
	report := writeFile(t, f.dir, "report.bin", ev[scai.MediaTypeSEVSNPReport])
	in := inspectJSON(t, report)
	if getString(t, in, "kind") != "AMD SEV-SNP attestation report" || getString(t, in, "measurement") != hex.EncodeToString(b.Measurement) {
		t.Errorf("SNP report: %v", in)
	}
	if get(t, in, "debugAllowed") != false {
		t.Errorf("genuine guest shown debuggable")
	}
	// The same report as hex text, as some projects publish them.
	hexReport := writeFile(t, f.dir, "report.hex", []byte(hex.EncodeToString(ev[scai.MediaTypeSEVSNPReport])+"\n"))
	if in := inspectJSON(t, hexReport); getString(t, in, "encoding") != "hex text" {
		t.Errorf("hex report: %v", in)
	}
	// Its certificate table.
	if table := ev[scai.MediaTypeSEVSNPCertificates]; table != nil {
		in := inspectJSON(t, writeFile(t, f.dir, "certtable.bin", table))
		if getString(t, in, "kind") != "AMD SEV-SNP certificate table" || getString(t, in, "vcek", "kind") != "X.509 certificate" {
			t.Errorf("cert table: %v", in)
		}
	}

	// TPM quote, with and without its signature.
	quote := writeFile(t, f.dir, "quote.bin", ev[scai.MediaTypeTPMQuote])
	sig := writeFile(t, f.dir, "quote.sig", ev[scai.MediaTypeTPMSignature])
	q := inspectJSON(t, quote, "-signature", sig)
	if getString(t, q, "kind") != "TPM 2.0 quote (TPMS_ATTEST)" || !strings.HasPrefix(getString(t, q, "signature"), "ECDSA with SHA-256") {
		t.Errorf("TPM quote: %v", q)
	}
	if got := getString(t, q, "pcrSelection", "0"); got != "sha256: 0,1,2,3,4,5,6,7,8,9,10,11" {
		t.Errorf("pcrSelection %q", got)
	}
	if s := getString(t, inspectJSON(t, quote), "signature"); !strings.HasPrefix(s, "not supplied") {
		t.Errorf("quote without signature: %q", s)
	}

	// Event log: replaying it gives the PCR values whose digest the quote
	// signed — the two outputs agree with each other.
	log := inspectJSON(t, writeFile(t, f.dir, "eventlog.bin", ev[scai.MediaTypeTCGEventLog]))
	if getString(t, log, "kind") != "TCG event log" || getString(t, log, "format") != "crypto-agile" {
		t.Fatalf("event log: %v", log)
	}
	h := sha256.New()
	for i := 0; i <= 11; i++ {
		v, err := hex.DecodeString(getString(t, log, "replayedValues", "0", "PCR"+strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(v)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != getString(t, q, "pcrDigest") {
		t.Errorf("replayed PCRs digest to %s, the quote says %s", got, getString(t, q, "pcrDigest"))
	}
	verbose := runCLI(t, "inspect", "-v", writeFile(t, f.dir, "eventlog2.bin", ev[scai.MediaTypeTCGEventLog])).wantCode(t, exitOK)
	if !strings.Contains(verbose.stdout, "EV_SEPARATOR") || !strings.Contains(verbose.stdout, "eventList") {
		t.Errorf("-v does not list events:\n%s", verbose.stdout)
	}

	// A debuggable guest shows as such.
	dbg := scenario(t, buildenvtest.Options{Tampers: []string{"debug-tee"}})
	in = inspectJSON(t, writeFile(t, dbg.dir, "report.bin", launchEvidence(t, dbg.bundleResult)[scai.MediaTypeSEVSNPReport]))
	if get(t, in, "debugAllowed") != true {
		t.Errorf("debug guest not shown debuggable: %v", in)
	}

	// TDX quote: MRTD is the measurement the image producer signed.
	tf := scenario(t, buildenvtest.Options{Platform: buildenvtest.PlatformTDX})
	tq := inspectJSON(t, writeFile(t, tf.dir, "quote.dat", launchEvidence(t, tf.bundleResult)[scai.MediaTypeTDXQuote]))
	if getString(t, tq, "kind") != "Intel TDX quote" || getString(t, tq, "mrTd") != hex.EncodeToString(tf.bundleResult.Measurement) || get(t, tq, "debug") != false {
		t.Errorf("TDX quote: %v", tq)
	}
	if getString(t, tq, "pckChain", "kind") != "certificate chain (3)" {
		t.Errorf("PCK chain: %v", get(t, tq, "pckChain"))
	}
}

// Unknown, empty, truncated and missing inputs are exit 2 with a message
// naming the file.
func TestInspectUnrecognised(t *testing.T) {
	dir := t.TempDir()
	f := scenario(t, buildenvtest.Options{})
	ev := launchEvidence(t, f.bundleResult)
	for name, data := range map[string][]byte{
		"garbage":          []byte("\x7fELF\x02\x01\x01 not evidence at all"),
		"empty":            {},
		"text":             []byte("hello, world\n"),
		"json array":       []byte(`[1, 2, 3]`),
		"json object":      []byte(`{"hello": "world"}`),
		"json lines":       []byte("{\"a\":1}\nnot json\n"),
		"bad envelope":     []byte(`{"payloadType": "x", "payload": "!!", "signatures": []}`),
		"truncated report": ev[scai.MediaTypeSEVSNPReport][:1000],
		"odd hex":          []byte("abc"),
	} {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, dir, strings.ReplaceAll(name, " ", "-"), data)
			r := runCLI(t, "inspect", p).wantCode(t, exitUsage)
			if !strings.Contains(r.stderr, p) || r.stdout != "" {
				t.Errorf("%s", r)
			}
		})
	}
	runCLI(t, "inspect", filepath.Join(dir, "missing")).wantCode(t, exitUsage)
	runCLI(t, "inspect").wantCode(t, exitUsage)
	runCLI(t, "inspect", f.bundle, "-signature", filepath.Join(dir, "missing")).wantCode(t, exitUsage)
}

// Attacker-chosen strings never reach the terminal raw: the predicate's
// keys of an unknown predicate type are printed, and may hold escapes.
func TestInspectSanitizesText(t *testing.T) {
	st, err := buildtrust.NewStatement("https://example.com/predicate/v1", json.RawMessage(`{"\u001b[2Jclear":1}`),
		buildtrust.ResourceDescriptor{Name: "a", Digest: buildtrust.DigestSet{"sha256": strings.Repeat("ab", 32)}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := st.Marshal()
	r := runCLI(t, "inspect", writeFile(t, t.TempDir(), "st.json", raw)).wantCode(t, exitOK)
	if strings.Contains(r.stdout, "\x1b") || !strings.Contains(r.stdout, `"\x1b[2Jclear"`) {
		t.Errorf("escape sequence not quoted:\n%q", r.stdout)
	}
}

// A key-signed Sigstore bundle over a message digest (no DSSE): the key
// hint and the digest are shown.
func TestInspectSigstoreMessageSignature(t *testing.T) {
	doc := `{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
 "verificationMaterial": {"publicKey": {"hint": "release-key-1"},
   "tlogEntries": [{"logIndex": "42", "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
     "integratedTime": "1700000000", "inclusionProof": {"logIndex": "42"}}]},
 "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": "q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k="},
   "signature": "AAAA"}}`
	in := inspectJSON(t, writeFile(t, t.TempDir(), "artifact.sigstore.json", []byte(doc)))
	if s := getString(t, in, "signer"); s != `public key, hint "release-key-1"` {
		t.Errorf("signer %q", s)
	}
	if d := getString(t, in, "messageSignature", "digest"); d != "sha2_256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789" {
		t.Errorf("digest %q", d)
	}
	if e := getString(t, in, "tlogEntries", "0"); e != "hashedrekord 0.0.1, logIndex 42, integrated 2023-11-14T22:13:20Z, inclusion proof" {
		t.Errorf("tlog entry %q", e)
	}
}

// No input makes inspect panic, and whatever it describes renders. The
// seeds are small hand-made prefixes of each recognised format (the test
// world is too slow to build under fuzzing instrumentation); the unit tests
// above cover the genuine formats.
func FuzzInspect(f *testing.F) {
	tpmQuote := []byte{0xff, 0x54, 0x43, 0x47, 0x80, 0x18, 0, 0, 0, 0}
	tdxHeader := append([]byte{4, 0, 2, 0, 0x81, 0, 0, 0}, make([]byte, 40)...)
	for _, seed := range [][]byte{
		[]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AA=="}]}`),
		[]byte("{\"payloadType\":\"x\",\"payload\":\"\",\"signatures\":[{\"sig\":\"AA==\"}]}\n{\"_type\":\"x\"}\n"),
		[]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"` + strings.Repeat("ab", 32) + `"}}],"predicateType":"https://in-toto.io/attestation/scai/v0.3","predicate":{"attributes":[{"attribute":"BUILDENV_MEASURED_BOOT"}]}}`),
		[]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{}}`),
		[]byte(`{"attestations":[{"bundle":{}}]}`),
		[]byte(`{"provenance_summary":{}}`),
		tpmQuote, tdxHeader, make([]byte, 1184),
		[]byte("abcdef0123"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := inspector{verbose: true}.describe(data)
		if err != nil {
			return
		}
		if _, err := json.Marshal(n); err != nil {
			t.Fatalf("JSON rendering: %v", err)
		}
		var sb strings.Builder
		n.writeText(&sb, "")
	})
}

// Format characters (bidi overrides, zero-width spaces) are quoted like
// control characters: attacker-written text must not read as something else.
func TestSanitizeFormatCharacters(t *testing.T) {
	for _, s := range []string{"evil\u202egnp.exe", "a\u200bb", "bell\a"} {
		if got := sanitize(s); got == s || !strings.HasPrefix(got, `"`) {
			t.Errorf("sanitize(%q) = %q, want it quoted", s, got)
		}
	}
	if got := sanitize("plain text, ünïcode"); got != "plain text, ünïcode" {
		t.Errorf("plain text changed: %q", got)
	}
}
