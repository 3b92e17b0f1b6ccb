package sigstore

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/threat"
)

// npmFile is the real npm attestations response for
// @laurentsimon/provenance-npm-test@1.0.0 (slsa-verifier's testdata).
const (
	npmFile    = gha + "npm-attestations.intoto.sigstore"
	npmName    = "@laurentsimon/provenance-npm-test"
	npmVersion = "1.0.0"
	npmSHA512  = "29d19f26233f4441328412b34fd73ed104ecfef62f14097890cccf7455b521b65c5acff851849faa85c85395aa22d401436f01f3afb61b19c780e906c88c7f20"
	npmKeyID   = "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA"
)

// npmRegistryKey is the npm registry's attestation key as sigstore-go
// ships it (examples/publish_key.pub in the sigstore-go module this module
// requires, authenticated by go.sum) — data nobody on this team wrote. The
// test also asserts that the Rekor entry inside the corpus bundle logged
// the same key, so two independent sources agree.
func npmRegistryKey(t *testing.T) RegistryKey {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/sigstore/sigstore-go").Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Skipf("sigstore-go module directory not found: %v", err)
	}
	pemBytes, err := os.ReadFile(filepath.Join(string(bytes.TrimSpace(out)), "examples", "publish_key.pub"))
	if err != nil {
		t.Skipf("sigstore-go examples/publish_key.pub: %v", err)
	}
	k, err := buildtrust.ParsePublicKey(pemBytes, buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The Rekor entry of the publish attestation names the same key.
	logged, err := buildtrust.ParsePublicKey([]byte(rekorLoggedKey(t, corpustest.File(t, npmFile))), buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if logged.ID() != k.ID() {
		t.Fatalf("sigstore-go's npm key %s differs from the key in the corpus Rekor entry %s", k.ID(), logged.ID())
	}
	return RegistryKey{KeyID: npmKeyID, Key: k.Public()}
}

// rekorLoggedKey returns the PEM public key of the publish attestation's
// Rekor intoto entry (canonicalizedBody → spec.content.envelope.signatures[0].publicKey).
func rekorLoggedKey(t *testing.T, data []byte) string {
	t.Helper()
	var resp struct {
		Attestations []struct {
			PredicateType string `json:"predicateType"`
			Bundle        struct {
				VerificationMaterial struct {
					TlogEntries []struct {
						CanonicalizedBody []byte `json:"canonicalizedBody"`
					} `json:"tlogEntries"`
				} `json:"verificationMaterial"`
			} `json:"bundle"`
		} `json:"attestations"`
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		t.Fatal(err)
	}
	for _, a := range resp.Attestations {
		if a.PredicateType != NPMPublishPredicateType {
			continue
		}
		var body struct {
			Spec struct {
				Content struct {
					Envelope struct {
						Signatures []struct {
							PublicKey []byte `json:"publicKey"`
						} `json:"signatures"`
					} `json:"envelope"`
				} `json:"content"`
			} `json:"spec"`
		}
		if err := json.Unmarshal(a.Bundle.VerificationMaterial.TlogEntries[0].CanonicalizedBody, &body); err != nil {
			t.Fatal(err)
		}
		return string(body.Spec.Content.Envelope.Signatures[0].PublicKey)
	}
	t.Fatal("no publish attestation")
	return ""
}

func npmOpts(k RegistryKey) NPMOptions {
	return NPMOptions{RegistryKeys: []RegistryKey{k}, Name: npmName, Version: npmVersion, SHA512: npmSHA512}
}

// TestCorpusNPM asserts slsa-verifier's oracles for the valid npm response:
// both signatures PASS, name / version / sha512 PASS and their mismatch
// tables, and the npm checks in order.
func TestCorpusNPM(t *testing.T) {
	key := npmRegistryKey(t)
	v := newVerifier(t, Options{})
	data := corpustest.File(t, npmFile)

	r, err := v.VerifyNPM(data, npmOpts(key))
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != npmName || r.Version != npmVersion || r.SHA512 != npmSHA512 {
		t.Fatalf("package %s@%s %s", r.Name, r.Version, r.SHA512)
	}
	if r.Provenance.Identity == nil || r.Provenance.Identity.SAN != "https://github.com/laurentsimon/provenance-npm-test/.github/workflows/release.yml@refs/heads/main" {
		t.Fatalf("provenance identity %+v", r.Provenance.Identity)
	}
	if r.Publish.Identity != nil || r.Publish.KeyID != npmKeyID {
		t.Fatalf("publish signer %+v %q", r.Publish.Identity, r.Publish.KeyID)
	}
	// The time comes from the verified Rekor entry (integratedTime 1676489615).
	if want := time.Unix(1676489615, 0); !r.Publish.SigningTime.Equal(want) {
		t.Fatalf("publish signing time %v, want %v", r.Publish.SigningTime, want)
	}
	var ids []string
	for _, c := range r.Checks {
		if c.Outcome != buildtrust.Pass {
			t.Fatalf("check %+v", c)
		}
		ids = append(ids, c.ID)
	}
	if got, want := strings.Join(ids, " "), "sigstore.npm.format sigstore.npm.publish sigstore.npm.subject sigstore.npm.name sigstore.npm.version sigstore.npm.digest"; got != want {
		t.Fatalf("checks %s, want %s", got, want)
	}
	for _, res := range []*Result{r.Provenance, r.Publish} {
		for _, c := range res.Checks {
			if c.Outcome == buildtrust.Fail || (c.ID == CheckTlog && c.Outcome != buildtrust.Pass) {
				t.Fatalf("check %+v", c)
			}
		}
	}

	mismatch := []struct {
		name  string
		mod   func(*NPMOptions)
		check string
	}{
		{"wrong name", func(o *NPMOptions) { o.Name = "wrong name" }, CheckNPMName},
		{"name without @", func(o *NPMOptions) { o.Name = "laurentsimon/provenance-npm-test" }, CheckNPMName},
		{"name with version", func(o *NPMOptions) { o.Name = npmName + "@1.0.0" }, CheckNPMName},
		{"version 1.0.1", func(o *NPMOptions) { o.Version = "1.0.1" }, CheckNPMVersion},
		{"version 1.1.0", func(o *NPMOptions) { o.Version = "1.1.0" }, CheckNPMVersion},
		{"version 2.0.0", func(o *NPMOptions) { o.Version = "2.0.0" }, CheckNPMVersion},
		{"digest 39d1…", func(o *NPMOptions) { o.SHA512 = "3" + npmSHA512[1:] }, CheckNPMDigest},
		{"no digest", func(o *NPMOptions) { o.SHA512 = "" }, CheckNPMDigest},
		{"uppercase digest", func(o *NPMOptions) { o.SHA512 = strings.ToUpper(npmSHA512) }, CheckNPMDigest},
	}
	for _, m := range mismatch {
		t.Run(m.name, func(t *testing.T) {
			o := npmOpts(key)
			m.mod(&o)
			r, err := v.VerifyNPM(data, o)
			if r != nil {
				t.Fatal("result with an error")
			}
			wantFail(t, err, m.check, ErrNPM)
		})
	}
	t.Run("skip name, version and digest", func(t *testing.T) {
		r, err := v.VerifyNPM(data, NPMOptions{RegistryKeys: []RegistryKey{key}, InsecureSkipDigest: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range r.Checks[3:] {
			if c.Outcome != buildtrust.NotApplicable {
				t.Fatalf("check %+v", c)
			}
		}
	})
}

// TestNPMRegistryKeys: the key-signed path with the real file's structure
// and keys generated here: no key fails closed, a wrong key fails
// sigstore.npm.publish, the keyid is a hint only, and the key's validity
// is checked at the Rekor integrated time.
func TestNPMRegistryKeys(t *testing.T) {
	key := npmRegistryKey(t)
	v := newVerifier(t, Options{})
	data := corpustest.File(t, npmFile)
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other := RegistryKey{KeyID: npmKeyID, Key: &priv.PublicKey} // the right hint, the wrong key

	_, err = v.VerifyNPM(data, NPMOptions{SHA512: npmSHA512})
	if !errors.Is(err, ErrNoRegistryKey) {
		t.Fatalf("no key: %v", err)
	}
	_, err = v.VerifyNPM(data, NPMOptions{RegistryKeys: []RegistryKey{{KeyID: npmKeyID}}, SHA512: npmSHA512})
	wantFail(t, err, CheckNPMPublish, ErrNoRegistryKey)

	_, err = v.VerifyNPM(data, npmOpts(other))
	wantFail(t, err, CheckNPMPublish, ErrNPM)
	if !errors.Is(err, ErrTransparencyLog) { // the Rekor entry names the real key
		t.Fatalf("wrong key: %v", err)
	}

	// The hint only orders the keys: the real key under another ID, after
	// a wrong key under the right ID, verifies.
	renamed := key
	renamed.KeyID = "SHA256:" + base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	o := npmOpts(other)
	o.RegistryKeys = append(o.RegistryKeys, renamed)
	if _, err := v.VerifyNPM(data, o); err != nil {
		t.Fatal(err)
	}

	signed := time.Unix(1676489615, 0)
	for _, c := range []struct {
		name      string
		nbf, naft time.Time
		ok        bool
	}{
		{"valid window", signed.Add(-time.Hour), signed.Add(time.Hour), true},
		{"expired before signing", time.Time{}, signed.Add(-time.Second), false},
		{"not yet valid", signed.Add(time.Second), time.Time{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := key
			k.NotBefore, k.NotAfter = c.nbf, c.naft
			_, err := v.VerifyNPM(data, npmOpts(k))
			if c.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantFail(t, err, CheckNPMPublish, ErrNPM)
			if !errors.Is(err, ErrTransparencyLog) { // integrated time outside the key's validity
				t.Fatalf("key validity: %v", err)
			}
		})
	}

	// A certificate-signed bundle in the publish slot is not accepted:
	// the key path trusts no Fulcio CA.
	var resp map[string][]map[string]json.RawMessage
	if err := json.Unmarshal(data, &resp); err != nil {
		t.Fatal(err)
	}
	resp["attestations"][1]["bundle"] = resp["attestations"][0]["bundle"]
	swapped, _ := json.Marshal(resp)
	_, err = v.VerifyNPM(swapped, npmOpts(key))
	wantFail(t, err, CheckNPMPublish, ErrNPM)
	if !errors.Is(err, ErrCertificate) {
		t.Fatalf("certificate-signed publish: %v", err)
	}
}

// npmPayload decodes one attestation's DSSE payload without verifying it,
// to decide the oracles slsa-verifier checks on statement headers.
func npmPayload(t *testing.T, data []byte, i int) (attType string, payload []byte) {
	t.Helper()
	var resp struct {
		Attestations []struct {
			PredicateType string `json:"predicateType"`
			Bundle        struct {
				DSSE struct {
					Payload []byte `json:"payload"`
				} `json:"dsseEnvelope"`
			} `json:"bundle"`
		} `json:"attestations"`
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		t.Fatal(err)
	}
	return resp.Attestations[i].PredicateType, resp.Attestations[i].Bundle.DSSE.Payload
}

// TestCorpusNPMTampered asserts each tampered npm response. Where
// slsa-verifier's oracle is on the statement headers or subjects of an
// edited payload, the edit also breaks the signed Rekor entry, so the full
// verification fails there first (asserted), and the header/subject oracle
// is asserted on the unverified payload with the same check code.
func TestCorpusNPMTampered(t *testing.T) {
	key := npmRegistryKey(t)
	v := newVerifier(t, Options{})
	type tc struct {
		file     string
		check    string
		sentinel error
		// payload: which attestation's unverified payload carries the
		// oracle (-1: none), and the error it must give.
		payload        int
		payloadErr     error
		payloadHeaders bool // the oracle is the predicateType consistency check
	}
	cases := []tc{
		// intoto headers FAIL (ErrorInvalidDssePayload). The two files are
		// byte-identical: both edit the provenance attestation's payloadType.
		{"npm-att-mismatch-prov-payloadtype", CheckPayloadType, buildtrust.ErrPayloadType, -1, nil, false},
		{"npm-att-mismatch-pub-payloadtype", CheckPayloadType, buildtrust.ErrPayloadType, -1, nil, false},
		// NpmNew FAIL: attestation-level predicateType unknown.
		{"npm-att-mismatch-prov-predicatetype", CheckNPMFormat, ErrNPM, -1, nil, false},
		{"npm-att-mismatch-pub-predicatetype", CheckNPMFormat, ErrNPM, -1, nil, false},
		// provenance / publish signature FAIL (ErrorInvalidSignature): the
		// edited payload no longer matches the signed Rekor entry.
		{"npm-att-prov-invalid-signature", CheckTlog, ErrTransparencyLog, -1, nil, false},
		{"npm-att-publish-invalid-signature", CheckNPMPublish, ErrTransparencyLog, -1, nil, false},
		// publish subject digest FAIL (ErrorMismatchHash, ErrorInvalidDssePayload).
		{"npm-att-publish-nodigest", CheckNPMPublish, ErrTransparencyLog, 1, buildtrust.ErrMalformed, false},
		{"npm-att-publish-nosubjects", CheckNPMPublish, ErrTransparencyLog, 1, buildtrust.ErrMalformed, false},
		// intoto headers FAIL (ErrorInvalidDssePayload).
		{"npm-stmt-mismatch-prov-predicatetype", CheckTlog, ErrTransparencyLog, 0, ErrNPM, true},
		{"npm-stmt-mismatch-pub-predicatetype", CheckNPMPublish, ErrTransparencyLog, 1, ErrNPM, true},
		{"npm-stmt-mismatch-prov-type", CheckTlog, ErrTransparencyLog, 0, buildtrust.ErrStatementType, false},
		{"npm-stmt-mismatch-pub-type", CheckNPMPublish, ErrTransparencyLog, 1, buildtrust.ErrStatementType, false},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data := corpustest.File(t, gha+c.file+".intoto.sigstore")
			r, err := v.VerifyNPM(data, npmOpts(key))
			if r != nil {
				t.Fatal("result with an error")
			}
			wantFail(t, err, c.check, c.sentinel)
			if c.payload < 0 {
				return
			}
			attType, payload := npmPayload(t, data, c.payload)
			st, err := buildtrust.ParseStatement(payload)
			if c.payloadHeaders {
				if err != nil {
					t.Fatal(err)
				}
				err = checkNPMType(nil, "unverified", attType, st)
			}
			if !errors.Is(err, c.payloadErr) {
				t.Fatalf("unverified payload: %v, want %v", err, c.payloadErr)
			}
		})
	}
	// Every npm file of the corpus is asserted above (plus the valid one).
	if files := corpustest.Glob(gha + "npm-*.intoto.sigstore"); len(files) != len(cases)+1 && corpustest.Exists(gha) {
		t.Fatalf("%d npm files in the corpus, %d asserted", len(files), len(cases)+1)
	}
}

// TestNPMResponseFormat: the response wrapper is bounded and strict about
// which attestations it takes.
func TestNPMResponseFormat(t *testing.T) {
	v := newVerifier(t, Options{})
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	o := NPMOptions{RegistryKeys: []RegistryKey{{Key: &priv.PublicKey}}, InsecureSkipDigest: true}
	b := `{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.1"}`
	prov := `{"predicateType":"https://slsa.dev/provenance/v1","bundle":` + b + `}`
	pub := `{"predicateType":"` + NPMPublishPredicateType + `","bundle":` + b + `}`
	for _, c := range []struct {
		name, in string
		sentinel error
	}{
		{"not json", `{`, ErrMalformed},
		{"empty", `{"attestations":[]}`, ErrNPM},
		{"only provenance", `{"attestations":[` + prov + `]}`, ErrNPM},
		{"only publish", `{"attestations":[` + pub + `]}`, ErrNPM},
		{"two provenances", `{"attestations":[` + prov + `,` + prov + `,` + pub + `]}`, ErrNPM},
		{"publish v0.2", `{"attestations":[` + prov + `,` + strings.Replace(pub, "v0.1", "v0.2", 1) + `]}`, ErrNPM},
		{"bundle not an object", `{"attestations":[` + prov + `,{"predicateType":"` + NPMPublishPredicateType + `","bundle":"x"}]}`, ErrMalformed},
		{"deep", strings.Repeat("[", MaxJSONDepth+1), buildtrust.ErrTooLarge},
		{"too large", string(make([]byte, MaxNPMResponseSize+1)), buildtrust.ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.VerifyNPM([]byte(c.in), o)
			wantFail(t, err, CheckNPMFormat, c.sentinel)
		})
	}
	// Unknown attestation types are ignored; here the (empty) provenance
	// bundle is then rejected by its own verification.
	_, err := v.VerifyNPM([]byte(`{"attestations":[{"predicateType":"https://example.com/x","bundle":{}},`+prov+`,`+pub+`]}`), o)
	var ce *buildtrust.CheckError
	if !errors.As(err, &ce) || ce.Check == CheckNPMFormat || !errors.Is(err, threat.F4) {
		t.Fatalf("unknown type not ignored: %v", err)
	}
}

// TestNPMPurl: pkg:npm subjects decode to name and version; anything else
// is rejected.
func TestNPMPurl(t *testing.T) {
	for _, c := range []struct{ in, name, version string }{
		{"pkg:npm/%40laurentsimon/provenance-npm-test@1.0.0", "@laurentsimon/provenance-npm-test", "1.0.0"},
		{"pkg:npm/sigstore@1.3.0", "sigstore", "1.3.0"},
		{"pkg:npm/left-pad@1.0.0-beta.1", "left-pad", "1.0.0-beta.1"},
	} {
		n, ver, err := parseNPMPurl(c.in)
		if err != nil || n != c.name || ver != c.version {
			t.Errorf("%s: %q %q %v", c.in, n, ver, err)
		}
	}
	for _, bad := range []string{"", "pkg:npm/", "pkg:npm/x", "pkg:npm/@x", "pkg:pypi/x@1", "pkg:npm/x@", "pkg:npm/x@1?repository_url=y", "pkg:npm/x@1#sub", "pkg:npm/x@1%40", "pkg:npm/%zz@1", "pkg:npm/a@b@1"} {
		if _, _, err := parseNPMPurl(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
