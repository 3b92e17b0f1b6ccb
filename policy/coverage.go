package policy

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/threat"
)

// ArtifactCoverage is what one artifact entry of a policy defends against:
// the catalog threats its checks mitigate when they pass, and those it
// leaves open.
type ArtifactCoverage struct {
	// Index is the entry's position in Document.Artifacts; Match its
	// selector.
	Index int
	Match Match
	// Mitigated and Open split the catalog (threat.Cover).
	Mitigated []threat.Threat
	Open      []threat.Threat
	// By maps each mitigated threat to the check IDs that stop it.
	By map[threat.ID][]string
}

// Coverage reports, per artifact entry, which catalog threats the policy's
// checks mitigate and which stay open. It is computed from the policy
// alone: it says what an evaluation that passes has shown, not what any one
// evaluation found (Result.OpenThreats says that).
func (p *Policy) Coverage() []ArtifactCoverage {
	out := make([]ArtifactCoverage, 0, len(p.artifacts))
	for _, a := range p.artifacts {
		by := p.coverageBy(a)
		ids := make([]threat.ID, 0, len(by))
		for id := range by {
			ids = append(ids, id)
		}
		cov := threat.Cover(ids)
		out = append(out, ArtifactCoverage{Index: a.index, Match: a.doc.Match, Mitigated: cov.Mitigated, Open: cov.Open, By: by})
	}
	return out
}

// coverageBy lists the checks an entry runs as required checks, with the
// threats each stops. Optional expectations the entry leaves unset are not
// counted: an unchecked ref does not stop a build from another branch.
func (p *Policy) coverageBy(a *compiledArtifact) map[threat.ID][]string {
	by := map[threat.ID][]string{}
	add := func(check string, ids ...threat.ID) {
		for _, id := range ids {
			if !slices.Contains(by[id], check) {
				by[id] = append(by[id], check)
			}
		}
	}
	d := a.doc
	// Digests are matched only under collision-resistant algorithms.
	add("statement.subject", threat.V2)
	if e := d.Provenance; e != nil {
		add(CheckProvenance, threat.F2, threat.G3)
		add("provenance.subject", threat.F3, threat.G5)
		add("provenance.builder.id", threat.F1, threat.G1)
		add("provenance.builder.signer", threat.F1, threat.F4, threat.G6)
		if e.SourceRepository != "" && !e.InsecureSkipSource {
			add("provenance.source.repo", threat.D1, threat.D5)
		}
		if e.Branch != "" || e.Tag != "" || e.VersionedTag != "" || e.Commit != "" {
			add("provenance.source.ref", threat.D2)
		}
		if len(e.BuildTypes) > 0 || e.ConfigPath != "" {
			add("provenance.buildType", threat.D3)
		}
		if !e.InsecureAllowUnknownParameters {
			add("provenance.parameters", threat.D4)
		}
		if len(e.Dependencies) > 0 {
			add(provenance.CheckDependencies, threat.DEP_2, threat.DEP_3)
		}
	}
	for _, id := range levelThreats("Build L", d.BuildLevel) {
		add(CheckBuildLevel, id)
	}
	if d.AcceptVSAs != nil {
		add(CheckVSA, threat.G2, threat.G4, threat.G6)
	}
	if d.MaxAge.Duration > 0 {
		add(CheckMaxAge, threat.G4)
	}
	for _, id := range levelThreats("BuildEnv L", d.BuildEnvLevel) {
		add(CheckBuildEnv, id)
	}
	if d.BuildEnvLevel >= 1 {
		add(CheckEnvImage, thrImage...)
		add(CheckEnvProvenance, thrEnvLink...)
	}
	if d.BuildEnvLevel >= 2 {
		add(CheckEnvBoot, thrBoot...)
		add(CheckEnvDispatch, thrEnvLink...)
		add(CheckEnvLaunch, thrLaunch...)
	}
	if d.BuildEnvLevel >= 3 {
		add(CheckEnvHardware, thrHardware...)
		add(CheckEnvMeasurement, thrMeasure...)
	}
	if d.RequireResponseBinding {
		add(CheckEnvResponse, thrResponse...)
	}
	for _, r := range a.rules {
		add(CheckRulePrefix+r.name, r.threats...)
	}
	return by
}

// WriteCoverage writes the coverage of every artifact entry as a readable
// table: each catalog threat, whether the entry mitigates it, and by which
// checks.
func WriteCoverage(w io.Writer, cov []ArtifactCoverage) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, c := range cov {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		sel := append(slices.Clone(c.Match.Names), c.Match.PURLs...)
		fmt.Fprintf(tw, "artifacts[%d] (%s): %d mitigated, %d open\n", c.Index, strings.Join(sel, ", "), len(c.Mitigated), len(c.Open))
		fmt.Fprintln(tw, "THREAT\tSTATUS\tCHECKS\tTITLE")
		for _, t := range c.Mitigated {
			fmt.Fprintf(tw, "%s\tmitigated\t%s\t%s\n", string(t.ID), strings.Join(c.By[t.ID], ", "), t.Title)
		}
		for _, t := range c.Open {
			fmt.Fprintf(tw, "%s\topen\t-\t%s\n", string(t.ID), t.Title)
		}
	}
	return tw.Flush()
}
