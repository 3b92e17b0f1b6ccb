package provenance

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/threat"
)

// The shared real-world corpus, read in place (never copied); tests skip
// when it is absent. Oracles: corpus README (slsa-verifier regression and
// unit tests).
var (
	corpusDir   = filepath.ToSlash(corpustest.Root())
	verifierDir = corpusDir + "/slsa-verifier/cli/slsa-verifier/testdata"
	gcbDir      = corpusDir + "/slsa-verifier/verifiers/internal/gcb"
)

func requireCorpus(t *testing.T) {
	t.Helper()
	corpustest.Path(t, "slsa-verifier/cli/slsa-verifier/testdata")
}

// loadSigstoreSigned reads a Fulcio-signed provenance file — a DSSE envelope
// carrying its certificate ("cert"), or a Sigstore bundle v0.1–v0.3 — and
// verifies the DSSE signature with the certificate's key.
//
// This is the stub the corpus README allows for Sigstore material: the
// signature itself is checked, but the certificate chain to Fulcio, the
// transparency log and the signer identity are the sigstore module's job
// and are not checked here. The key is then trusted directly.
func loadSigstoreSigned(t *testing.T, path string) (*buildtrust.VerifiedStatement, *buildtrust.PublicKey) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		DSSE                 json.RawMessage `json:"dsseEnvelope"`
		VerificationMaterial struct {
			Certificate struct {
				RawBytes []byte `json:"rawBytes"`
			} `json:"certificate"`
			Chain struct {
				Certificates []struct {
					RawBytes []byte `json:"rawBytes"`
				} `json:"certificates"`
			} `json:"x509CertificateChain"`
		} `json:"verificationMaterial"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var der []byte
	envJSON := data
	if doc.DSSE != nil { // Sigstore bundle
		envJSON = doc.DSSE
		der = doc.VerificationMaterial.Certificate.RawBytes
		if der == nil && len(doc.VerificationMaterial.Chain.Certificates) > 0 {
			der = doc.VerificationMaterial.Chain.Certificates[0].RawBytes
		}
	}
	env, err := buildtrust.ParseEnvelope(envJSON)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if der == nil {
		block, _ := pem.Decode([]byte(env.Signatures[0].Cert))
		if block == nil {
			t.Fatalf("%s: no certificate", path)
		}
		der = block.Bytes
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	key, err := buildtrust.NewPublicKey(cert.PublicKey, buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := env.VerifyStatement(buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{key}})
	if err != nil {
		t.Fatalf("%s: signature with the embedded certificate's key: %v", path, err)
	}
	return vs, key
}

var omittedDigests = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	f, err := os.Open(corpusDir + "/slsa-verifier/omitted-large-artifacts.sha256.tsv")
	if err != nil {
		return m
	}
	defer f.Close()
	for s := bufio.NewScanner(f); s.Scan(); {
		if fields := strings.Split(s.Text(), "\t"); len(fields) == 3 && !strings.HasPrefix(fields[0], "#") {
			m[fields[0]] = fields[2]
		}
	}
	return m
})

// artifactDigest is the SHA-256 of the artifact beside a provenance file,
// or its listed digest when the corpus omitted it for size.
func artifactDigest(t *testing.T, artifactPath string) (buildtrust.DigestSet, bool) {
	t.Helper()
	if data, err := os.ReadFile(artifactPath); err == nil {
		sum := sha256.Sum256(data)
		return buildtrust.DigestSet{buildtrust.SHA256: hex.EncodeToString(sum[:])}, true
	}
	rel := strings.TrimPrefix(filepath.ToSlash(artifactPath), corpusDir+"/slsa-verifier/")
	if d, ok := omittedDigests()[rel]; ok {
		return buildtrust.DigestSet{buildtrust.SHA256: d}, true
	}
	return nil, false
}

type corpusCase struct {
	name   string
	mutate func(*Expectations)
	pass   bool
	check  string    // the check that must fail
	threat threat.ID // the threat the failure must name
}

func runCases(t *testing.T, vs *buildtrust.VerifiedStatement, base Expectations, opts Options, cases []corpusCase) int {
	t.Helper()
	for _, c := range cases {
		exp := base
		exp.Parameters = base.Parameters
		if c.mutate != nil {
			c.mutate(&exp)
		}
		res, err := Check(FromVerified(vs), exp, opts)
		if c.pass {
			if err != nil {
				t.Errorf("%s: want PASS, got %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: want FAIL, got PASS", c.name)
			continue
		}
		if !errors.Is(err, c.threat) {
			t.Errorf("%s: error does not name %s: %v", c.name, c.threat, err)
		}
		if res == nil {
			t.Errorf("%s: no result: %v", c.name, err)
			continue
		}
		failed := false
		for _, ch := range res.Checks {
			failed = failed || ch.ID == c.check && ch.Outcome == buildtrust.Fail
		}
		if !failed {
			t.Errorf("%s: check %s did not fail", c.name, c.check)
		}
	}
	return len(cases)
}

// refCases are the branch/tag/versioned-tag rules of the slsa-verifier
// regression test, by artifact name.
func refCases(kind string) []corpusCase {
	branch := func(b string) func(*Expectations) { return func(e *Expectations) { e.SourceBranch = b } }
	tag := func(v string) func(*Expectations) { return func(e *Expectations) { e.SourceTag = v } }
	vtag := func(v string) func(*Expectations) { return func(e *Expectations) { e.SourceVersionedTag = v } }
	var cs []corpusCase
	addAll := func(pass bool, name string, f func(string) func(*Expectations), values ...string) {
		for _, v := range values {
			cs = append(cs, corpusCase{name: name + " " + v, mutate: f(v), pass: pass, check: CheckSourceRef, threat: threat.D2})
		}
	}
	switch kind {
	case "workflow_dispatch":
		addAll(true, "branch", branch, "main")
		addAll(false, "branch", branch, "master")
		addAll(false, "tag", tag, "v1.2.3")
		addAll(false, "versioned tag", vtag, "v1")
	case "push-v13.0.30":
		addAll(false, "tag", tag, "v13.0.29", "v13.0", "v13")
		addAll(true, "versioned tag", vtag, "v13.0.30", "v13.0", "v13")
		addAll(false, "versioned tag", vtag, "v2", "v0", "v13.1", "v12.9", "v13.0.29", "v13.0.31")
	case "push-v14":
		addAll(true, "versioned tag", vtag, "v14", "v14.0")
		addAll(false, "versioned tag", vtag, "v14.1", "v13", "v15", "v13.2", "v0")
	case "push-v14.2":
		addAll(true, "versioned tag", vtag, "v14.2", "v14")
		addAll(false, "versioned tag", vtag, "v14.2.1", "v14.2.3", "v14.1", "v14.1.1", "v14.3.1", "v13", "v15", "v15.1")
	}
	return cs
}

// TestCorpusGitHubBuilders runs the slsa-verifier regression matrix on every
// GHA builder release folder it asserts (>= v1.2.2): go, generic, delegator
// (BYOB), DSSE envelopes and Sigstore bundles v0.1–v0.3.
func TestCorpusGitHubBuilders(t *testing.T) {
	requireCorpus(t)
	const source = "github.com/slsa-framework/example-package"
	families := []struct{ dir, builder string }{
		{"gha_go", "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml"},
		{"gha_generic", "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"},
		{"gha_delegator", "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml"},
	}
	minVersion, _ := parseSemver("v1.2.2")
	files, cases := 0, 0
	for _, fam := range families {
		versions, _ := os.ReadDir(filepath.Join(verifierDir, fam.dir))
		for _, vdir := range versions {
			v, ok := parseSemver(vdir.Name())
			if !ok || v.compare(minVersion) < 0 {
				continue // not asserted by the regression test
			}
			dir := filepath.Join(verifierDir, fam.dir, vdir.Name())
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				name := e.Name()
				artifact, ok := strings.CutSuffix(name, ".intoto.jsonl")
				if !ok {
					if artifact, ok = strings.CutSuffix(name, ".build.slsa"); !ok {
						continue
					}
				}
				kind := strings.TrimPrefix(artifact, "binary-linux-amd64-")
				digest, ok := artifactDigest(t, filepath.Join(dir, artifact))
				if !ok {
					continue
				}
				t.Run(fam.dir+"/"+vdir.Name()+"/"+kind, func(t *testing.T) {
					vs, key := loadSigstoreSigned(t, filepath.Join(dir, name))
					opts := Options{TrustRoot: []TrustedBuilder{{ID: fam.builder, Signers: []SignerRule{SignedBy(key)}, MaxLevel: 3}}}
					base := Expectations{
						Artifact: digest, BuilderIDs: []string{fam.builder}, SourceRepository: source,
						// The regression test checks no workflow inputs for these builds.
						IgnoreParameters: []string{"/inputs", "/vars", "/event_inputs"},
					}
					version := vdir.Name()
					cs := []corpusCase{
						{name: "defaults", pass: true},
						{name: "builder @version", mutate: func(e *Expectations) { e.BuilderIDs = []string{fam.builder + "@" + version} }, pass: true},
						{name: "builder @refs/tags/version", mutate: func(e *Expectations) { e.BuilderIDs = []string{fam.builder + "@refs/tags/" + version} }, pass: true},
						{name: "untrusted builder", mutate: func(e *Expectations) {
							e.BuilderIDs = []string{"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml"}
						}, check: CheckBuilderID, threat: threat.F1},
						{name: "other release", mutate: func(e *Expectations) { e.BuilderIDs = []string{fam.builder + "@v0.0.1"} }, check: CheckBuilderID, threat: threat.F1},
					}
					for _, wrong := range []string{"github.com/laurentsimon/slsa-verifier-test-genA", "github.com/laurentsimon/slsa-verifier-test-gen", "github.com/Alaurentsimon/slsa-verifier-test-gen"} {
						cs = append(cs, corpusCase{name: "source " + wrong, mutate: func(e *Expectations) { e.SourceRepository = wrong }, check: CheckSourceRepo, threat: threat.D1})
					}
					cs = append(cs, refCases(kind)...)
					cases += runCases(t, vs, base, opts, cs)
				})
				files++
			}
		}
	}
	if files < 40 {
		t.Errorf("only %d GHA provenance files checked; the corpus should hold more", files)
	}
	t.Logf("checked %d GHA provenance files, %d oracle cases", files, cases)
}

// TestCorpusGitHubSingleFiles covers the special files at the top of the
// slsa-verifier testdata whose oracle is decidable offline.
func TestCorpusGitHubSingleFiles(t *testing.T) {
	requireCorpus(t)
	const (
		generic = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
		goB     = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml"
	)
	run := func(t *testing.T, file, artifact, builder, source string, cs []corpusCase) {
		vs, key := loadSigstoreSigned(t, filepath.Join(verifierDir, file))
		digest, ok := artifactDigest(t, filepath.Join(verifierDir, artifact))
		if !ok {
			t.Fatalf("artifact %s missing", artifact)
		}
		base := Expectations{Artifact: digest, BuilderIDs: []string{builder}, SourceRepository: source, IgnoreParameters: []string{"/event_inputs", "/inputs", "/vars"}}
		opts := Options{TrustRoot: []TrustedBuilder{{ID: builder, Signers: []SignerRule{SignedBy(key)}, MaxLevel: 3}}}
		runCases(t, vs, base, opts, cs)
	}
	t.Run("annotated tag", func(t *testing.T) {
		run(t, "annotated-tag.intoto.jsonl", "annotated-tag", generic, "github.com/asraa/slsa-on-github-test", []corpusCase{
			{name: "versioned tag v1.5.0", mutate: func(e *Expectations) { e.SourceVersionedTag = "v1.5.0" }, pass: true},
			{name: "versioned tag v1.5.0 and branch main", mutate: func(e *Expectations) { e.SourceVersionedTag, e.SourceBranch = "v1.5.0", "main" }, check: CheckSourceRef, threat: threat.D2},
		})
	})
	t.Run("builder built at head", func(t *testing.T) {
		run(t, "binary-linux-amd64-e2e-builder-repo.intoto.jsonl", "binary-linux-amd64-e2e-builder-repo", goB, "github.com/slsa-framework/example-package", []corpusCase{
			{name: "branch main", mutate: func(e *Expectations) { e.SourceBranch = "main" }, pass: true},
		})
	})
	for _, which := range []string{"first", "second"} {
		t.Run("multi-subject "+which, func(t *testing.T) {
			run(t, "binary-linux-amd64-multi-subject-"+which+".intoto.jsonl", "binary-linux-amd64-multi-subject-"+which, generic, "github.com/slsa-framework/example-package", []corpusCase{
				{name: "artifact matches one of several subjects", pass: true},
				{name: "another artifact", mutate: func(e *Expectations) { e.Artifact = buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("0", 64)} }, check: CheckSubject, threat: threat.F3},
			})
		})
	}
	t.Run("untrusted builder", func(t *testing.T) { // MALICIOUS: built by a fork of the generator
		run(t, "binary-linux-amd64-untrusted-builder.intoto.jsonl", "binary-linux-amd64-untrusted-builder", goB, "github.com/asraa/slsa-on-github-test", nil)
		vs, key := loadSigstoreSigned(t, filepath.Join(verifierDir, "binary-linux-amd64-untrusted-builder.intoto.jsonl"))
		digest, _ := artifactDigest(t, filepath.Join(verifierDir, "binary-linux-amd64-untrusted-builder"))
		runCases(t, vs, Expectations{Artifact: digest, BuilderIDs: []string{goB}, SourceRepository: "github.com/asraa/slsa-on-github-test"},
			Options{TrustRoot: []TrustedBuilder{{ID: goB, Signers: []SignerRule{SignedBy(key)}, MaxLevel: 3}}},
			[]corpusCase{{name: "trusted builder expected", check: CheckBuilderID, threat: threat.F1}})
	})
	t.Run("workflow inputs", func(t *testing.T) {
		inputs := func(kv ...string) func(*Expectations) {
			return func(e *Expectations) {
				e.IgnoreParameters = nil
				e.Parameters = map[string]ParameterRule{}
				for i := 0; i < len(kv); i += 2 {
					e.Parameters["/event_inputs/"+kv[i]] = ParameterRule{Values: []any{kv[i+1]}}
				}
			}
		}
		all := []string{"release_version", "(for example, 0.1.0)", "some_bool", "true", "some_integer", "123"}
		run(t, "workflow-inputs.intoto.jsonl", "workflow-inputs", generic, "github.com/laurentsimon/slsa-on-github-test", []corpusCase{
			{name: "all inputs", mutate: inputs(all...), pass: true},
			{name: "missing_field=123", mutate: inputs(append(all, "missing_field", "123")...), check: CheckParameters, threat: threat.D4},
			{name: "some_integer=321", mutate: inputs("release_version", "(for example, 0.1.0)", "some_bool", "true", "some_integer", "321"), check: CheckParameters, threat: threat.D4},
			{name: "inputs not all expected", mutate: inputs("some_bool", "true"), check: CheckParameters, threat: threat.D4},
		})
	})
	t.Run("GitHub attestation bundles", func(t *testing.T) {
		run(t, "bcr/MODULE.bazel.intoto.jsonl", "bcr/MODULE.bazel", "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml", "github.com/aspect-build/rules_lint", []corpusCase{
			{name: "publish-to-bcr", pass: true},
			{name: "no builder pinned to another workflow", mutate: func(e *Expectations) {
				e.BuilderIDs = []string{"https://github.com/bazel-contrib/.github/.github/workflows/release_ruleset.yaml"}
			}, check: CheckBuilderID, threat: threat.F1},
		})
		run(t, "bcr/rules_lint-v1.3.1.tar.gz.intoto.jsonl", "bcr/rules_lint-v1.3.1.tar.gz", "https://github.com/bazel-contrib/.github/.github/workflows/release_ruleset.yaml", "github.com/aspect-build/rules_lint", []corpusCase{
			{name: "release_ruleset", pass: true},
		})
	})
}

// gcbKeys loads the GCB verification keys: PAE-signing keys, and the
// regional builtByGCB keys that sign the raw payload (corpus README).
func gcbKeys(t *testing.T) GCBKeys {
	t.Helper()
	var keys GCBKeys
	files, _ := filepath.Glob(filepath.Join(gcbDir, "keys", "materials", "*.key"))
	if len(files) == 0 {
		t.Skip("GCB keys not present")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		k, err := buildtrust.ParsePublicKey(data, buildtrust.KeyOptions{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if strings.HasPrefix(filepath.Base(f), "global-pae") {
			keys.PAE = append(keys.PAE, k)
		} else {
			keys.LegacyRawPayload = append(keys.LegacyRawPayload, k)
		}
	}
	return keys
}

func gcbEntry(t *testing.T, path string, i int) GCloudEntry {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s not present", path)
	}
	entries, err := ParseGCloud(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return entries[i]
}

func gcbDigest(t *testing.T, path string) buildtrust.DigestSet {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	alg, v, _ := strings.Cut(strings.TrimSpace(string(data)), ":")
	return buildtrust.DigestSet{alg: v}
}

// TestCorpusGoogleCloudBuild verifies GCB provenance fully with the shipped
// keys — PAE signatures and the legacy raw-payload ones — and runs the
// slsa-verifier builder, source, digest and tag oracles.
func TestCorpusGoogleCloudBuild(t *testing.T) {
	requireCorpus(t)
	keys := gcbKeys(t)
	const worker = "https://cloudbuild.googleapis.com/GoogleHostedWorker"
	check := func(t *testing.T, e GCloudEntry, keys GCBKeys, base Expectations, cs []corpusCase) {
		vs, err := VerifyGCloudEntry(e, keys)
		if err != nil {
			t.Fatalf("signature: %v", err)
		}
		opts := Options{TrustRoot: []TrustedBuilder{{ID: worker, Signers: []SignerRule{SignedBy(vs.Signers...)}, MaxLevel: 3}}}
		base.InsecureAllowUnknownParameters = true // GCB records the whole build request; the oracles check none of it
		runCases(t, vs, base, opts, cs)
	}
	t.Run("v0.1 raw-payload builtByGCB", func(t *testing.T) {
		e := gcbEntry(t, gcbDir+"/testdata/gcloud-container-github.json", 0)
		// Signed over the raw payload: not DSSE. Accepted only from a key
		// listed as legacy raw-payload.
		if _, err := VerifyGCloudEntry(e, GCBKeys{PAE: keys.LegacyRawPayload}); !errors.Is(err, buildtrust.ErrSignature) {
			t.Fatalf("raw-payload signature accepted as DSSE: %v", err)
		}
		base := Expectations{Artifact: buildtrust.DigestSet{buildtrust.SHA256: "1a033b002f89ed2b8ea733162497fb70f1a4049a7f8602d6a33682b4ad9921fd"},
			BuilderIDs: []string{worker}, SourceRepository: "https://github.com/laurentsimon/gcb-tests"}
		check(t, e, keys, base, []corpusCase{
			{name: "defaults", pass: true},
			{name: "builder @v0.2", mutate: func(x *Expectations) { x.BuilderIDs = []string{worker + "@v0.2"} }, pass: true},
			{name: "builder @v0.1", mutate: func(x *Expectations) { x.BuilderIDs = []string{worker + "@v0.1"} }, check: CheckBuilderID, threat: threat.F1},
			{name: "builder GoogleHostedWorke", mutate: func(x *Expectations) { x.BuilderIDs = []string{"https://cloudbuild.googleapis.com/GoogleHostedWorke"} }, check: CheckBuilderID, threat: threat.F1},
			{name: "builder http://", mutate: func(x *Expectations) { x.BuilderIDs = []string{"http://cloudbuild.googleapis.com/GoogleHostedWorker"} }, check: CheckBuilderID, threat: threat.F1},
			{name: "source gcb-tests2", mutate: func(x *Expectations) { x.SourceRepository = "https://github.com/laurentsimon/gcb-tests2" }, check: CheckSourceRepo, threat: threat.D1},
			{name: "source http://", mutate: func(x *Expectations) { x.SourceRepository = "http://github.com/laurentsimon/gcb-tests" }, check: CheckSourceRepo, threat: threat.D1},
			{name: "source full commit URI", mutate: func(x *Expectations) {
				x.SourceRepository = "https://github.com/laurentsimon/gcb-tests/commit/fbbb98765e85ad464302dc5977968104d36e455e"
			}, check: CheckSourceRepo, threat: threat.D1},
			{name: "other digest", mutate: func(x *Expectations) {
				x.Artifact = buildtrust.DigestSet{buildtrust.SHA256: "1a033b002f89ed2b8ea733162497fb70f1a4049a7f8602d6a33682b4ad9921fe"}
			}, check: CheckSubject, threat: threat.G5},
			{name: "branch master (not recorded)", mutate: func(x *Expectations) { x.SourceBranch = "master" }, check: CheckSourceRef, threat: threat.D2},
		})
	})
	t.Run("v1 google-hosted-worker PAE", func(t *testing.T) {
		path := gcbDir + "/testdata/v1.0-gcloud-container-github.json"
		base := Expectations{Artifact: buildtrust.DigestSet{buildtrust.SHA256: "7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e3"},
			BuilderIDs: []string{worker}, SourceRepository: "https://github.com/khalkie/gcb-prod-prov"}
		cs := []corpusCase{
			{name: "defaults", pass: true},
			{name: "builder GoogleHostedWorke", mutate: func(x *Expectations) { x.BuilderIDs = []string{"https://cloudbuild.googleapis.com/GoogleHostedWorke"} }, check: CheckBuilderID, threat: threat.F1},
			{name: "source with @refs/heads/main", mutate: func(x *Expectations) { x.SourceRepository = "https://github.com/khalkie/gcb-prod-prov@refs/heads/main" }, check: CheckSourceRepo, threat: threat.D1},
			{name: "digest …e4", mutate: func(x *Expectations) {
				x.Artifact = buildtrust.DigestSet{buildtrust.SHA256: "7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e4"}
			}, check: CheckSubject, threat: threat.F3},
			{name: "tag", mutate: func(x *Expectations) { x.SourceTag = "v1.0.0" }, check: CheckSourceRef, threat: threat.D2},
			{name: "branch main", mutate: func(x *Expectations) { x.SourceBranch = "main" }, pass: true},
		}
		check(t, gcbEntry(t, path, 0), GCBKeys{PAE: keys.PAE}, base, cs) // SLSA v1 statement
		check(t, gcbEntry(t, path, 1), keys, base, cs[:4])               // the v0.1 statement of the same build
	})
	t.Run("v0.3 tag", func(t *testing.T) {
		dir := verifierDir + "/gcb_container/v0.3/"
		base := Expectations{Artifact: gcbDigest(t, dir+"gcloud-container-github-tag.digest"),
			BuilderIDs: []string{worker + "@v0.3"}, SourceRepository: "github.com/slsa-framework/example-package"}
		cs := []corpusCase{{name: "tag v33.0.4", mutate: func(x *Expectations) { x.SourceTag = "v33.0.4" }, pass: true}}
		for _, v := range []string{"v34.0.4", "v33.1.4", "v33.0.5"} {
			cs = append(cs, corpusCase{name: "tag " + v, mutate: func(x *Expectations) { x.SourceTag = v }, check: CheckSourceRef, threat: threat.D2})
		}
		for _, v := range []string{"v33", "v33.0", "v33.0.4"} {
			cs = append(cs, corpusCase{name: "versioned " + v, mutate: func(x *Expectations) { x.SourceVersionedTag = v }, pass: true})
		}
		for _, v := range []string{"v33.0.5", "v33.1", "v35"} {
			cs = append(cs, corpusCase{name: "versioned " + v, mutate: func(x *Expectations) { x.SourceVersionedTag = v }, check: CheckSourceRef, threat: threat.D2})
		}
		check(t, gcbEntry(t, dir+"gcloud-container-github-tag.json", 0), keys, base, cs)
	})
	t.Run("v0.2 regression", func(t *testing.T) {
		dir := verifierDir + "/gcb_container/v0.2/"
		base := Expectations{Artifact: gcbDigest(t, dir+"gcloud-container-github.digest"),
			BuilderIDs: []string{worker + "@v0.2"}, SourceRepository: "github.com/laurentsimon/gcb-tests"}
		check(t, gcbEntry(t, dir+"gcloud-container-github.json", 0), keys, base, []corpusCase{
			{name: "defaults", pass: true},
			{name: "bare builder", mutate: func(x *Expectations) { x.BuilderIDs = []string{worker} }, pass: true},
			{name: "builder @v0.4", mutate: func(x *Expectations) { x.BuilderIDs = []string{worker + "@v0.4"} }, check: CheckBuilderID, threat: threat.F1},
			{name: "GoogleHostedWorkera", mutate: func(x *Expectations) { x.BuilderIDs = []string{worker + "a"} }, check: CheckBuilderID, threat: threat.F1},
			{name: "source laurentsimon/name", mutate: func(x *Expectations) { x.SourceRepository = "github.com/laurentsimon/name" }, check: CheckSourceRepo, threat: threat.D1},
			{name: "source org/gcb-tests", mutate: func(x *Expectations) { x.SourceRepository = "github.com/org/gcb-tests" }, check: CheckSourceRepo, threat: threat.D1},
			{name: "source gitlab", mutate: func(x *Expectations) { x.SourceRepository = "gitlab.com/laurentsimon/gcb-tests" }, check: CheckSourceRepo, threat: threat.D1},
		})
	})
	t.Run("tampered signed payloads", func(t *testing.T) {
		// The signed payload was edited: no key verifies it, whatever the
		// unsigned summary says. (Edits to gcloud's unsigned summary fields
		// change nothing here: they are never read.)
		for _, f := range []string{"gcloud-container-mismatch-payload-digest.json", "gcloud-container-mismatch-payload-builderid.json"} {
			for _, v := range []string{"v0.2", "v0.3"} {
				e := gcbEntry(t, verifierDir+"/gcb_container/"+v+"/"+f, 0)
				if _, err := VerifyGCloudEntry(e, keys); !errors.Is(err, buildtrust.ErrSignature) || !errors.Is(err, threat.F4) {
					t.Errorf("%s/%s: err = %v", v, f, err)
				}
			}
		}
	})
}

// Edits that keep a payload's base64 valid but change its bytes are caught
// by the signature, not by parsing (sanity check of the corpus helper).
func TestCorpusHelperDetectsTampering(t *testing.T) {
	requireCorpus(t)
	path := filepath.Join(verifierDir, "workflow-inputs.intoto.jsonl")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	payload, _ := base64.StdEncoding.DecodeString(m["payload"].(string))
	m["payload"] = base64.StdEncoding.EncodeToString(bytes.Replace(payload, []byte("some_integer"), []byte("some_integex"), 1))
	tampered, _ := json.Marshal(m)
	tmp := filepath.Join(t.TempDir(), "tampered.intoto.jsonl")
	if err := os.WriteFile(tmp, tampered, 0o600); err != nil {
		t.Fatal(err)
	}
	env, _ := buildtrust.ParseEnvelope(tampered)
	_, key := loadSigstoreSigned(t, path)
	if _, err := env.VerifyStatement(buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{key}}); !errors.Is(err, buildtrust.ErrSignature) {
		t.Fatalf("tampered corpus envelope verified: %v", err)
	}
}

// TestCorpusSpecBuildTypeExamples reads the SLSA spec's own buildType
// examples (unsigned). RC-era fields such as systemParameters are ignored
// (PROV-2); the draft GCB example lacks runDetails.builder and is rejected;
// the draft GitHub buildType is checked through a caller-supplied Profile.
func TestCorpusSpecBuildTypeExamples(t *testing.T) {
	dir := corpusDir + "/slsa-spec/docs"
	read := func(rel string) *buildtrust.Statement {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Skipf("%s not present", rel)
		}
		var doc struct {
			Predicate json.RawMessage `json:"predicate"`
			Subject   []buildtrust.ResourceDescriptor
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		// The examples carry draft type URIs ("…/v1?draft", "v1-rc1"); the
		// predicate is read as v1.
		return &buildtrust.Statement{Type: buildtrust.StatementTypeV1, PredicateType: PredicateTypeV1, Predicate: doc.Predicate, Subject: doc.Subject}
	}
	for _, rel := range []string{"github-actions-workflow/examples/v1/example.json", "github-actions-workflow/examples/v1-rc1/example.json", "github-actions-workflow/examples/v0.1/example.json"} {
		p, err := Parse(read(rel))
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if !strings.HasSuffix(p.RunDetails.Builder.ID, "@refs/tags/v0.0.1") || p.BuildDefinition.ExternalParameters["workflow"] == nil {
			t.Errorf("%s: %+v", rel, p.Provenance)
		}
	}
	if _, err := Parse(read("gcb-triggered-build/examples/v1/example.json")); !errors.Is(err, ErrMalformed) {
		t.Errorf("GCB draft example without builder.id: err = %v", err)
	}

	st := read("github-actions-workflow/examples/v1/example.json")
	key := newKey(t).PublicKey() // the example is unsigned: this test is about Check
	const builder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml"
	opts := Options{
		TrustRoot: []TrustedBuilder{{ID: builder, Signers: []SignerRule{SignedBy(key)}, MaxLevel: 3}},
		Profiles: []Profile{{BuildTypes: []string{"https://slsa.dev/github-actions-workflow/v1?draft"},
			Source: []string{ptrExternal + "/workflow/repository"}, Ref: []string{ptrExternal + "/workflow/ref"},
			ConfigPath: []string{ptrExternal + "/workflow/path"}, Covers: []string{"/workflow"}}},
	}
	exp := Expectations{
		InsecureSkipSubject: true, BuilderIDs: []string{builder}, SourceRepository: "github.com/octocat/hello-world",
		SourceBranch: "main", SourceCommit: "c27d339ee6075c1f744c5d4b200f7901aad2c369", ConfigPath: ".github/workflow/release.yml",
		Parameters: map[string]ParameterRule{
			"/inputs/build_id":       {Values: []any{123456768}},
			"/inputs/deploy_target":  {Values: []any{"deployment_sys_1a", "deployment_sys_1b"}},
			"/inputs/perform_deploy": {Values: []any{"true"}},
			"/vars/MASCOT":           {Values: []any{"Mona"}},
		},
	}
	att := Attestation{Statement: st, Signers: []Identity{KeyIdentity(key)}}
	if res, err := Check(att, exp, opts); err != nil {
		t.Fatalf("spec example: %v\n%+v", err, res.Checks)
	}
	exp.Parameters["/inputs/perform_deploy"] = ParameterRule{Values: []any{true}} // the string "true" is not the boolean
	if _, err := Check(att, exp, opts); !errors.Is(err, threat.D4) {
		t.Errorf("boolean vs string parameter: %v", err)
	}
}
