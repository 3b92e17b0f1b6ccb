package buildtrust

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"path"
	"strings"
	"testing"
)

// This file is a statement of policy, in the manner of the Go standard
// library's go/build/deps_test.go: which of our packages may import which,
// and which third-party modules each may use (DESIGN.md, "Packages and what
// each owns"; DEPENDENCIES.md §1). DO NOT CHANGE IT TO FIX A BUILD: change
// the design first, then this file.

const module = "github.com/buildtrust/buildtrust"

// ourImports: package (relative to the module; "." is the root) → the
// packages of ours it may import. internal/* is allowed everywhere except in
// threat. A package not listed here fails the test, so new packages must be
// placed in the graph on purpose.
var ourImports = map[string][]string{
	"threat":              {},
	"internal/limits":     {},
	"internal/strictjson": {"internal/limits"},
	"internal/text":       {},
	"internal/ecdsasig":   {}, // r, s integers → DER for ecdsa.VerifyASN1, shared by the root, tpm and the TEEs
	"internal/spki":       {}, // x509.ParsePKIXPublicKey with a fast path for Ed25519
	"internal/corpustest": {}, // test helpers only: no non-test package imports it
	"internal/docdecode":  {"internal/limits"},
	"internal/descriptor": {"internal/limits", "internal/strictjson"},          // ResourceDescriptor decoding shared by the root, provenance and scai
	"internal/rdread":     {".", "internal/descriptor", "internal/strictjson"}, // descriptors nested in predicates, as root values
	".":                   {"threat", "internal/*"},
	"provenance":          {".", "threat", "internal/*"},
	"vsa":                 {".", "threat", "internal/*"},
	"scai":                {".", "threat", "internal/*"},
	"tpm":                 {".", "threat", "internal/*"},
	"tee":                 {".", "threat", "internal/*"},
	"tee/sevsnp":          {"tee", ".", "threat", "internal/*"},
	"tee/tdx":             {"tee", ".", "threat", "internal/*"},
	"policy":              {".", "threat", "internal/*", "provenance", "vsa", "scai", "tpm", "tee", "tee/sevsnp", "tee/tdx"},
	"examples/*":          {"*"},
	"cmd/*":               {"*"},

	"internal/buildenvtest": {"*"}, // test and example fixtures: no library package imports it
}

// thirdParty: package → module path prefixes it may import directly.
var thirdParty = map[string][]string{
	".":                   {"github.com/in-toto/attestation/go/v1", "github.com/secure-systems-lab/go-securesystemslib/signerverifier", "google.golang.org/protobuf/"},
	"internal/corpustest": {"github.com/secure-systems-lab/go-securesystemslib/signerverifier"},
	"internal/docdecode":  {"gopkg.in/yaml.v3"},
	"provenance":          {"github.com/in-toto/attestation/", "google.golang.org/protobuf/"},
	"vsa":                 {"github.com/in-toto/attestation/", "google.golang.org/protobuf/"},
	"scai":                {"github.com/in-toto/attestation/", "google.golang.org/protobuf/"},
	"tpm":                 {"github.com/google/go-tpm/", "github.com/google/go-eventlog/"},
	"tee/sevsnp":          {"github.com/google/go-sev-guest/"},
	"tee/tdx":             {"github.com/google/go-tdx-guest/", "github.com/google/go-eventlog/"},
	"policy":              {"cel.dev/cel-go/", "google.golang.org/protobuf/"},
	"examples/*":          {"*"},
	"cmd/*":               {"*"},
}

// forbidden modules may not be compiled into any package of the core module
// (DEPENDENCIES.md §2: C1–C6; sigstore-go lives in the nested module).
var forbidden = []string{
	"github.com/sigstore/",
	"github.com/google/go-tpm-tools/",
	"github.com/google/go-attestation/",
	"github.com/open-policy-agent/",
	"github.com/google/cel-go/",
}

// pinned are the exact versions DEPENDENCIES.md §1 verified.
var pinned = map[string]string{
	"github.com/in-toto/attestation":                    "v1.2.0",
	"github.com/secure-systems-lab/go-securesystemslib": "v0.11.1",
	"github.com/google/go-tpm":                          "v0.9.8",
	"github.com/google/go-sev-guest":                    "v0.15.0",
	"github.com/google/go-tdx-guest":                    "v0.3.1",
	"google.golang.org/protobuf":                        "v1.36.12",
	"github.com/google/go-eventlog":                     "v0.0.2",
	"cel.dev/cel-go":                                    "v0.33.2",
	"gopkg.in/yaml.v3":                                  "v3.0.1",
}

type listedPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

