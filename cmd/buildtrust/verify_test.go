package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/policy"
)

// resultJSON is what the tests read of verify -format json (policy.Result).
type resultJSON struct {
	Verdict       string `json:"verdict"`
	BuildLevel    int    `json:"buildLevel"`
	BuildEnvLevel int    `json:"buildEnvLevel"`
	Checks        []struct {
		ID       string   `json:"id"`
		Threats  []string `json:"threats"`
		Outcome  string   `json:"outcome"`
		Advisory bool     `json:"advisory"`
	} `json:"checks"`
	OpenThreats []string `json:"openThreats"`
}

func decodeResult(t *testing.T, r result) resultJSON {
	t.Helper()
	var res resultJSON
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("verify -format json: %v\n%s", err, r)
	}
	return res
}

func (r resultJSON) outcome(id string) string {
	for _, c := range r.Checks {
		if c.ID == id {
			return c.Outcome
		}
	}
	return ""
}

// A genuine BuildEnv L3 bundle passes at Build L3, BuildEnv L3 on both
// platforms.
func TestVerifyPassed(t *testing.T) {
	for _, platform := range []string{buildenvtest.PlatformSEVSNP, buildenvtest.PlatformTDX} {
		t.Run(platform, func(t *testing.T) {
			f := scenario(t, buildenvtest.Options{Platform: platform})
			res := decodeResult(t, runCLI(t, f.verifyArgs("-format", "json")...).wantCode(t, exitOK))
			if res.Verdict != "PASSED" || res.BuildLevel != 3 || res.BuildEnvLevel != 3 {
				t.Errorf("verdict %s, Build L%d, BuildEnv L%d", res.Verdict, res.BuildLevel, res.BuildEnvLevel)
			}
			if res.outcome("buildenv.hardware") != "PASS" || res.outcome("provenance.subject") != "PASS" {
				t.Errorf("checks: %+v", res.Checks)
			}

			r := runCLI(t, f.verifyArgs()...).wantCode(t, exitOK)
			for _, want := range []string{"PASSED  " + buildenvtest.ArtifactName, "Build level:     3 (required 3)",
				"BuildEnv level:  3 (required 3)", "0 failed", "(-v lists every check)"} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("text output lacks %q:\n%s", want, r.stdout)
				}
			}
			if strings.Contains(r.stdout, "Failed checks") {
				t.Errorf("failed checks listed for a PASSED result:\n%s", r.stdout)
			}
			v := runCLI(t, f.verifyArgs("-v")...).wantCode(t, exitOK)
			if !strings.Contains(v.stdout, "All checks") || !regexp.MustCompile(`(?m)^\s*PASS\s+provenance\.subject\b`).MatchString(v.stdout) {
				t.Errorf("-v does not list the checks:\n%s", v.stdout)
			}
		})
	}
}

// The artifact given by digest and name instead of by file.
func TestVerifyByDigest(t *testing.T) {
	f := scenario(t, buildenvtest.Options{})
	sum := sha256.Sum256(f.bundleResult.Artifact)
	args := []string{"verify", "-policy", f.policy, "-digest", "sha256:" + hex.EncodeToString(sum[:]),
		"-name", buildenvtest.ArtifactName, "-attestations", f.bundle, "-time", testWorld(t).Now.Format(time.RFC3339)}
	for _, e := range f.evidence {
		args = append(args, "-evidence", e)
	}
	runCLI(t, args...).wantCode(t, exitOK)

	// Without a name the policy selects no expectations: FAILED, not PASSED.
	noName := append([]string(nil), args...)
	for i, a := range noName {
		if a == "-name" {
			noName = append(noName[:i], noName[i+2:]...)
			break
		}
	}
	r := runCLI(t, noName...).wantCode(t, exitRejected)
	if !strings.Contains(r.stdout, policy.CheckArtifact) {
		t.Errorf("unselected artifact does not name %s:\n%s", policy.CheckArtifact, r.stdout)
	}
}

