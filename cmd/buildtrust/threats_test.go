package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust/threat"
)

func TestThreatsCatalog(t *testing.T) {
	all := threat.All()
	r := runCLI(t, "threats").wantCode(t, exitOK)
	for _, th := range all {
		if !strings.Contains(r.stdout, string(th.ID)+" ") {
			t.Errorf("catalog output lacks %s", th.ID)
		}
	}
	var list []threatJSON
	j := runCLI(t, "threats", "-format", "json").wantCode(t, exitOK)
	if err := json.Unmarshal([]byte(j.stdout), &list); err != nil || len(list) != len(all) {
		t.Fatalf("threats -format json: %v, %d entries, want %d", err, len(list), len(all))
	}
	e10, _ := threat.Lookup(threat.E10)
	for _, x := range list {
		if x.ID == threat.E10 && (x.Title != e10.Title || !x.Draft || x.Mitigation == "") {
			t.Errorf("E10 = %+v", x)
		}
	}
	if v := runCLI(t, "threats", "-v").wantCode(t, exitOK); !strings.Contains(v.stdout, "mitigation: "+e10.Mitigation) {
		t.Errorf("-v lacks descriptions")
	}
}

// With a policy: what its checks mitigate, by which checks, and what stays
// open.
func TestThreatsCoverage(t *testing.T) {
	p := writeFile(t, t.TempDir(), "policy.yaml", policyText(t, nil))
	r := runCLI(t, "threats", "-policy", p).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "artifacts[0] (app-*.tar.gz)") || !strings.Contains(r.stdout, "mitigated") {
		t.Errorf("coverage:\n%s", r.stdout)
	}
	var cov []coverageJSON
	j := runCLI(t, "threats", "-policy", p, "-format", "json").wantCode(t, exitOK)
	if err := json.Unmarshal([]byte(j.stdout), &cov); err != nil || len(cov) != 1 {
		t.Fatalf("coverage JSON: %v\n%s", err, j)
	}
	mitigated := map[threat.ID][]string{}
	for _, m := range cov[0].Mitigated {
		mitigated[m.ID] = m.Checks
	}
	// The base policy requires BuildEnv L3: hardware evidence stops E10.
	if len(mitigated[threat.E10]) == 0 {
		t.Errorf("E10 not mitigated by any check: %+v", cov[0])
	}
	for _, o := range cov[0].Open {
		if o.ID == threat.E10 {
			t.Errorf("E10 both mitigated and open")
		}
	}
	runCLI(t, "threats", "-policy", p+".missing").wantCode(t, exitUsage)
}

// policy check prints every problem with its line and column, all at once.
func TestPolicyCheck(t *testing.T) {
	dir := t.TempDir()
	valid := writeFile(t, dir, "policy.yaml", policyText(t, nil))
	r := runCLI(t, "policy", "check", valid).wantCode(t, exitOK)
	if !strings.Contains(r.stdout, "valid policy acme-release") {
		t.Errorf("%s", r)
	}

	// Semantic problems (Compile) and, separately, decoding problems
	// (Decode): each document has several, all reported.
	for name, tc := range map[string]struct {
		doc  string
		want []string // line:col: path prefixes
	}{
		"semantic": {`apiVersion: buildtrust.dev/policy/v2
trust:
  keys:
    k: {pem: "not a key"}
  builders:
    - id: https://b.example/v1
      keys: [missing]
      maxLevel: 5
artifacts:
  - match: {names: ["*"]}
    provenance:
      builders: [https://other.example/v1]
    buildLevel: 3
`, []string{":1:", ": /apiVersion", ": /trust/keys/k/pem", ": /trust/builders/0/keys/0", ": /trust/builders/0/maxLevel"}},
		"decoding": {`apiVersion: buildtrust.dev/policy/v1
trust:
  keyz: {}
  builders:
    - id: https://b.example/v1
      keys: [k]
      maxLevel: three
artifacts:
  - match: {names: ["*"]}
    buildLevel: 2
    buildLevel: 3
    buildenvLevel: 2
`, []string{":3:", ":7:", ":11:", ":12:5: /artifacts/0/buildenvLevel"}},
	} {
		t.Run(name, func(t *testing.T) {
			invalid := writeFile(t, dir, name+".yaml", []byte(tc.doc))
			r := runCLI(t, "policy", "check", invalid).wantCode(t, exitUsage)
			var problems []string
			for _, line := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(line, invalid+":") && !strings.Contains(line, "invalid policy") {
					problems = append(problems, line)
				}
			}
			if len(problems) < len(tc.want) {
				t.Fatalf("want %d problems or more, one per line:\n%s", len(tc.want), r)
			}
			for _, want := range tc.want {
				found := false
				for _, p := range problems {
					found = found || strings.Contains(p, want)
				}
				if !found {
					t.Errorf("no problem line contains %q:\n%s", want, r.stdout)
				}
			}

			var js struct {
				Valid    bool          `json:"valid"`
				Problems []problemJSON `json:"problems"`
			}
			j := runCLI(t, "policy", "check", "-format", "json", invalid).wantCode(t, exitUsage)
			if err := json.Unmarshal([]byte(j.stdout), &js); err != nil || js.Valid || len(js.Problems) != len(problems) {
				t.Errorf("JSON: %v %+v (text had %d problems)", err, js, len(problems))
			}
			for _, p := range js.Problems {
				if p.Line == 0 || p.Path == "" || p.Message == "" {
					t.Errorf("problem without position: %+v", p)
				}
			}
		})
	}

	runCLI(t, "policy", "check").wantCode(t, exitUsage)
	runCLI(t, "policy", "check", dir+"/missing.yaml").wantCode(t, exitUsage)
	runCLI(t, "policy").wantCode(t, exitUsage)
	runCLI(t, "policy", "lint", valid).wantCode(t, exitUsage)
}
