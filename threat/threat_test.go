package threat_test

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust/threat"
)

// wantCount is the number of threats in REQUIREMENTS.md §6 (index row
// "THREAT": 57). No further threats were added from the seeds.
const wantCount = 57

// constants pairs every exported ID constant with the ID it must hold.
var constants = []struct {
	c    threat.ID
	want string
}{
	{threat.A1, "A1"},
	{threat.B1_1, "B1-1"}, {threat.B1_2, "B1-2"}, {threat.B1_3, "B1-3"}, {threat.B1_4, "B1-4"}, {threat.B1_5, "B1-5"},
	{threat.B2_1, "B2-1"}, {threat.B2_2, "B2-2"}, {threat.B2_3, "B2-3"}, {threat.B2_4, "B2-4"},
	{threat.B2_5, "B2-5"}, {threat.B2_6, "B2-6"}, {threat.B2_7, "B2-7"},
	{threat.B3_1, "B3-1"}, {threat.B3_2, "B3-2"}, {threat.B3_3, "B3-3"},
	{threat.B4_1, "B4-1"},
	{threat.C1, "C1"}, {threat.C2, "C2"},
	{threat.D1, "D1"}, {threat.D2, "D2"}, {threat.D3, "D3"}, {threat.D4, "D4"}, {threat.D5, "D5"},
	{threat.E1, "E1"}, {threat.E2, "E2"}, {threat.E3, "E3"}, {threat.E4, "E4"}, {threat.E5, "E5"},
	{threat.E6, "E6"}, {threat.E7, "E7"}, {threat.E8, "E8"}, {threat.E9, "E9"}, {threat.E10, "E10"},
	{threat.F1, "F1"}, {threat.F2, "F2"}, {threat.F3, "F3"}, {threat.F4, "F4"},
	{threat.G1, "G1"}, {threat.G2, "G2"}, {threat.G3, "G3"}, {threat.G4, "G4"}, {threat.G5, "G5"}, {threat.G6, "G6"},
	{threat.H1, "H1"}, {threat.H2, "H2"}, {threat.I1, "I1"},
	{threat.DEP_1, "DEP-1"}, {threat.DEP_2, "DEP-2"}, {threat.DEP_3, "DEP-3"}, {threat.DEP_4, "DEP-4"},
	{threat.AV_1, "AV-1"}, {threat.AV_2, "AV-2"}, {threat.AV_3, "AV-3"}, {threat.AV_4, "AV-4"},
	{threat.V1, "V1"}, {threat.V2, "V2"},
}

// categoryOrder is the spec's section order; index = rank in the catalog.
var categoryOrder = []threat.Category{
	threat.CategorySource,
	threat.CategoryExternalParameters,
	threat.CategoryBuild,
	threat.CategoryPublication,
	threat.CategoryDistribution,
	threat.CategoryUsage,
	threat.CategoryDependency,
	threat.CategoryAvailability,
	threat.CategoryVerification,
}

// categoryOfPrefix maps the letter prefix of an ID to its category.
var categoryOfPrefix = map[string]threat.Category{
	"A": threat.CategorySource, "B": threat.CategorySource, "C": threat.CategorySource,
	"D":   threat.CategoryExternalParameters,
	"E":   threat.CategoryBuild,
	"F":   threat.CategoryPublication,
	"G":   threat.CategoryDistribution,
	"H":   threat.CategoryUsage,
	"I":   threat.CategoryUsage,
	"DEP": threat.CategoryDependency,
	"AV":  threat.CategoryAvailability,
	"V":   threat.CategoryVerification,
}

var validLevels = []threat.Level{
	threat.BuildL1, threat.BuildL2, threat.BuildL3,
	threat.BuildEnvL1, threat.BuildEnvL2, threat.BuildEnvL3,
	threat.SourceL2, threat.SourceL3, threat.SourceL4,
	threat.Expectations, threat.Verification, threat.NotAProblem, threat.NotAddressed,
}

// withoutExample lists the threats for which the spec gives no example.
var withoutExample = []threat.ID{
	threat.B3_1, threat.B3_2, threat.B3_3, threat.C2,
	threat.H1, threat.H2, threat.I1,
	threat.AV_2, threat.AV_3, threat.AV_4,
}

