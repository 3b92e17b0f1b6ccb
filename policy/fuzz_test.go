package policy_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/policy"
)

// FuzzParse feeds arbitrary documents to the policy decoder and compiler:
// they must never panic, every rejection must be a Problems list naming
// ErrInvalid, and an accepted policy must evaluate an empty input to
// FAILED (nothing is accepted without evidence).
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "cases", "base-policy.yaml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"apiVersion":"buildtrust.dev/policy/v1","trust":{},"artifacts":[{"match":{"names":["*"]},"rules":["r"]}],"rules":[{"name":"r","expr":"buildLevel >= 0","threats":["D1"]}]}`))
	f.Add([]byte("apiVersion: buildtrust.dev/policy/v1\ntrust: {}\nartifacts:\n  - match: {names: ['*']}\n    rules: [r]\nrules:\n  - {name: r, expr: 'true', threats: [E10]}\n"))
	digest := buildtrust.DigestSet{"sha256": "0000000000000000000000000000000000000000000000000000000000000000"}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := policy.Parse(data)
		if err != nil {
			var ps policy.Problems
			if !errors.As(err, &ps) || !errors.Is(err, policy.ErrInvalid) || len(ps) == 0 {
				t.Fatalf("rejection is not a Problems list: %v", err)
			}
			return
		}
		res, err := p.Evaluate(context.Background(), policy.Input{Name: "x", PURL: "pkg:generic/x", Artifact: digest, Time: time.Unix(1700000000, 0)})
		if err != nil {
			t.Fatalf("Evaluate: %v", err)
		}
		if res.Passed() && len(res.Checks) > 0 {
			for _, c := range res.Checks {
				if c.Outcome == buildtrust.Pass && c.ID != policy.CheckArtifact && !isRule(c.ID) {
					t.Fatalf("an empty input passed check %s", c.ID)
				}
			}
		}
	})
}

func isRule(id string) bool {
	return strings.HasPrefix(id, policy.CheckRulePrefix)
}