// Every broken link fails verification (exit 1) and the output names the
// check that caught it, with its threats.
func TestVerifyTampered(t *testing.T) {
	for _, tc := range []struct {
		tamper, check, threat string
	}{
		{"debug-tee", "tee.sevsnp.debug", "E10"},
		{"kernel", "buildenv.boot.component.kernel", "E9"},
		{"dispatch-other-build", "buildenv.dispatch.buildId", "E7"},
		{"launch-untrusted", "buildenv.launch", "E7"},
		{"no-dispatch", "buildenv.dispatch", "E7"},
	} {
		t.Run(tc.tamper, func(t *testing.T) {
			f := scenario(t, buildenvtest.Options{Tampers: []string{tc.tamper}})
			res := decodeResult(t, runCLI(t, f.verifyArgs("-format", "json")...).wantCode(t, exitRejected))
			if res.Verdict != "FAILED" || res.outcome(tc.check) != "FAIL" {
				t.Fatalf("verdict %s, %s = %q", res.Verdict, tc.check, res.outcome(tc.check))
			}
			r := runCLI(t, f.verifyArgs()...).wantCode(t, exitRejected)
			if !strings.HasPrefix(r.stdout, "FAILED") || !strings.Contains(r.stdout, "FAIL "+tc.check) {
				t.Errorf("text output does not show FAIL %s:\n%s", tc.check, r.stdout)
			}
			// The threat is named on the failed check's own line.
			line := regexp.MustCompile(`(?m)^\s*FAIL ` + regexp.QuoteMeta(tc.check) + `  \[threats ([^\]]*)\]`).FindStringSubmatch(r.stdout)
			if line == nil || !slices.Contains(strings.Fields(line[1]), tc.threat) {
				t.Errorf("FAIL %s does not name threat %s:\n%s", tc.check, tc.threat, r.stdout)
			}
		})
	}
}

// Unusable input is exit 2 with a message; attestations that are readable
// but worthless are ignored, and the verdict is FAILED (exit 1).
func TestVerifyUnusableInput(t *testing.T) {
	f := scenario(t, buildenvtest.Options{})
	garbage := writeFile(t, f.dir, "garbage.bin", []byte("\x00\x01not an attestation"))
	badPolicy := writeFile(t, f.dir, "bad.yaml", []byte("apiVersion: buildtrust.dev/policy/v1\nartifacts: nope\n"))
	missing := filepath.Join(f.dir, "missing")
	at := testWorld(t).Now.Format(time.RFC3339)
	for name, tc := range map[string]struct {
		args []string
		msg  string
	}{
		"no policy":           {[]string{"verify", "-artifact", f.artifact, "-attestations", f.bundle}, "-policy is required"},
		"no artifact":         {[]string{"verify", "-policy", f.policy, "-attestations", f.bundle}, "-artifact FILE or -digest"},
		"both artifact kinds": {[]string{"verify", "-policy", f.policy, "-artifact", f.artifact, "-digest", "sha256:" + strings.Repeat("a", 64), "-attestations", f.bundle}, "exclusive"},
		"no attestations":     {[]string{"verify", "-policy", f.policy, "-artifact", f.artifact}, "no attestations"},
		"missing attestation": {[]string{"verify", "-policy", f.policy, "-artifact", f.artifact, "-attestations", missing}, "no such file"},
		"missing artifact":    {[]string{"verify", "-policy", f.policy, "-artifact", missing, "-attestations", f.bundle}, "no such file"},
		"missing evidence":    {[]string{"verify", "-policy", f.policy, "-artifact", f.artifact, "-attestations", f.bundle, "-evidence", missing}, "no such file"},
		"missing policy":      {[]string{"verify", "-policy", missing, "-artifact", f.artifact, "-attestations", f.bundle}, "no such file"},
		"invalid policy":      {[]string{"verify", "-policy", badPolicy, "-artifact", f.artifact, "-attestations", f.bundle}, "bad.yaml:2:"},
		"garbage policy":      {[]string{"verify", "-policy", garbage, "-artifact", f.artifact, "-attestations", f.bundle}, "invalid policy"},
		"bad digest":          {[]string{"verify", "-policy", f.policy, "-digest", "sha256:XYZ", "-attestations", f.bundle}, "digest"},
		"bad time":            {[]string{"verify", "-policy", f.policy, "-artifact", f.artifact, "-attestations", f.bundle, "-time", "yesterday"}, "RFC 3339"},
		"vsa-out alone":       {[]string{"verify", "-policy", f.policy, "-artifact", f.artifact, "-attestations", f.bundle, "-vsa-out", "x"}, "go together"},
		"vsa without uri":     {[]string{"verify", "-policy", f.policy, "-artifact", f.artifact, "-attestations", f.bundle, "-vsa-out", "x", "-vsa-key", garbage}, "-resource-uri"},
		"garbage vsa key":     {[]string{"verify", "-policy", f.policy, "-artifact", f.artifact, "-attestations", f.bundle, "-vsa-out", "x", "-vsa-key", garbage, "-resource-uri", "https://r.example/a"}, "-vsa-key"},
		"positional":          {[]string{"verify", "-policy", f.policy, "-artifact", f.artifact, "-attestations", f.bundle, f.bundle}, "repeat -attestations"},
		"unknown flag":        {[]string{"verify", "-polcy", f.policy}, "flag provided but not defined"},
		"bad format":          {[]string{"verify", "-format", "xml"}, "text or json"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, tc.args...).wantCode(t, exitUsage)
			if !strings.Contains(r.stderr, tc.msg) {
				t.Errorf("stderr lacks %q:\n%s", tc.msg, r)
			}
			if r.stdout != "" {
				t.Errorf("output on stdout for unusable input:\n%s", r.stdout)
			}
		})
	}

	// A garbage attestation file is read, ignored with a reason, and the
	// artifact fails for want of provenance.
	r := runCLI(t, "verify", "-policy", f.policy, "-artifact", f.artifact, "-attestations", garbage, "-time", at).wantCode(t, exitRejected)
	if !strings.Contains(r.stdout, "Ignored inputs") || !strings.Contains(r.stdout, "FAIL policy.provenance") {
		t.Errorf("garbage attestations:\n%s", r)
	}
}