// reqPattern is the shape of a REQUIREMENTS.md ID such as "THREAT-B1-1",
// "BENV-L3-8", "PROV-VER-2", "ITE-ST-3" or "GAP-9".
var reqPattern = regexp.MustCompile(`^(THREAT|BENV|PROV|PROV-VER|BUILD|VSA|VSA-VER|SVR|SCAI|ASSESS|GAP|DIST|ITE)-[A-Z0-9]+(-[A-Z0-9]+)*$`)

var idPattern = regexp.MustCompile(`^([A-Z]+)-?([0-9]+)(?:-([0-9]+))?$`)

// idKey splits an ID into its letter prefix and numbers ("B1-2" → "B", 1, 2).
func idKey(t *testing.T, id threat.ID) (prefix string, n1, n2 int) {
	t.Helper()
	m := idPattern.FindStringSubmatch(string(id))
	if m == nil {
		t.Fatalf("ID %q has an unexpected shape", id)
	}
	n1, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		n2, _ = strconv.Atoi(m[3])
	}
	return m[1], n1, n2
}

func TestCount(t *testing.T) {
	if got := len(threat.All()); got != wantCount {
		t.Errorf("len(All()) = %d, want %d", got, wantCount)
	}
	if got := len(threat.IDs()); got != wantCount {
		t.Errorf("len(IDs()) = %d, want %d", got, wantCount)
	}
	if got := len(constants); got != wantCount {
		t.Errorf("test lists %d constants, want %d", got, wantCount)
	}
}

func TestIDsUnique(t *testing.T) {
	seen := map[threat.ID]bool{}
	for _, id := range threat.IDs() {
		if seen[id] {
			t.Errorf("duplicate ID %q", id)
		}
		seen[id] = true
	}
}

func TestConstantsResolve(t *testing.T) {
	inCatalog := map[threat.ID]bool{}
	for _, id := range threat.IDs() {
		inCatalog[id] = true
	}
	for _, c := range constants {
		if string(c.c) != c.want {
			t.Errorf("constant for %q holds %q", c.want, c.c)
		}
		tr, ok := threat.Lookup(c.c)
		if !ok {
			t.Errorf("Lookup(%q) not found", c.c)
			continue
		}
		if tr.ID != c.c {
			t.Errorf("Lookup(%q).ID = %q", c.c, tr.ID)
		}
		if got, ok := c.c.Threat(); !ok || !reflect.DeepEqual(got, tr) {
			t.Errorf("%q.Threat() = %v, %v; want the Lookup result", c.c, got.ID, ok)
		}
		delete(inCatalog, c.c)
	}
	for id := range inCatalog {
		t.Errorf("catalog ID %q has no constant", id)
	}
	if _, ok := threat.Lookup("E11"); ok {
		t.Error(`Lookup("E11") found a threat`)
	}
}

func TestEntriesComplete(t *testing.T) {
	for _, tr := range threat.All() {
		if strings.TrimSpace(tr.Title) == "" || strings.TrimSpace(tr.Threat) == "" || strings.TrimSpace(tr.Mitigation) == "" {
			t.Errorf("%s: empty Title, Threat or Mitigation", tr.ID)
		}
		if !slices.Contains(categoryOrder, tr.Category) {
			t.Errorf("%s: invalid category %q", tr.ID, tr.Category)
		}
		prefix, _, _ := idKey(t, tr.ID)
		if want := categoryOfPrefix[prefix]; tr.Category != want {
			t.Errorf("%s: category %q, want %q", tr.ID, tr.Category, want)
		}
		if !slices.Contains(validLevels, tr.Level) {
			t.Errorf("%s: invalid level %q", tr.ID, tr.Level)
		}
		if noEx := slices.Contains(withoutExample, tr.ID); noEx != (tr.Example == "") {
			t.Errorf("%s: Example empty = %v, want %v", tr.ID, tr.Example == "", noEx)
		}
		if len(tr.Requirements) == 0 || tr.Requirements[0] != "THREAT-"+string(tr.ID) {
			t.Errorf("%s: Requirements %q do not start with THREAT-%s", tr.ID, tr.Requirements, tr.ID)
		}
		seen := map[string]bool{}
		for _, r := range tr.Requirements {
			if !reqPattern.MatchString(r) {
				t.Errorf("%s: requirement %q is not a REQUIREMENTS.md ID", tr.ID, r)
			}
			if seen[r] {
				t.Errorf("%s: requirement %q listed twice", tr.ID, r)
			}
			seen[r] = true
		}
		wantDraft := tr.ID == threat.E7 || tr.ID == threat.E8 || tr.ID == threat.E9 || tr.ID == threat.E10
		if tr.Draft != wantDraft {
			t.Errorf("%s: Draft = %v, want %v", tr.ID, tr.Draft, wantDraft)
		}
		if tr.Draft && !strings.HasPrefix(string(tr.Level), "BuildEnv") {
			t.Errorf("%s: draft entry with non-BuildEnv level %q", tr.ID, tr.Level)
		}
	}
}

