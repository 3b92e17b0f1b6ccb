package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/policy"
)

func runExample(t *testing.T, o options) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(&out, o)
	return code, out.String()
}

// failLine matches the line of a failed, verdict-deciding check.
func failLine(id string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^  FAIL +` + regexp.QuoteMeta(id) + ` `)
}

// The genuine chain passes at Build L3 and BuildEnv L3 on both platforms,
// with no failed check, and a VSA is issued.
func TestGenuineBuildPasses(t *testing.T) {
	for _, platform := range []string{buildenvtest.PlatformSEVSNP, buildenvtest.PlatformTDX} {
		t.Run(platform, func(t *testing.T) {
			code, out := runExample(t, options{platform: platform})
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			for _, want := range []string{
				"levels:   Build L3 (required L3), BuildEnv L3 (required L3)",
				"verdict:  PASSED",
				"VSA:      signed by the verifier's key, SLSA_BUILD_LEVEL_3 and SLSA_BUILDENV_LEVEL_3",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if regexp.MustCompile(`(?m)^  FAIL`).MatchString(out) {
				t.Errorf("genuine chain has a failed check:\n%s", out)
			}
			for _, id := range []string{"buildenv.image", "buildenv.boot", "buildenv.hardware", "buildenv.dispatch", "buildenv.response", "policy.buildEnvLevel"} {
				if !regexp.MustCompile(`(?m)^  PASS +` + regexp.QuoteMeta(id) + ` `).MatchString(out) {
					t.Errorf("link %s not passed:\n%s", id, out)
				}
			}
		})
	}
}

// Every -tamper value is rejected (exit 1) by the check that guards the
// broken link, and the output names the threat that check stops.
func TestEveryAttackIsCaught(t *testing.T) {
	want := map[string]struct{ check, threat string }{
		"artifact":              {"policy.provenance", "F2"},
		"wrong-image":           {"buildenv.image", "E8"},
		"image-untrusted":       {"buildenv.image", "E8"},
		"refvalues-untrusted":   {"buildenv.refvalues", "E9"},
		"kernel":                {"buildenv.boot.component.kernel", "E9"},
		"pcr-unlogged":          {"tpm.quote.pcrDigest", "E9"},
		"quote-replay":          {"tpm.quote.nonce", "E9"},
		"debug-tee":             {"tee.sevsnp.debug", "E10"},
		"tee-measurement":       {"buildenv.hardware.measurement", "E9"},
		"report-data-other-key": {"tee.sevsnp.reportData", "E10"},
		"launch-untrusted":      {"buildenv.launch", "E7"},
		"dispatch-other-build":  {"buildenv.dispatch.buildId", "E7"},
		"dispatch-wrong-key":    {"buildenv.dispatch", "E7"},
		"dispatch-other-launch": {"buildenv.dispatch", "E7"},
		"provenance-other-env":  {"buildenv.provenance.environment", "E7"},
		"no-tee":                {"buildenv.hardware", "E10"},
		"no-dispatch":           {"buildenv.dispatch", "E7"},
		"response-other":        {"buildenv.response", "E10"},
	}
	for name := range attacks() {
		if _, ok := want[name]; !ok {
			t.Errorf("attack %q has no expectation", name)
		}
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			code, out := runExample(t, options{tamper: name, platform: buildenvtest.PlatformSEVSNP})
			if code != 1 {
				t.Fatalf("exit %d, want 1 (rejected):\n%s", code, out)
			}
			if !failLine(w.check).MatchString(out) {
				t.Errorf("no failed %s:\n%s", w.check, out)
			}
			// The threat is named under that check, not merely somewhere.
			block := regexp.MustCompile(`(?m)^  FAIL +` + regexp.QuoteMeta(w.check) + ` .*\n((?: +stops .*\n)*)`).FindStringSubmatch(out)
			if block == nil || !regexp.MustCompile(`stops (.* )?`+w.threat+`( |\n)`).MatchString(block[1]) {
				t.Errorf("%s does not name threat %s:\n%s", w.check, w.threat, out)
			}
			if !strings.Contains(out, "verdict:  FAILED") || strings.Contains(out, "VSA:") {
				t.Errorf("rejected, yet the output says otherwise:\n%s", out)
			}
		})
	}
	t.Run("tdx debug", func(t *testing.T) {
		code, out := runExample(t, options{tamper: "debug-tee", platform: buildenvtest.PlatformTDX})
		if code != 1 || !failLine("tee.tdx.debug").MatchString(out) {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
}

func TestUsage(t *testing.T) {
	if code, _ := runExample(t, options{tamper: "nonsense", platform: buildenvtest.PlatformSEVSNP}); code != 2 {
		t.Errorf("unknown attack: exit %d, want 2", code)
	}
	if code, _ := runExample(t, options{platform: "sgx"}); code != 2 {
		t.Errorf("unknown platform: exit %d, want 2", code)
	}
	code, out := runExample(t, options{tamper: "list"})
	if code != 0 {
		t.Fatalf("list: exit %d", code)
	}
	for name := range attacks() {
		if !strings.Contains(out, name+" ") {
			t.Errorf("list lacks %s", name)
		}
	}
}

// -out writes files that verify again on their own: the policy, the
// artifact, the bundle and the evidence evaluate to PASSED at the printed
// time, and every written file appears in the printed command.
func TestOutputVerifiesAgain(t *testing.T) {
	dir := t.TempDir()
	code, out := runExample(t, options{platform: buildenvtest.PlatformSEVSNP, out: dir})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	p, err := policy.Parse(read("policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	digest, _, err := buildtrust.Digest(bytes.NewReader(read(buildenvtest.ArtifactName)), buildtrust.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`--time (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no --time in the printed command:\n%s", out)
	}
	at, err := time.Parse(time.RFC3339, m[1])
	if err != nil {
		t.Fatal(err)
	}
	in := policy.Input{Name: buildenvtest.ArtifactName, Artifact: digest, Time: at,
		Attestations: [][]byte{read(buildenvtest.ArtifactName + ".intoto.jsonl")}}
	evidence, _ := filepath.Glob(filepath.Join(dir, "evidence-*.bin"))
	for _, e := range evidence {
		in.Evidence = append(in.Evidence, read(filepath.Base(e)))
		if !strings.Contains(out, "--evidence "+e) {
			t.Errorf("printed command lacks %s", e)
		}
	}
	res, err := p.Evaluate(context.Background(), in)
	if err != nil || !res.Passed() || res.BuildEnvLevel != 3 {
		t.Fatalf("written files: %v, %v", err, res.Err())
	}
	if len(read("vsa.intoto.jsonl")) == 0 {
		t.Error("empty VSA file")
	}
}