// verify writes a signed VSA that vsa verify accepts as a consumer, and
// rejects for another resource, another key or another level; without a
// key it refuses to run.
func TestVSARoundTrip(t *testing.T) {
	f := scenario(t, buildenvtest.Options{})
	priv, pub := ed25519KeyFiles(t, f.dir, "verifier")
	_, otherPub := ed25519KeyFiles(t, f.dir, "other")
	out := filepath.Join(f.dir, "app.vsa.json")
	const uri = "https://registry.example.com/acme/app-1.0.0-linux-amd64.tar.gz"
	r := runCLI(t, f.verifyArgs("-resource-uri", uri, "-vsa-out", out, "-vsa-key", priv)...).wantCode(t, exitOK)
	if !strings.Contains(r.stderr, "PASSED VSA written to") {
		t.Errorf("stderr: %s", r.stderr)
	}

	const verifier = "https://verifier.example.com/registry-admission/v1"
	sum := sha256.Sum256(policyText(t, nil))
	base := []string{"vsa", "verify", "-vsa", out, "-verifier-id", verifier, "-artifact", f.artifact,
		"-time", testWorld(t).Now.Add(time.Hour).Format(time.RFC3339)}
	args := func(extra ...string) []string { return append(append([]string(nil), base...), extra...) }

	ok := runCLI(t, args("-key", pub, "-resource-uri", uri, "-level", "SLSA_BUILD_LEVEL_3", "-level", "SLSA_BUILDENV_LEVEL_3",
		"-policy-uri", "https://policies.example.com/acme-release.yaml", "-policy-digest", "sha256:"+hex.EncodeToString(sum[:]),
		"-max-age", "24h")...).wantCode(t, exitOK)
	for _, want := range []string{"VERIFIED", "SLSA_BUILD_LEVEL_3", "SLSA_BUILDENV_LEVEL_3", "vsa.resourceUri"} {
		if !strings.Contains(ok.stdout, want) {
			t.Errorf("vsa verify output lacks %q:\n%s", want, ok.stdout)
		}
	}
	var js vsaResultJSON
	j := runCLI(t, args("-key", pub, "-resource-uri", uri, "-format", "json")...).wantCode(t, exitOK)
	if err := json.Unmarshal([]byte(j.stdout), &js); err != nil || !js.Verified || js.Verifier != verifier || js.Predicate == nil {
		t.Errorf("vsa verify -format json: %v %s", err, j)
	}

	for name, tc := range map[string]struct {
		extra []string
		check string
	}{
		"other resource": {[]string{"-key", pub, "-resource-uri", uri + ".evil"}, "vsa.resourceUri"},
		"other key":      {[]string{"-key", otherPub, "-resource-uri", uri}, "vsa.signature"},
		"other policy":   {[]string{"-key", pub, "-resource-uri", uri, "-policy-uri", "https://policies.example.com/other.yaml"}, "vsa.policy"},
		"stale":          {[]string{"-key", pub, "-resource-uri", uri, "-max-age", "1m"}, "vsa.fresh"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, args(tc.extra...)...).wantCode(t, exitRejected)
			if !strings.HasPrefix(r.stdout, "REJECTED") || !strings.Contains(r.stdout, "FAIL "+tc.check) {
				t.Errorf("rejection does not name %s:\n%s", tc.check, r)
			}
		})
	}

	// Fail closed: no key, no verifier, no resource, no subject.
	for name, a := range map[string][]string{
		"no key":         {"vsa", "verify", "-vsa", out, "-verifier-id", verifier, "-resource-uri", uri, "-artifact", f.artifact},
		"no verifier id": {"vsa", "verify", "-vsa", out, "-key", pub, "-resource-uri", uri, "-artifact", f.artifact},
		"no resource":    {"vsa", "verify", "-vsa", out, "-key", pub, "-verifier-id", verifier, "-artifact", f.artifact},
		"no subject":     {"vsa", "verify", "-vsa", out, "-key", pub, "-verifier-id", verifier, "-resource-uri", uri},
		"bad level":      {"vsa", "verify", "-vsa", out, "-key", pub, "-verifier-id", verifier, "-resource-uri", uri, "-artifact", f.artifact, "-level", "SLSA_build level 3"},
		"garbage key":    {"vsa", "verify", "-vsa", out, "-key", out, "-verifier-id", verifier, "-resource-uri", uri, "-artifact", f.artifact},
		"missing vsa":    {"vsa", "verify", "-vsa", out + ".missing", "-key", pub, "-verifier-id", verifier, "-resource-uri", uri, "-artifact", f.artifact},
		"no subcommand":  {"vsa"},
	} {
		t.Run(name, func(t *testing.T) { runCLI(t, a...).wantCode(t, exitUsage) })
	}

	// A FAILED evaluation still writes its (FAILED) VSA, which consumers
	// reject.
	bad := scenario(t, buildenvtest.Options{Tampers: []string{"debug-tee"}})
	failedOut := filepath.Join(bad.dir, "failed.vsa.json")
	runCLI(t, bad.verifyArgs("-resource-uri", uri, "-vsa-out", failedOut, "-vsa-key", priv)...).wantCode(t, exitRejected)
	r = runCLI(t, "vsa", "verify", "-vsa", failedOut, "-key", pub, "-verifier-id", verifier, "-resource-uri", uri,
		"-artifact", bad.artifact).wantCode(t, exitRejected)
	if !strings.Contains(r.stdout, "FAIL vsa.result") {
		t.Errorf("FAILED VSA: %s", r)
	}
}