func TestLevels(t *testing.T) {
	tests := []struct {
		level threat.Level
		want  []threat.ID
	}{
		{threat.NotAProblem, []threat.ID{threat.E2}},
		{threat.BuildL1, []threat.ID{threat.F2, threat.F3, threat.G3, threat.G5}},
		{threat.BuildL2, []threat.ID{threat.E1, threat.E3, threat.F4, threat.G6}},
		{threat.BuildL3, []threat.ID{threat.E4, threat.E5, threat.E6}},
		{threat.BuildEnvL1, []threat.ID{threat.E8}},
		{threat.BuildEnvL2, []threat.ID{threat.E7, threat.E9}},
		{threat.BuildEnvL3, []threat.ID{threat.E10}},
		{threat.SourceL2, []threat.ID{threat.B2_1, threat.B2_2, threat.B4_1}},
		{threat.SourceL3, []threat.ID{threat.B2_3}},
		{threat.SourceL4, []threat.ID{threat.B1_1, threat.B2_4, threat.B2_5, threat.B2_6}},
		{threat.Verification, []threat.ID{threat.B1_5, threat.C1}},
		{threat.Expectations, []threat.ID{threat.D1, threat.D2, threat.D3, threat.D4, threat.D5, threat.F1, threat.G1, threat.G2, threat.G4, threat.H1}},
		{"Build L4", nil},
	}
	total := 0
	for _, tc := range tests {
		var got []threat.ID
		for _, tr := range threat.ByLevel(tc.level) {
			got = append(got, tr.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ByLevel(%q) = %v, want %v", tc.level, got, tc.want)
		}
		total += len(got)
	}
	total += len(threat.ByLevel(threat.NotAddressed))
	if total != wantCount {
		t.Errorf("levels cover %d threats, want %d", total, wantCount)
	}
}

func TestE7VersionsDisagree(t *testing.T) {
	e7, _ := threat.Lookup(threat.E7)
	if e7.Level != threat.BuildEnvL2 || !e7.Draft {
		t.Errorf("E7: level %q draft %v, want BuildEnv L2 draft", e7.Level, e7.Draft)
	}
	if !slices.Contains(e7.Requirements, "GAP-9") || !strings.Contains(e7.Note, "verification") {
		t.Errorf("E7 must cite GAP-9 and note the released \"verification\" level: %q %q", e7.Requirements, e7.Note)
	}
}

func TestV10(t *testing.T) {
	tests := []struct {
		id   threat.ID
		want string
	}{
		{threat.D1, "(C) Build from modified source"},
		{threat.D5, "(C) Build from modified source"},
		{threat.B4_1, "Verification threats"},
		{threat.AV_3, "(G) Compromise package repo"},
		{threat.DEP_4, "(D) Use compromised dependency"},
		{threat.C1, "(B) Compromise source repo"},
		{threat.E1, ""}, // same letter in v1.0
		{threat.F4, ""},
		{threat.G2, ""}, // new in v1.1
		{threat.A1, ""}, // new in v1.1
	}
	for _, tc := range tests {
		tr, _ := threat.Lookup(tc.id)
		if tr.V10 != tc.want {
			t.Errorf("%s: V10 = %q, want %q", tc.id, tr.V10, tc.want)
		}
	}
}

func TestOrder(t *testing.T) {
	a, b := threat.All(), threat.All()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("All() differs between calls")
	}
	ids := threat.IDs()
	if ids[0] != threat.A1 || ids[len(ids)-1] != threat.V2 {
		t.Errorf("first, last = %q, %q; want A1, V2", ids[0], ids[len(ids)-1])
	}
	for i, tr := range a {
		if tr.ID != ids[i] {
			t.Fatalf("All()[%d].ID = %q, IDs()[%d] = %q", i, tr.ID, i, ids[i])
		}
	}
	// Catalog order: category rank, then letter prefix, then numbers.
	less := func(x, y threat.Threat) bool {
		cx, cy := slices.Index(categoryOrder, x.Category), slices.Index(categoryOrder, y.Category)
		if cx != cy {
			return cx < cy
		}
		px, x1, x2 := idKey(t, x.ID)
		py, y1, y2 := idKey(t, y.ID)
		if px != py {
			return px < py
		}
		if x1 != y1 {
			return x1 < y1
		}
		return x2 < y2
	}
	for i := 1; i < len(a); i++ {
		if !less(a[i-1], a[i]) {
			t.Errorf("order: %q before %q", a[i-1].ID, a[i].ID)
		}
	}
	// E10 sorts after E9, not after E1.
	if i9, i10 := slices.Index(ids, threat.E9), slices.Index(ids, threat.E10); i10 != i9+1 {
		t.Errorf("E10 at %d, E9 at %d", i10, i9)
	}
}

