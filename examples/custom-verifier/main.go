package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/provenance"
)

// scenario is one build the CI makes: the genuine release, or one that
// breaks exactly one rule of the policy.
type scenario struct {
	name string
	what string
	// rule is the policy rule the build violates; "" for the genuine one.
	rule string
	edit func(*provenance.Provenance)
}

// sandbox reaches into the builder's layout of externalParameters (builder.go).
func sandbox(p *provenance.Provenance) map[string]any {
	return p.BuildDefinition.ExternalParameters["sandbox"].(map[string]any)
}

var scenarios = []scenario{
	{name: "genuine", what: "the release build, as the policy expects it"},
	{name: "network", rule: "hermetic", what: "the sandbox let the build reach the network",
		edit: func(p *provenance.Provenance) {
			sandbox(p)["hermetic"] = false
			sandbox(p)["network"] = "egress"
		}},
	{name: "toolchain", rule: "pinned-toolchain", what: "a runner built the release with another toolchain",
		edit: func(p *provenance.Provenance) {
			deps := p.BuildDefinition.ResolvedDependencies
			deps[1].URI, deps[1].Digest = oldToolchainURI, buildtrust.DigestSet{buildtrust.SHA256: oldToolchainSHA256}
		}},
	{name: "cache", rule: "isolated-cache", what: "the build read the shared build cache",
		edit: func(p *provenance.Provenance) {
			p.BuildDefinition.InternalParameters["cache"] = "shared"
		}},
}

func main() {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	only := flag.String("build", "", "run one build only: "+strings.Join(names, ", "))
	flag.Parse()
	os.Exit(run(context.Background(), os.Stdout, *only))
}

// run verifies each scenario's build and prints its checks. It returns the
// exit code: 0 when every build got the verdict it should (the genuine one
// accepted, every violation refused by its rule), 1 otherwise, 2 for bad
// usage or an internal error.
func run(ctx context.Context, w io.Writer, only string) int {
	pol, err := newVerifier()
	if err != nil {
		fmt.Fprintln(w, "policy:", err)
		return 2
	}
	code, ran := 0, false
	for _, s := range scenarios {
		if only != "" && s.name != only {
			continue
		}
		ran = true
		artifact, envelope, err := build(ctx, s.name, s.edit)
		if err != nil {
			fmt.Fprintln(w, "build:", err)
			return 2
		}
		res, err := verify(ctx, pol, artifact, envelope)
		if err != nil {
			fmt.Fprintln(w, "verify:", err)
			return 2
		}
		fmt.Fprintf(w, "== %s: %s\n", s.name, s.what)
		for _, c := range res.Checks {
			printCheck(w, c)
		}
		fmt.Fprintf(w, "verdict: %s at Build L%d\n\n", res.Verdict, res.BuildLevel)
		if !expected(s, res) {
			code = 1
		}
	}
	if !ran {
		fmt.Fprintf(w, "unknown build %q\n", only)
		return 2
	}
	return code
}

// expected reports whether a scenario got its verdict: the genuine build
// passes; a violating build fails, and its rule is among the failures.
func expected(s scenario, res *policy.Result) bool {
	if s.rule == "" {
		return res.Passed()
	}
	for _, c := range res.Failures() {
		if c.ID == policy.CheckRulePrefix+s.rule {
			return true
		}
	}
	return false
}

func printCheck(w io.Writer, c policy.Check) {
	detail := c.Actual
	if c.Outcome == buildtrust.Fail && c.Expected != "" {
		detail = fmt.Sprintf("expected %s, got %s", c.Expected, c.Actual)
	}
	if c.Message != "" && c.Outcome != buildtrust.Pass {
		if detail != "" {
			detail += " — "
		}
		detail += c.Message
	}
	fmt.Fprintf(w, "  %-14s %-28s %s\n", c.Outcome, c.ID, detail)
	if c.Outcome != buildtrust.Fail {
		return
	}
	for _, id := range c.Threats {
		if t, ok := id.Threat(); ok {
			fmt.Fprintf(w, "  %-14s   stops %-5s %s\n", "", string(t.ID), t.Title)
		}
	}
}