// -vsa-out needs a policy that says which verifier issues VSAs.
func TestVSAOutNeedsPolicySection(t *testing.T) {
	f := scenario(t, buildenvtest.Options{})
	priv, _ := ed25519KeyFiles(t, f.dir, "verifier")
	text := policyText(t, func(s string) string { return s[:strings.Index(s, "vsa:\n")] })
	noVSA := writeFile(t, f.dir, "novsa.yaml", text)
	args := f.verifyArgs("-resource-uri", "https://r.example/a", "-vsa-out", filepath.Join(f.dir, "out.json"), "-vsa-key", priv)
	for i, a := range args {
		if a == f.policy {
			args[i] = noVSA
		}
	}
	if r := runCLI(t, args...).wantCode(t, exitUsage); !strings.Contains(r.stderr, "no vsa section") {
		t.Errorf("%s", r)
	}
}

// Attestations as one file each (repeated flags, written --flag), and the
// response-time TEE report as evidence.
func TestVerifySeparateFiles(t *testing.T) {
	f := scenario(t, buildenvtest.Options{Response: true})
	args := []string{"verify", "--policy", f.policy, "--artifact", f.artifact, "--time", testWorld(t).Now.Format(time.RFC3339), "--format", "json"}
	for i, a := range f.bundleResult.Attestations {
		args = append(args, "--attestations", writeFile(t, f.dir, "att-"+strconv.Itoa(i)+".json", a))
	}
	for _, e := range f.evidence {
		args = append(args, "--evidence", e)
	}
	res := decodeResult(t, runCLI(t, args...).wantCode(t, exitOK))
	if res.BuildEnvLevel != 3 || res.outcome("buildenv.response") != "PASS" {
		t.Errorf("BuildEnv L%d, buildenv.response %q", res.BuildEnvLevel, res.outcome("buildenv.response"))
	}
	// Dropping the evidence files breaks the chain the launch references.
	noEvidence := args[:0:0]
	for i := 0; i < len(args); i++ {
		if args[i] == "--evidence" {
			i++
			continue
		}
		noEvidence = append(noEvidence, args[i])
	}
	if res := decodeResult(t, runCLI(t, noEvidence...).wantCode(t, exitRejected)); res.BuildEnvLevel == 3 {
		t.Errorf("BuildEnv L3 without the evidence")
	}
}
