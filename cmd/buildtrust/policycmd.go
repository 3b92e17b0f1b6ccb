package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/policy"
)

const policyUsage = `Policy tools.

	buildtrust policy check FILE [-format text|json]

check decodes and compiles a policy the way verify does — strict YAML or
JSON, keys parsed, roots loaded, CEL rules type-checked — and prints every
problem with its line and column.`

const policyCheckUsage = `Validate a policy document: every problem is printed as FILE:LINE:COL: PATH:
MESSAGE, all at once.

Exit status: 0 valid, 2 invalid or unreadable.`

// problemJSON is one policy problem in -format json.
type problemJSON struct {
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

func runPolicy(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "check" {
		return runPolicyCheck(args[1:], stdout, stderr)
	}
	fs := newFlags("policy", "buildtrust policy <subcommand>", policyUsage, stdout, stderr)
	if code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}
	return usageError(stderr, "policy", "missing subcommand: buildtrust policy check FILE")
}

func runPolicyCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("policy check", "buildtrust policy check FILE [-format text|json]", policyCheckUsage, stdout, stderr)
	format := formatFlag("text")
	fs.Var(&format, "format", "output `format`: text or json (a list of problems)")
	if code, ok := fs.parse(args, 1, 1); !ok {
		return code
	}
	path := fs.args[0]
	data, err := readFile(path, limits.MaxPolicyBytes, "policy")
	if err != nil {
		fmt.Fprintf(stderr, "buildtrust policy check: %v\n", err)
		return exitUsage
	}
	pol, err := policy.Parse(data)
	if format == "json" {
		problems := []problemJSON{}
		var ps policy.Problems
		switch {
		case errors.As(err, &ps):
			for _, p := range ps {
				problems = append(problems, problemJSON{Line: p.Line, Column: p.Column, Path: p.Path, Message: p.Message})
			}
		case err != nil:
			problems = append(problems, problemJSON{Path: "/", Message: err.Error()})
		}
		if code := writeJSON(stdout, stderr, struct {
			File     string        `json:"file"`
			Valid    bool          `json:"valid"`
			Problems []problemJSON `json:"problems"`
		}{path, err == nil, problems}); code != exitOK {
			return code
		}
		if err != nil {
			return exitUsage
		}
		return exitOK
	}
	if err != nil {
		writeProblems(stdout, path, err)
		return exitUsage
	}
	doc := pol.Document()
	name := doc.Name
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(stdout, "%s: valid policy %s: %d artifact entr%s, %d environment(s), %d rule(s)", path, name, len(doc.Artifacts), plural(len(doc.Artifacts), "y", "ies"), len(doc.Environments), len(doc.Rules))
	if doc.VSA != nil {
		fmt.Fprintf(stdout, ", emits VSAs as %s", doc.VSA.Verifier)
	}
	fmt.Fprintln(stdout)
	return exitOK
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