func TestCopies(t *testing.T) {
	orig, _ := threat.Lookup(threat.F4)

	all := threat.All()
	for i := range all {
		all[i].Title = "changed"
		all[i].Requirements[0] = "changed"
	}
	got, _ := threat.Lookup(threat.F4)
	got.Requirements[0] = "changed again"
	for _, tr := range threat.ByLevel(threat.BuildL2) {
		tr.Requirements[0] = "changed"
	}
	cov := threat.Cover([]threat.ID{threat.F4})
	cov.Mitigated[0].Requirements[0] = "changed"

	after, _ := threat.Lookup(threat.F4)
	if !reflect.DeepEqual(after, orig) {
		t.Errorf("catalog changed through a returned value: %+v", after)
	}
	// orig could share memory with the catalog too, so also compare with
	// known values.
	if after.Title != "Tamper with provenance" || after.Requirements[0] != "THREAT-F4" {
		t.Errorf("catalog changed through a returned value: %q %q", after.Title, after.Requirements)
	}
	for _, tr := range threat.All() {
		if tr.Title == "changed" || tr.Requirements[0] != "THREAT-"+string(tr.ID) {
			t.Errorf("%s changed through a returned value", tr.ID)
		}
	}
	if threat.F4.Error() != "threat F4: Tamper with provenance" {
		t.Errorf("Error() changed: %q", threat.F4.Error())
	}
}

