package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust/internal/buildenvtest"
)

// The tests drive run in-process with inputs the test world of
// internal/buildenvtest makes: genuine BuildEnv L3 bundles and every broken
// variant, under the world's keys and test roots, written to a temporary
// directory as a user would have them on disk.

func testWorld(t testing.TB) *buildenvtest.World { return buildenvtest.Shared(t) }

// policyText returns the filled test policy, edited by edit when non-nil.
func policyText(t testing.TB, edit func(string) string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if edit != nil {
		text = edit(text)
	}
	return testWorld(t).FillPolicy([]byte(text))
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// files are one scenario on disk.
type files struct {
	dir          string
	policy       string
	artifact     string
	bundle       string   // the attestations as one .intoto.jsonl
	evidence     []string // one file per evidence blob
	bundleResult *buildenvtest.Bundle
	now          time.Time // the world's verification time
}

// scenario builds a bundle of the test world and writes policy, artifact,
// attestations and evidence to a fresh directory.
func scenario(t testing.TB, o buildenvtest.Options) files {
	t.Helper()
	w := testWorld(t)
	b, err := w.Build(o)
	if err != nil {
		t.Fatalf("build scenario: %v", err)
	}
	dir := t.TempDir()
	f := files{dir: dir, bundleResult: b}
	f.now = w.Now
	f.policy = writeFile(t, dir, "policy.yaml", policyText(t, nil))
	f.artifact = writeFile(t, dir, w.ArtifactName, b.Artifact)
	f.bundle = writeFile(t, dir, w.ArtifactName+".intoto.jsonl", b.JSONL())
	for i, e := range b.Evidence {
		f.evidence = append(f.evidence, writeFile(t, dir, fmt.Sprintf("evidence-%d.bin", i), e))
	}
	return f
}

// verifyArgs are the arguments of "verify" for a scenario at the world's time.
func (f files) verifyArgs(extra ...string) []string {
	args := []string{"verify", "-policy", f.policy, "-artifact", f.artifact, "-attestations", f.bundle,
		"-time", f.now.Format(time.RFC3339)}
	for _, e := range f.evidence {
		args = append(args, "-evidence", e)
	}
	return append(args, extra...)
}

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line in-process.
func runCLI(t testing.TB, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s\n--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// wantCode fails the test unless the command exited with code.
func (r result) wantCode(t testing.TB, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %s", code, r)
	}
	return r
}

// ed25519KeyFiles writes a fresh Ed25519 key pair as PKCS #8 and PKIX PEM.
func ed25519KeyFiles(t testing.TB, dir, name string) (priv, pub string) {
	t.Helper()
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	skDER, err := x509.MarshalPKCS8PrivateKey(sk)
	if err != nil {
		t.Fatal(err)
	}
	pkDER, err := x509.MarshalPKIXPublicKey(pk)
	if err != nil {
		t.Fatal(err)
	}
	priv = writeFile(t, dir, name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: skDER}))
	pub = writeFile(t, dir, name+".pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkDER}))
	return priv, pub
}

func TestHelp(t *testing.T) {
	r := runCLI(t, "help").wantCode(t, exitOK)
	for _, c := range commands {
		if !strings.Contains(r.stdout, c.name) {
			t.Errorf("help does not list %s", c.name)
		}
	}
	runCLI(t).wantCode(t, exitUsage)
	runCLI(t, "-h").wantCode(t, exitOK)
	if r := runCLI(t, "frobnicate").wantCode(t, exitUsage); !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %s", r)
	}
	// -h works on every subcommand, and "help X" is "X -h".
	for _, args := range [][]string{{"verify"}, {"inspect"}, {"threats"}, {"policy"}, {"policy", "check"},
		{"vsa"}, {"vsa", "verify"}, {"version"}} {
		r := runCLI(t, append(args, "-h")...).wantCode(t, exitOK)
		if !strings.HasPrefix(r.stdout, "Usage: buildtrust "+strings.Join(args, " ")) {
			t.Errorf("%v -h: %s", args, r)
		}
		if h := runCLI(t, append([]string{"help"}, args...)...).wantCode(t, exitOK); h.stdout != r.stdout {
			t.Errorf("help %v differs from %v -h", args, args)
		}
	}
	runCLI(t, "help", "nothing").wantCode(t, exitUsage)
}

func TestVersion(t *testing.T) {
	r := runCLI(t, "version").wantCode(t, exitOK)
	if !strings.HasPrefix(r.stdout, "buildtrust ") || !strings.Contains(r.stdout, "go1") {
		t.Errorf("version: %s", r)
	}
	runCLI(t, "version", "extra").wantCode(t, exitUsage)
}

func TestFlagsAfterArguments(t *testing.T) {
	f := scenario(t, buildenvtest.Options{})
	// Flags may follow the positional argument; "--" ends the flags.
	if r := runCLI(t, "inspect", f.bundle, "-format", "json").wantCode(t, exitOK); !strings.HasPrefix(r.stdout, "{") {
		t.Errorf("flag after argument ignored: %s", r)
	}
	runCLI(t, "inspect", "-format", "json", "--", f.bundle).wantCode(t, exitOK)
	runCLI(t, "inspect", f.bundle, f.bundle).wantCode(t, exitUsage)
	runCLI(t, "inspect", "-format", "yaml", f.bundle).wantCode(t, exitUsage)
}

// "--" as a flag's value is that value, not the end of the flags: flags
// after the next positional argument still count.
func TestDoubleDashAsFlagValue(t *testing.T) {
	fs := newFlags("test", "", "", io.Discard, io.Discard)
	name := fs.String("name", "", "")
	verbose := fs.Bool("v", false, "")
	if code, ok := fs.parse([]string{"-name", "--", "FILE", "-v"}, 0, -1); !ok {
		t.Fatalf("parse: exit %d", code)
	}
	if *name != "--" || !*verbose || !slices.Equal(fs.args, []string{"FILE"}) {
		t.Errorf("name %q, v %v, args %q; want \"--\", true, [FILE]", *name, *verbose, fs.args)
	}
	// A real "--" still ends the flags.
	fs = newFlags("test", "", "", io.Discard, io.Discard)
	verbose = fs.Bool("v", false, "")
	if _, ok := fs.parse([]string{"--", "FILE", "-v"}, 0, -1); !ok || *verbose || !slices.Equal(fs.args, []string{"FILE", "-v"}) {
		t.Errorf("after --: v %v, args %q", *verbose, fs.args)
	}
}
