package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/threat"
)

const threatsUsage = `List the supply-chain threat catalog (SLSA threats & mitigations, plus the
draft Build Environment track's E7–E10): each threat's ID, level and title.

With -policy, show instead what the policy defends against, per artifact
entry: each catalog threat, whether a check of the policy mitigates it (and
which checks), or whether it stays open. This is computed from the policy
alone; "verify" reports what one evaluation actually showed.`

// threatJSON is the stable JSON form of a catalog entry (threat.Threat has
// no JSON tags: its Go field names are not a wire format).
type threatJSON struct {
	ID           threat.ID       `json:"id"`
	Category     threat.Category `json:"category"`
	Title        string          `json:"title"`
	Level        threat.Level    `json:"level"`
	Draft        bool            `json:"draft,omitempty"`
	V10          string          `json:"v10,omitempty"`
	Threat       string          `json:"threat"`
	Mitigation   string          `json:"mitigation"`
	Example      string          `json:"example,omitempty"`
	Requirements []string        `json:"requirements,omitempty"`
	Note         string          `json:"note,omitempty"`
}

type coverageJSON struct {
	Index     int           `json:"index"`
	Match     policy.Match  `json:"match"`
	Mitigated []coveredJSON `json:"mitigated"`
	Open      []openJSON    `json:"open"`
}

type coveredJSON struct {
	ID     threat.ID `json:"id"`
	Title  string    `json:"title"`
	Checks []string  `json:"checks"`
}

type openJSON struct {
	ID    threat.ID `json:"id"`
	Title string    `json:"title"`
}

func runThreats(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("threats", "buildtrust threats [-policy FILE] [-format text|json] [-v]", threatsUsage, stdout, stderr)
	policyFile := fs.String("policy", "", "show the coverage of the policy in `FILE`")
	format := formatFlag("text")
	fs.Var(&format, "format", "output `format`: text or json")
	verbose := fs.Bool("v", false, "text: also print each threat's description and mitigation")
	if code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}

	if *policyFile != "" {
		pol, code := loadPolicy(*policyFile, stderr)
		if pol == nil {
			return code
		}
		cov := pol.Coverage()
		if format == "json" {
			out := make([]coverageJSON, 0, len(cov))
			for _, c := range cov {
				cj := coverageJSON{Index: c.Index, Match: c.Match, Mitigated: []coveredJSON{}, Open: []openJSON{}}
				for _, t := range c.Mitigated {
					cj.Mitigated = append(cj.Mitigated, coveredJSON{ID: t.ID, Title: t.Title, Checks: c.By[t.ID]})
				}
				for _, t := range c.Open {
					cj.Open = append(cj.Open, openJSON{ID: t.ID, Title: t.Title})
				}
				out = append(out, cj)
			}
			return writeJSON(stdout, stderr, out)
		}
		if err := policy.WriteCoverage(stdout, cov); err != nil {
			fmt.Fprintf(stderr, "buildtrust threats: %v\n", err)
			return exitUsage
		}
		return exitOK
	}

	all := threat.All()
	if format == "json" {
		out := make([]threatJSON, len(all))
		for i, t := range all {
			out[i] = threatJSON{ID: t.ID, Category: t.Category, Title: t.Title, Level: t.Level, Draft: t.Draft, V10: t.V10,
				Threat: t.Threat, Mitigation: t.Mitigation, Example: t.Example, Requirements: t.Requirements, Note: t.Note}
		}
		return writeJSON(stdout, stderr, out)
	}
	if *verbose {
		for _, t := range all {
			draft := ""
			if t.Draft {
				draft = " (draft)"
			}
			fmt.Fprintf(stdout, "%s  %s\n  category: %s; level: %s%s\n  threat: %s\n  mitigation: %s\n\n", string(t.ID), t.Title, t.Category, t.Level, draft, t.Threat, t.Mitigation)
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCATEGORY\tLEVEL\tTITLE")
	for _, t := range all {
		level := string(t.Level)
		if t.Draft {
			level += " (draft)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", string(t.ID), t.Category, level, t.Title)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d threats. -v prints descriptions; -policy FILE shows what a policy leaves open.\n", len(all))
	return exitOK
}

func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "buildtrust: %v\n", err)
		return exitUsage
	}
	return exitOK
}