func TestErrorsIs(t *testing.T) {
	err := fmt.Errorf("x: %w", threat.F4)
	if !errors.Is(err, threat.F4) {
		t.Error("errors.Is(err, F4) = false")
	}
	if errors.Is(err, threat.F3) {
		t.Error("errors.Is(err, F3) = true")
	}
	joined := errors.Join(fmt.Errorf("a: %w", threat.E10), fmt.Errorf("b: %w", threat.G6))
	if !errors.Is(joined, threat.E10) || !errors.Is(joined, threat.G6) || errors.Is(joined, threat.E9) {
		t.Error("errors.Is on joined threat errors")
	}
	var id threat.ID
	if !errors.As(err, &id) || id != threat.F4 {
		t.Errorf("errors.As = %q", id)
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		id   threat.ID
		want string
	}{
		{threat.E10, "threat E10: Compromise build environment in use"},
		{threat.B1_1, "threat B1-1: Directly submit without review"},
		{threat.DEP_4, "threat DEP-4: Use a compromised dependency at runtime"},
		{"X", "threat X (unknown)"},
		{"e10", "threat e10 (unknown)"},
	}
	for _, tc := range tests {
		if got := tc.id.Error(); got != tc.want {
			t.Errorf("%q.Error() = %q, want %q", string(tc.id), got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    threat.ID
		wantErr bool
	}{
		{"E10", threat.E10, false},
		{"THREAT-E10", threat.E10, false},
		{"threat-e10", threat.E10, false},
		{" B1-1\n", threat.B1_1, false},
		{"THREAT-B1-1", threat.B1_1, false},
		{"dep-2", threat.DEP_2, false},
		{"AV-3", threat.AV_3, false},
		{"V2", threat.V2, false},
		{"", "", true},
		{"THREAT-", "", true},
		{"E11", "", true},
		{"E0", "", true},
		{"B1_1", "", true},
		{"THREAT-THREAT-E1", "", true},
		{"BENV-L3-8", "", true},
		{"E 10", "", true},
	}
	for _, tc := range tests {
		got, err := threat.Parse(tc.in)
		if tc.wantErr {
			if !errors.Is(err, threat.ErrUnknownID) {
				t.Errorf("Parse(%q) error = %v, want ErrUnknownID", tc.in, err)
			}
			if got != "" {
				t.Errorf("Parse(%q) = %q on error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, id := range threat.IDs() {
		if got, err := threat.Parse("THREAT-" + string(id)); err != nil || got != id {
			t.Errorf("Parse(THREAT-%s) = %q, %v", id, got, err)
		}
	}
}

func slug(s string) string { return strings.ReplaceAll(strings.ToLower(s), " ", "-") }

func TestComponents(t *testing.T) {
	cs := threat.Components()
	wantIDs := []threat.ComponentID{threat.ExternalParameters, threat.ControlPlane, threat.BuildEnvironment, threat.Cache, threat.OutputStorage}
	var gotIDs []threat.ComponentID
	for _, c := range cs {
		gotIDs = append(gotIDs, c.ID)
		if c.Name == "" || c.Description == "" {
			t.Errorf("%s: empty Name or Description", c.ID)
		}
		if len(c.Prompts) == 0 {
			t.Errorf("%s: no prompts", c.ID)
		}
		// IDs are component[/topic-slug]/n with n counting from 1 per group.
		next := map[string]int{}
		for _, p := range c.Prompts {
			if p.Component != c.ID {
				t.Errorf("%s: Component = %q, want %q", p.ID, p.Component, c.ID)
			}
			group := string(c.ID)
			if p.Topic != "" {
				group += "/" + slug(p.Topic)
			}
			next[group]++
			if want := fmt.Sprintf("%s/%d", group, next[group]); p.ID != want {
				t.Errorf("prompt ID %q, want %q", p.ID, want)
			}
			if strings.TrimSpace(p.Text) == "" {
				t.Errorf("%s: empty text", p.ID)
			}
		}
	}
	if !slices.Equal(gotIDs, wantIDs) {
		t.Errorf("components = %v, want %v", gotIDs, wantIDs)
	}
}

func TestPrompts(t *testing.T) {
	ps := threat.Prompts()
	seen := map[string]bool{}
	var draft, v10, draftOnly, v10Only []string
	for _, p := range ps {
		if seen[p.ID] {
			t.Errorf("duplicate prompt ID %q", p.ID)
		}
		seen[p.ID] = true
		got, ok := threat.LookupPrompt(p.ID)
		if !ok || !reflect.DeepEqual(got, p) {
			t.Errorf("LookupPrompt(%q) = %+v, %v", p.ID, got, ok)
		}
		if len(p.Versions) == 0 || len(p.Versions) > 2 {
			t.Errorf("%s: versions %q", p.ID, p.Versions)
		}
		for _, v := range p.Versions {
			if v != threat.VersionDraft && v != threat.VersionV10 {
				t.Errorf("%s: unknown version %q", p.ID, v)
			}
		}
		inD, inV := p.In(threat.VersionDraft), p.In(threat.VersionV10)
		if inD {
			draft = append(draft, p.ID)
		}
		if inV {
			v10 = append(v10, p.ID)
		}
		if inD && !inV {
			draftOnly = append(draftOnly, p.ID)
		}
		if inV && !inD {
			v10Only = append(v10Only, p.ID)
		}
	}
	// Counts taken from the seeds: the draft (000) has 35 prompts, v1.0
	// (001) has 39; 34 appear in both.
	if len(ps) != 40 || len(draft) != 35 || len(v10) != 39 {
		t.Errorf("prompts: %d total, %d draft, %d v1.0; want 40, 35, 39", len(ps), len(draft), len(v10))
	}
	if want := []string{"cache/4"}; !slices.Equal(draftOnly, want) {
		t.Errorf("draft-only prompts = %q, want %q", draftOnly, want)
	}
	wantV10Only := []string{
		"external-parameters/4",
		"external-parameters/5",
		"control-plane/managing-cryptographic-secrets/4",
		"build-environment/isolation-technologies/5",
		"cache/3",
	}
	if !slices.Equal(v10Only, wantV10Only) {
		t.Errorf("v1.0-only prompts = %q, want %q", v10Only, wantV10Only)
	}
	if _, ok := threat.LookupPrompt("control-plane/administration/6"); ok {
		t.Error("LookupPrompt found a prompt that does not exist")
	}
	if p, ok := threat.LookupPrompt("control-plane/administration/1"); !ok || p.Topic != "Administration" || p.Component != threat.ControlPlane {
		t.Errorf("LookupPrompt(control-plane/administration/1) = %+v, %v", p, ok)
	}
}

func TestPromptCopies(t *testing.T) {
	ps := threat.Prompts()
	ps[0].Versions[0] = "changed"
	cs := threat.Components()
	cs[0].Prompts[0].Versions[0] = "changed"
	cs[0].Prompts[0].Text = "changed"
	p, _ := threat.LookupPrompt(ps[0].ID)
	p.Versions[0] = "changed"
	again, _ := threat.LookupPrompt(ps[0].ID)
	if again.Versions[0] != threat.VersionDraft || again.Text == "changed" {
		t.Errorf("questionnaire changed through a returned value: %+v", again)
	}
	if threat.Components()[0].Prompts[0].Versions[0] != threat.VersionDraft {
		t.Error("Components changed through a returned value")
	}
}

func TestProfiles(t *testing.T) {
	ps := threat.Profiles()
	if len(ps) != 3 {
		t.Fatalf("%d profiles, want 3", len(ps))
	}
	byID := map[threat.ProfileID]threat.Profile{}
	for _, p := range ps {
		byID[p.ID] = p
		if p.Name == "" || p.DraftName == "" || len(p.Examples) == 0 || len(p.Capabilities) == 0 {
			t.Errorf("%s: incomplete profile %+v", p.ID, p)
		}
	}
	wantNames := []struct {
		id          threat.ProfileID
		name, draft string
	}{
		{threat.ProjectContributor, "Project contributors", "Low privilege"},
		{threat.ProjectMaintainer, "Project maintainers", "Medium privilege"},
		{threat.PlatformAdmin, "Build platform administrators", "High privilege"},
	}
	for i, w := range wantNames {
		if ps[i].ID != w.id || ps[i].Name != w.name || ps[i].DraftName != w.draft {
			t.Errorf("profile %d = %s %q %q, want %s %q %q", i, ps[i].ID, ps[i].Name, ps[i].DraftName, w.id, w.name, w.draft)
		}
	}

	// all resolves Includes transitively.
	var all func(id threat.ProfileID, depth int) []string
	all = func(id threat.ProfileID, depth int) []string {
		if depth > len(ps) {
			t.Fatalf("Includes cycle at %s", id)
		}
		p, ok := byID[id]
		if !ok {
			t.Fatalf("Includes names unknown profile %q", id)
		}
		caps := slices.Clone(p.Capabilities)
		for _, inc := range p.Includes {
			for _, c := range all(inc, depth+1) {
				if !slices.Contains(caps, c) {
					caps = append(caps, c)
				}
			}
		}
		return caps
	}
	contributor := all(threat.ProjectContributor, 0)
	maintainer := all(threat.ProjectMaintainer, 0)
	admin := all(threat.PlatformAdmin, 0)
	if len(contributor) != 7 || len(maintainer) != 10 || len(admin) != 14 {
		t.Errorf("capabilities: %d, %d, %d; want 7, 10, 14", len(contributor), len(maintainer), len(admin))
	}
	for _, c := range maintainer {
		if !slices.Contains(admin, c) {
			t.Errorf("admin lacks maintainer capability %q", c)
		}
	}
	if !slices.Contains(admin, "Run arbitrary code on the build platform.") || slices.Contains(maintainer, "Run arbitrary code on the build platform.") {
		t.Error("admin-only capability misplaced")
	}

	var draftOnly, v10Only int
	for _, p := range ps {
		for _, c := range p.Capabilities {
			switch {
			case strings.HasSuffix(c, "(draft only)"):
				draftOnly++
			case strings.HasSuffix(c, "(v1.0 only)"):
				v10Only++
			}
		}
	}
	if draftOnly != 1 || v10Only != 3 {
		t.Errorf("version-specific capabilities: %d draft only, %d v1.0 only; want 1, 3", draftOnly, v10Only)
	}

	ps[0].Capabilities[0] = "changed"
	ps[2].Includes[0] = "changed"
	if fresh := threat.Profiles(); fresh[0].Capabilities[0] == "changed" || fresh[2].Includes[0] == "changed" {
		t.Error("Profiles changed through a returned value")
	}
}

// fullAnswers answers every prompt of the v1.0 questionnaire.
func fullAnswers() map[string]string {
	m := map[string]string{}
	for _, p := range threat.Prompts() {
		if p.In(threat.VersionV10) {
			m[p.ID] = "answer to " + p.ID
		}
	}
	return m
}

func TestAssessmentValidate(t *testing.T) {
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	expires := issued.AddDate(1, 0, 0)
	now := issued.AddDate(0, 6, 0)
	valid := func() threat.Assessment {
		return threat.Assessment{
			Builder:      "https://builder.example/l3",
			ClaimedLevel: 3,
			Answers:      fullAnswers(),
			Assessor:     "Audit Co",
			IssuedAt:     issued,
			ExpiresAt:    expires,
		}
	}
	sentinels := []error{threat.ErrInvalidAssessment, threat.ErrUnknownPrompt, threat.ErrUnansweredPrompt, threat.ErrAssessmentExpired}

	tests := []struct {
		name   string
		a      func() threat.Assessment
		now    time.Time
		want   []error
		nProbs int // number of joined problems; 0 when want is empty
	}{
		{"valid L3", valid, now, nil, 0},
		{"valid L3 at IssuedAt", valid, issued, nil, 0},
		{"valid L3 with draft-only prompt answered", func() threat.Assessment {
			a := valid()
			a.Answers["cache/4"] = "content-addressed"
			return a
		}, now, nil, 0},
		{"valid L1 without answers or window", func() threat.Assessment {
			return threat.Assessment{Builder: "b", ClaimedLevel: 1, SelfAttested: true}
		}, time.Time{}, nil, 0},
		{"valid L2 partial answers", func() threat.Assessment {
			return threat.Assessment{Builder: "b", ClaimedLevel: 2, Answers: map[string]string{"cache/1": "none"}, ExpiresAt: expires}
		}, now, nil, 0},
		{"missing answers", func() threat.Assessment {
			a := valid()
			delete(a.Answers, "cache/3")
			delete(a.Answers, "external-parameters/5")
			a.Answers["output-storage/2"] = " \t"
			return a
		}, now, []error{threat.ErrUnansweredPrompt}, 3},
		{"no answers at L3", func() threat.Assessment {
			a := valid()
			a.Answers = nil
			return a
		}, now, []error{threat.ErrUnansweredPrompt}, 39},
		{"unknown prompt", func() threat.Assessment {
			a := valid()
			a.Answers["cache/99"] = "x"
			a.Answers["executor/1"] = "x"
			return a
		}, now, []error{threat.ErrUnknownPrompt}, 2},
		{"expired", valid, expires, []error{threat.ErrAssessmentExpired}, 1},
		{"not yet valid", valid, issued.Add(-time.Second), []error{threat.ErrAssessmentExpired}, 1},
		{"bad level 4", func() threat.Assessment {
			a := valid()
			a.ClaimedLevel = 4
			return a
		}, now, []error{threat.ErrInvalidAssessment}, 1},
		{"bad level -1", func() threat.Assessment {
			return threat.Assessment{Builder: "b", ClaimedLevel: -1}
		}, now, []error{threat.ErrInvalidAssessment}, 1},
		{"blank builder", func() threat.Assessment {
			a := valid()
			a.Builder = "  "
			return a
		}, now, []error{threat.ErrInvalidAssessment}, 1},
		{"L3 without expiry", func() threat.Assessment {
			a := valid()
			a.ExpiresAt = time.Time{}
			return a
		}, now, []error{threat.ErrInvalidAssessment}, 1},
		{"inverted window", func() threat.Assessment {
			a := valid()
			a.IssuedAt, a.ExpiresAt = expires, issued
			return a
		}, now, []error{threat.ErrInvalidAssessment, threat.ErrAssessmentExpired}, 2},
		{"window without time", valid, time.Time{}, []error{threat.ErrInvalidAssessment}, 1},
		{"several problems", func() threat.Assessment {
			a := valid()
			a.Builder = ""
			a.Answers["nope"] = "x"
			delete(a.Answers, "cache/1")
			return a
		}, expires.Add(time.Hour), []error{threat.ErrInvalidAssessment, threat.ErrUnknownPrompt, threat.ErrUnansweredPrompt, threat.ErrAssessmentExpired}, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a().Validate(tc.now)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			for _, s := range sentinels {
				if got, want := errors.Is(err, s), slices.Contains(tc.want, s); got != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v; err:\n%v", s, got, want, err)
				}
			}
			multi, ok := err.(interface{ Unwrap() []error })
			if !ok {
				t.Fatalf("error %T does not join its problems", err)
			}
			if n := len(multi.Unwrap()); n != tc.nProbs {
				t.Errorf("%d problems, want %d:\n%v", n, tc.nProbs, err)
			}
			if !strings.HasPrefix(err.Error(), "threat: ") {
				t.Errorf("error lacks package prefix: %q", err)
			}
		})
	}
}

func ids(ts []threat.Threat) []threat.ID {
	out := make([]threat.ID, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func TestCover(t *testing.T) {
	tests := []struct {
		name          string
		mitigated     []threat.ID
		wantMitigated []threat.ID
		wantOpen      int
	}{
		{"none", nil, []threat.ID{}, wantCount - 1},
		{"signature and subject", []threat.ID{threat.F4, threat.F3, threat.F4, "ZZ"}, []threat.ID{threat.F3, threat.F4}, wantCount - 3},
		{"E2 listed", []threat.ID{threat.E2}, []threat.ID{threat.E2}, wantCount - 1},
		{"BuildEnv", []threat.ID{threat.E10, threat.E9, threat.E8, threat.E7}, []threat.ID{threat.E7, threat.E8, threat.E9, threat.E10}, wantCount - 5},
		{"all", threat.IDs(), threat.IDs(), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := threat.Cover(tc.mitigated)
			if got := ids(c.Mitigated); !slices.Equal(got, tc.wantMitigated) {
				t.Errorf("Mitigated = %v, want %v", got, tc.wantMitigated)
			}
			if len(c.Open) != tc.wantOpen {
				t.Errorf("%d open, want %d", len(c.Open), tc.wantOpen)
			}
			open := ids(c.Open)
			if slices.Contains(open, threat.E2) {
				t.Error("E2 (not a problem) is open")
			}
			for _, id := range tc.wantMitigated {
				if slices.Contains(open, id) {
					t.Errorf("%s both mitigated and open", id)
				}
			}
			if len(c.Mitigated)+len(c.Open) < wantCount-1 {
				t.Errorf("threats lost: %d + %d", len(c.Mitigated), len(c.Open))
			}
		})
	}
}