func goList(t *testing.T, args ...string) []listedPackage {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	out, err := exec.Command("go", append([]string{"list", "-json=ImportPath,Standard,Imports,Deps"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// rule finds the entry for rel, allowing "dir/*" patterns.
func rule[V any](rules map[string]V, rel string) (V, bool) {
	if v, ok := rules[rel]; ok {
		return v, true
	}
	for pattern, v := range rules {
		if ok, _ := path.Match(pattern, rel); ok || strings.HasSuffix(pattern, "/*") && strings.HasPrefix(rel, strings.TrimSuffix(pattern, "*")) {
			return v, true
		}
	}
	var zero V
	return zero, false
}

func relative(importPath string) string {
	if importPath == module {
		return "."
	}
	return strings.TrimPrefix(importPath, module+"/")
}

func TestImportGraph(t *testing.T) {
	pkgs := goList(t, "./...")
	std := map[string]bool{}
	for _, p := range goList(t, "std") {
		std[p.ImportPath] = true
	}
	for _, p := range pkgs {
		rel := relative(p.ImportPath)
		allowed, ok := rule(ourImports, rel)
		third, _ := rule(thirdParty, rel)
		if !ok {
			// A test double (tpm/tpmtest, tee/tdx/tdxtest) may import the
			// package it fakes and what that package may import.
			if !strings.HasSuffix(rel, "test") || path.Dir(rel) == "." {
				t.Errorf("package %s is not in the import graph of deps_test.go", rel)
				continue
			}
			faked := path.Dir(rel)
			allowed, _ = rule(ourImports, faked)
			allowed = append([]string{faked}, allowed...)
			third, _ = rule(thirdParty, faked)
		}
		for _, imp := range p.Imports {
			if imp == module+"/internal/corpustest" {
				t.Errorf("%s imports internal/corpustest outside its tests", rel)
			}
			if imp == module+"/internal/buildenvtest" && !strings.HasPrefix(rel, "examples/") && !strings.HasPrefix(rel, "cmd/") {
				t.Errorf("%s imports internal/buildenvtest outside its tests (only examples and commands may)", rel)
			}
			switch {
			case std[imp]:
			case imp == module || strings.HasPrefix(imp, module+"/"):
				if !allowedPath(allowed, relative(imp)) {
					t.Errorf("%s imports %s: not allowed by the design", rel, relative(imp))
				}
			default:
				if !allowedPrefix(third, imp) {
					t.Errorf("%s imports third-party %s: not allowed for this package", rel, imp)
				}
			}
		}
		for _, dep := range p.Deps {
			for _, bad := range forbidden {
				if strings.HasPrefix(dep, bad) {
					t.Errorf("%s depends on forbidden %s", rel, dep)
				}
			}
		}
	}
}

func allowedPath(allowed []string, rel string) bool {
	for _, a := range allowed {
		if a == "*" || a == rel {
			return true
		}
		if strings.HasSuffix(a, "/*") && strings.HasPrefix(rel, strings.TrimSuffix(a, "*")) {
			return true
		}
	}
	return false
}

func allowedPrefix(allowed []string, imp string) bool {
	for _, a := range allowed {
		if a == "*" || imp == strings.TrimSuffix(a, "/") || strings.HasPrefix(imp, a) {
			return true
		}
	}
	return false
}

func TestPinnedVersions(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	out, err := exec.Command("go", "mod", "edit", "-json").Output()
	if err != nil {
		t.Fatalf("go mod edit: %v", err)
	}
	var mod struct {
		Go      string
		Require []struct{ Path, Version string }
	}
	if err := json.Unmarshal(out, &mod); err != nil {
		t.Fatal(err)
	}
	if mod.Go != "1.25.0" {
		t.Errorf("go directive %s, want 1.25.0 (DESIGN.md)", mod.Go)
	}
	got := map[string]string{}
	for _, r := range mod.Require {
		got[r.Path] = r.Version
	}
	for p, v := range pinned {
		if got[p] != v {
			t.Errorf("go.mod requires %s %q, want %s", p, got[p], v)
		}
	}
	// The whole module graph stays small (DEPENDENCIES.md: 25 modules for the
	// base set); a jump means a heavy dependency slipped in.
	graph, err := exec.Command("go", "list", "-m", "all").Output()
	if err != nil {
		t.Fatalf("go list -m all: %v", err)
	}
	n := 0
	for s := bufio.NewScanner(bytes.NewReader(graph)); s.Scan(); {
		n++
	}
	if n > 45 {
		t.Errorf("module graph has %d modules; the core budget is 45 (DEPENDENCIES.md)", n)
	}
}
