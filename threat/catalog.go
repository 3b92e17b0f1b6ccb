package threat

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ID is the stable identifier of a threat in the catalog, using the letters
// of SLSA threats & mitigations v1.1 and later ("D1", "E10", "B1-1", "DEP-2",
// "AV-3", "V2"). The requirement IDs in REQUIREMENTS.md are the same IDs with
// a "THREAT-" prefix.
//
// ID implements error, so a verification failure can wrap the threats it
// guards against and callers can branch with errors.Is:
//
//	err := fmt.Errorf("provenance: signature invalid: %w", threat.F4)
//	errors.Is(err, threat.F4) // true
//
// Because ID implements error, fmt's %v and %s verbs print its Error text;
// use string(id) for the bare ID. encoding/json marshals an ID as the bare ID.
type ID string

// Error returns "threat " followed by the ID and, when the ID is in the
// catalog, ": " and the threat's title, for example
// "threat E10: Compromise build environment in use". An ID that is not in the
// catalog yields "threat X (unknown)".
func (id ID) Error() string {
	if t, ok := byID[id]; ok {
		return "threat " + string(id) + ": " + t.Title
	}
	return "threat " + string(id) + " (unknown)"
}

// Threat returns the catalog entry for id; it is the same as [Lookup].
func (id ID) Threat() (Threat, bool) { return Lookup(id) }

// Threat IDs, one per catalog entry, named after the ID with '-' replaced by
// '_'. Each is documented with its spec title and the level that addresses it.
const (
	// A1 is "Software producer intentionally creates a malicious revision of
	// the source" (not addressed; THREAT-A1).
	A1 ID = "A1"

	// B1_1 is "Directly submit without review" (Source L4; THREAT-B1-1).
	B1_1 ID = "B1-1"
	// B1_2 is "Single actor controls multiple accounts" (no level; THREAT-B1-2).
	B1_2 ID = "B1-2"
	// B1_3 is "Use a robot account to submit change" (no level; THREAT-B1-3).
	B1_3 ID = "B1-3"
	// B1_4 is "Abuse of rule exceptions" (no level; THREAT-B1-4).
	B1_4 ID = "B1-4"
	// B1_5 is "Highly-permissioned actor bypasses or disables controls"
	// (verification; THREAT-B1-5).
	B1_5 ID = "B1-5"

	// B2_1 is "Alter change history" (Source L2+; THREAT-B2-1).
	B2_1 ID = "B2-1"
	// B2_2 is "Replace tagged content with malicious content" (Source L2+;
	// THREAT-B2-2).
	B2_2 ID = "B2-2"
	// B2_3 is "Skip required checks" (Source L3+; THREAT-B2-3).
	B2_3 ID = "B2-3"
	// B2_4 is "Modify code after review" (Source L4; THREAT-B2-4).
	B2_4 ID = "B2-4"
	// B2_5 is "Submit a change that is unreviewable" (Source L4; THREAT-B2-5).
	B2_5 ID = "B2-5"
	// B2_6 is "Copy a reviewed change to another context" (Source L4;
	// THREAT-B2-6).
	B2_6 ID = "B2-6"
	// B2_7 is "Commit graph attacks" (no level; THREAT-B2-7).
	B2_7 ID = "B2-7"

	// B3_1 is "Collude with another trusted person" (not addressed;
	// THREAT-B3-1).
	B3_1 ID = "B3-1"
	// B3_2 is "Trick reviewer into approving bad code" (not addressed;
	// THREAT-B3-2).
	B3_2 ID = "B3-2"
	// B3_3 is "Reviewer blindly approves changes" (not addressed; THREAT-B3-3).
	B3_3 ID = "B3-3"

	// B4_1 is "Forge change metadata" (Source L2+; THREAT-B4-1).
	B4_1 ID = "B4-1"

	// C1 is "Platform admin abuses privileges" (verification; THREAT-C1).
	C1 ID = "C1"
	// C2 is "Exploit vulnerability in SCM" (not addressed; THREAT-C2).
	C2 ID = "C2"

	// D1 is "Build from unofficial fork of code" (expectations; THREAT-D1).
	D1 ID = "D1"
	// D2 is "Build from unofficial branch or tag" (expectations; THREAT-D2).
	D2 ID = "D2"
	// D3 is "Build from unofficial build steps" (expectations; THREAT-D3).
	D3 ID = "D3"
	// D4 is "Build from unofficial parameters" (expectations; THREAT-D4).
	D4 ID = "D4"
	// D5 is "Build from modified version of code modified after checkout"
	// (expectations; THREAT-D5).
	D5 ID = "D5"

	// E1 is "Forge values of the provenance (other than output digest)"
	// (Build L2+; THREAT-E1).
	E1 ID = "E1"
	// E2 is "Forge output digest of the provenance" (n/a: not a problem;
	// THREAT-E2).
	E2 ID = "E2"
	// E3 is "Compromise project owner" (Build L2+; THREAT-E3).
	E3 ID = "E3"
	// E4 is "Compromise other build" (Build L3; THREAT-E4).
	E4 ID = "E4"
	// E5 is "Steal cryptographic secrets" (Build L3; THREAT-E5).
	E5 ID = "E5"
	// E6 is "Poison the build cache" (Build L3; THREAT-E6).
	E6 ID = "E6"
	// E7 is "Compromise build platform admin" (verification in SLSA
	// v1.0–v1.2, BuildEnv L2 in the draft on main; THREAT-E7, GAP-9).
	E7 ID = "E7"
	// E8 is "Compromise build image during the distribution (in transit)"
	// (BuildEnv L1+, draft; THREAT-E8).
	E8 ID = "E8"
	// E9 is "Local compromise of build image (at rest)" (BuildEnv L2+, draft;
	// THREAT-E9).
	E9 ID = "E9"
	// E10 is "Compromise build environment in use" (BuildEnv L3, draft;
	// THREAT-E10).
	E10 ID = "E10"

	// F1 is "Build with untrusted CI/CD" at publication (expectations;
	// THREAT-F1).
	F1 ID = "F1"
	// F2 is "Upload package without provenance" (Build L1; THREAT-F2).
	F2 ID = "F2"
	// F3 is "Tamper with artifact after CI/CD" (Build L1; THREAT-F3).
	F3 ID = "F3"
	// F4 is "Tamper with provenance" (Build L2; THREAT-F4).
	F4 ID = "F4"

	// G1 is "Build with untrusted CI/CD" in the distribution channel
	// (expectations; THREAT-G1).
	G1 ID = "G1"
	// G2 is "Issue VSA from untrusted intermediary" (expectations; THREAT-G2).
	G2 ID = "G2"
	// G3 is "Upload package without provenance or VSA" (Build L1; THREAT-G3).
	G3 ID = "G3"
	// G4 is "Replace package and VSA with another" (expectations; THREAT-G4).
	G4 ID = "G4"
	// G5 is "Tamper with artifact after upload" (Build L1; THREAT-G5).
	G5 ID = "G5"
	// G6 is "Tamper with provenance or VSA" (Build L2; THREAT-G6).
	G6 ID = "G6"

	// H1 is "Dependency confusion" (expectations; THREAT-H1).
	H1 ID = "H1"
	// H2 is "Typosquatting" (not addressed; THREAT-H2).
	H2 ID = "H2"
	// I1 is "Improper usage" (not addressed; THREAT-I1).
	I1 ID = "I1"

	// DEP_1 is "Include a vulnerable dependency" (not addressed;
	// THREAT-DEP-1).
	DEP_1 ID = "DEP-1"
	// DEP_2 is "Use a compromised build tool" (partially mitigated, no level;
	// THREAT-DEP-2).
	DEP_2 ID = "DEP-2"
	// DEP_3 is "Use a compromised runtime dependency during the build" (no
	// level; THREAT-DEP-3).
	DEP_3 ID = "DEP-3"
	// DEP_4 is "Use a compromised dependency at runtime" (modeled separately;
	// THREAT-DEP-4).
	DEP_4 ID = "DEP-4"

	// AV_1 is "Delete the code" (not addressed; THREAT-AV-1).
	AV_1 ID = "AV-1"
	// AV_2 is "A dependency becomes temporarily or permanently unavailable to
	// the build process" (not addressed; THREAT-AV-2).
	AV_2 ID = "AV-2"
	// AV_3 is "De-list artifact" (not addressed; THREAT-AV-3).
	AV_3 ID = "AV-3"
	// AV_4 is "De-list provenance" (not addressed; THREAT-AV-4).
	AV_4 ID = "AV-4"

	// V1 is "Tamper with recorded expectations" (no level; THREAT-V1).
	V1 ID = "V1"
	// V2 is "Exploit cryptographic hash collisions" (no level; THREAT-V2).
	V2 ID = "V2"
)

// Category groups threats by where in the supply chain they occur, following
// the sections of SLSA threats & mitigations (v1.1 and later).
type Category string

// Categories, in the order of the spec's sections. [All] lists threats in
// this order.
const (
	// CategorySource is source threats: (A) Producer, (B) Modifying the
	// source (B1–B4), (C) Source code management.
	CategorySource Category = "source"
	// CategoryExternalParameters is (D) External build parameters, the
	// threats v1.0 listed under "(C) Build from modified source".
	CategoryExternalParameters Category = "external-parameters"
	// CategoryBuild is (E) Build process, including the draft BuildEnv
	// threats E7–E10.
	CategoryBuild Category = "build"
	// CategoryPublication is (F) Artifact publication (v1.0: "(F) Upload
	// modified package").
	CategoryPublication Category = "publication"
	// CategoryDistribution is (G) Distribution channel, added in v1.1 with
	// the VSA threats.
	CategoryDistribution Category = "distribution"
	// CategoryUsage is usage threats: (H) Package selection and (I) Usage.
	CategoryUsage Category = "usage"
	// CategoryDependency is dependency threats (DEP-1…DEP-4), including the
	// related runtime-dependency threat the spec models separately.
	CategoryDependency Category = "dependency"
	// CategoryAvailability is availability threats (AV-1…AV-4).
	CategoryAvailability Category = "availability"
	// CategoryVerification is verification threats (V1, V2): threats to the
	// verifier itself.
	CategoryVerification Category = "verification"
)

// Level is the SLSA level, or the kind of control, that the spec says
// addresses a threat (the tag next to the threat's title in the spec). A
// threat tagged "L2+" records the lowest level, e.g. [BuildL2].
type Level string

// Levels.
const (
	// BuildL1 is Build L1: provenance exists (BUILD-L1-2).
	BuildL1 Level = "Build L1"
	// BuildL2 is Build L2: hosted build, authentic provenance (BUILD-L2-*).
	BuildL2 Level = "Build L2"
	// BuildL3 is Build L3: unforgeable provenance, isolated builds
	// (BUILD-L3-*).
	BuildL3 Level = "Build L3"
	// BuildEnvL1 is BuildEnv L1 (draft): signed build image provenance
	// exists (BENV-L1-*).
	BuildEnvL1 Level = "BuildEnv L1"
	// BuildEnvL2 is BuildEnv L2 (draft): attested build environment
	// instantiation (BENV-L2-*).
	BuildEnvL2 Level = "BuildEnv L2"
	// BuildEnvL3 is BuildEnv L3 (draft): hardware-attested build environment
	// (BENV-L3-*).
	BuildEnvL3 Level = "BuildEnv L3"
	// SourceL2 is Source L2 of the Source track.
	SourceL2 Level = "Source L2"
	// SourceL3 is Source L3 of the Source track.
	SourceL3 Level = "Source L3"
	// SourceL4 is Source L4 of the Source track.
	SourceL4 Level = "Source L4"
	// Expectations means the verifier mitigates the threat by comparing
	// provenance (or a VSA) against expectations for the package
	// (PROV-VER-6, VSA-VER-5).
	Expectations Level = "expectations"
	// Verification means the consumer must itself verify, out of band, that
	// the platform has controls against the threat (for example against
	// administrators abusing their access) before trusting it.
	Verification Level = "verification"
	// NotAProblem is the spec's "n/a": the threat is not a problem because
	// other checks already catch it (E2).
	NotAProblem Level = "n/a"
	// NotAddressed means no SLSA level addresses the threat: the spec says it
	// is not (currently) addressed, out of scope or modeled separately, or it
	// describes a mitigation (a producer or verifier practice) without tying
	// it to any level. The entry's Note says which.
	NotAddressed Level = "not addressed"
)

// Threat is one entry of the catalog. Text fields paraphrase SLSA threats &
// mitigations; they are meant for people (reports, CLI output), not for
// matching.
type Threat struct {
	// ID is the stable v1.1+ identifier, e.g. "E10".
	ID ID
	// Category is the section of the spec the threat belongs to.
	Category Category
	// Title is the threat's title in the spec.
	Title string
	// V10 names the section of SLSA v1.0 (seed 002) where the threat was
	// listed, when its v1.0 letter or section differs from the v1.1+ ID;
	// empty when the letter is unchanged or v1.0 did not list the threat.
	V10 string
	// Threat describes the attack.
	Threat string
	// Mitigation describes what the spec says mitigates it.
	Mitigation string
	// Example is a short worked example; empty only where the spec gives
	// none.
	Example string
	// Level is the level or control that addresses the threat.
	Level Level
	// Draft reports that Level and Mitigation come from the draft Build
	// Environment (BuildEnv) track on slsa-framework/slsa main, which is not
	// part of any released SLSA version (v1.0–v1.2).
	Draft bool
	// Requirements lists the REQUIREMENTS.md IDs related to the threat
	// (e.g. "THREAT-E10", "BENV-L3-8", "PROV-VER-2"); the first is always
	// the threat's own THREAT-* ID.
	Requirements []string
	// Note records where spec versions disagree or how an entry was placed.
	Note string
}

// clone returns a copy of t that shares no memory with it.
func (t Threat) clone() Threat {
	t.Requirements = slices.Clone(t.Requirements)
	return t
}

// ErrUnknownID is returned (wrapped) by [Parse] for a string that names no
// threat in the catalog.
var ErrUnknownID = errors.New("threat: unknown threat ID")

// Lookup returns the catalog entry for id. The result is a copy; modifying
// it does not change the catalog.
func Lookup(id ID) (Threat, bool) {
	t, ok := byID[id]
	if !ok {
		return Threat{}, false
	}
	return t.clone(), true
}

// All returns every threat in catalog order: by category in the spec's order
// (see [Category]), then by ID (A1, B1-1 … B4-1, C1, C2, D1 … D5, E1 … E10,
// …, V1, V2). Each call returns a fresh copy that the caller may modify.
func All() []Threat {
	out := make([]Threat, len(catalog))
	for i, t := range catalog {
		out[i] = t.clone()
	}
	return out
}

// IDs returns the IDs of every threat, in the order of [All].
func IDs() []ID {
	out := make([]ID, len(catalog))
	for i, t := range catalog {
		out[i] = t.ID
	}
	return out
}

// ByLevel returns the threats whose Level is l, in catalog order. It returns
// nil if there are none.
func ByLevel(l Level) []Threat {
	var out []Threat
	for _, t := range catalog {
		if t.Level == l {
			out = append(out, t.clone())
		}
	}
	return out
}

// Parse returns the ID named by s. It accepts a bare ID ("E10", "B1-1",
// "DEP-2") or a REQUIREMENTS.md ID ("THREAT-E10"), ignoring surrounding
// space and letter case. A string that names no catalog threat yields an
// error wrapping [ErrUnknownID].
func Parse(s string) (ID, error) {
	id := strings.ToUpper(strings.TrimSpace(s))
	id = strings.TrimPrefix(id, "THREAT-")
	if _, ok := byID[ID(id)]; !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownID, s)
	}
	return ID(id), nil
}

// byID indexes the catalog; it is built once and never modified.
var byID = indexThreats(catalog)

func indexThreats(ts []Threat) map[ID]Threat {
	m := make(map[ID]Threat, len(ts))
	for _, t := range ts {
		m[t.ID] = t
	}
	return m
}

// Shared Note texts.
const (
	noteSourceV10 = "SLSA v1.0 did not address source threats: its \"(A) Submit unauthorized change\" " +
		"(without administrator privileges, which became (B) in v1.1) listed no individual threats. " +
		"Individual source threats were added in v1.1/v1.2 with the Source track."
	noteNoLevel = "The spec gives this threat no level tag: the mitigation is a producer practice, " +
		"not a requirement of any Source level."
	noteDistribution = "Added in v1.1 together with VSAs; v1.0's \"(G) Compromise package repo\" listed only " +
		"the de-list threats, now AV-3 and AV-4."
)

// catalog is the threat catalog in catalog order (see All). It must not be
// modified; accessors return copies.
//
// Sources: seed 002 (SLSA v1.0 threats & mitigations, "V10" fields and v1.0
// wording), slsa-framework/slsa spec/threats.md (v1.1, v1.2, main) as
// summarised in REQUIREMENTS.md §6, and the BuildEnv threats of main
// (PR #1479) for E7–E10. No threats beyond the 57 of REQUIREMENTS.md §6 were
// found in the seeds: every threat in seed 002 maps to one of them, and seed
// 003 (PR #1051) states requirements, not threats.
var catalog = []Threat{
	// (A) Producer.
	{
		ID: A1, Category: CategorySource,
		Title:      "Software producer intentionally creates a malicious revision of the source",
		Threat:     "The producer itself deliberately writes a malicious revision in order to harm its consumers.",
		Mitigation: "Cannot be mitigated directly by SLSA controls. Consumers need another basis for trusting the producer, such as an open-source project with many engaged users (more likely to notice bad code) or an organisation with legal or reputational incentives not to ship malicious changes; in the end a judgement call.",
		Example:    "A producer with a good reputation suddenly decides to publish a malicious artifact meant to harm its consumers.",
		Level:      NotAddressed, Requirements: []string{"THREAT-A1"},
		Note: "New in v1.1. In v1.0 the letter (A) meant \"Submit unauthorized change\", which is (B) from v1.1 on.",
	},
	// (B1) Submit change without review.
	{
		ID: B1_1, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Directly submit without review",
		Threat:     "Malicious code is submitted straight to the source repository.",
		Mitigation: "Every change must be approved before it is accepted.",
		Example:    "An adversary pushes a change directly to a git repository's main branch. Solution: the source control system requires two-party review for contributions to main.",
		Level:      SourceL4, Requirements: []string{"THREAT-B1-1"},
		Note: noteSourceV10,
	},
	{
		ID: B1_2, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Single actor controls multiple accounts",
		Threat:     "One actor controls several accounts and so can approve their own changes.",
		Mitigation: "The producer ensures that no actor can control or influence more than one account with review privileges, including privileged robot accounts.",
		Example:    "An adversary opens a pull request from a secondary account and approves it with their primary account. Solution: the producer tracks every actor with review permissions who can also control a privileged bot, and either bars bots from contributing or reviewing code or requires more human reviews in those cases.",
		Level:      NotAddressed, Requirements: []string{"THREAT-B1-2"},
		Note: noteNoLevel + " " + noteSourceV10,
	},
	{
		ID: B1_3, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Use a robot account to submit change",
		Threat:     "An adversary exploits a robot account that may submit changes without two-person review.",
		Mitigation: "Every change needs review by two people, including changes authored by robots.",
		Example:    "A generated file in the repository is updated by a robot that may submit without review; the adversary compromises the robot and submits a malicious change. Solution: require two-person review for such changes, not counting the robot.",
		Level:      NotAddressed, Requirements: []string{"THREAT-B1-3"},
		Note: noteNoLevel + " " + noteSourceV10,
	},
	{
		ID: B1_4, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Abuse of rule exceptions",
		Threat:     "Exceptions to the review rules give an adversary a way around them.",
		Mitigation: "Remove the rule exceptions.",
		Example:    "Two-person review is required for everything except documentation, defined as changes touching only .md files. The adversary submits a malicious executable named help.md, which skips review; later a user or workflow is induced to execute it. Every policy was met, yet the organisation's intent was defeated. Solution: the producer stops allowing such exceptions.",
		Level:      NotAddressed, Requirements: []string{"THREAT-B1-4"},
		Note: noteNoLevel + " " + noteSourceV10,
	},
	{
		ID: B1_5, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Highly-permissioned actor bypasses or disables controls",
		Threat:     "A trusted actor with administrator rights on the repository submits code by turning existing controls off.",
		Mitigation: "The source control system has controls that prevent and detect abuse by administrators, such as two-person approval and audit logging.",
		Example:    "A repository admin removes a branch protection rule, pushes a change and re-enables the rule to hide the traces. Solution: consumers accept claims from the source control system only if they trust that sufficient controls stop repository admins from abusing their privileges.",
		Level:      Verification, Requirements: []string{"THREAT-B1-5"},
		Note: noteSourceV10,
	},
	// (B2) Evade change management process.
	{
		ID: B2_1, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Alter change history",
		Threat:     "An adversary rewrites branch history to hide malicious activity.",
		Mitigation: "The source control system does not allow branch history to be altered.",
		Example:    "An adversary lands malicious commit X on main, a release is built from X, then the adversary force-pushes main to erase X. Solution: force pushes to main are blocked.",
		Level:      SourceL2, Requirements: []string{"THREAT-B2-1"},
		Note: noteSourceV10,
	},
	{
		ID: B2_2, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Replace tagged content with malicious content",
		Threat:     "An adversary moves a tag so that it points at malicious content.",
		Mitigation: "Protected tags cannot be updated in the source control system.",
		Example:    "An adversary commits malicious X on an uncontrolled development branch and moves the release_1.2 tag to X, so consumers of release_1.2 get X. Solution: protected tags are immutable.",
		Level:      SourceL2, Requirements: []string{"THREAT-B2-2"},
		Note: noteSourceV10,
	},
	{
		ID: B2_3, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Skip required checks",
		Threat:     "Code is submitted without following the producer's documented development process, bringing in unintended behaviour.",
		Mitigation: "The producer enforces its development process with technical controls in the source control system.",
		Example:    "An engineer submits a feature with a critical flaw on an untested path although the documented process demands high test coverage. Solution: a source control system control requires 95%+ coverage.",
		Level:      SourceL3, Requirements: []string{"THREAT-B2-3"},
		Note: "REQUIREMENTS.md (v1.2/main) gives Source L3+; an earlier stored draft of spec/threats.md tagged it Source L2+. " + noteSourceV10,
	},
	{
		ID: B2_4, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Modify code after review",
		Threat:     "The change is modified after it was reviewed but before it is submitted.",
		Mitigation: "The source control system invalidates approvals whenever the proposed change is modified.",
		Example:    "Two-person review is required. The adversary gets a harmless pull request approved, then amends it to contain bad code. Solution: review rules require approval of the latest revision before submission.",
		Level:      SourceL4, Requirements: []string{"THREAT-B2-4"},
		Note: noteSourceV10,
	},
	{
		ID: B2_5, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Submit a change that is unreviewable",
		Threat:     "An adversary crafts a change that looks harmless to the reviewer but is malicious.",
		Mitigation: "The code review system makes reviews as informed and meaningful as it can, e.g. by showing and resolving symlinks, rendering images, or verifying and displaying provenance.",
		Example:    "A change updates a JPEG to carry a malicious payload, but the reviewer only sees a binary diff and cannot judge it. Solution: the review tool renders the image and its embedded metadata.",
		Level:      SourceL4, Requirements: []string{"THREAT-B2-5"},
		Note: noteSourceV10,
	},
	{
		ID: B2_6, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Copy a reviewed change to another context",
		Threat:     "A change is reviewed in one context and then carried over to a different one.",
		Mitigation: "Approvals are specific to their context.",
		Example:    "MyPackage requires two-person review. The adversary forks it, gets a change approved in the fork by a colluding colleague MyPackage does not trust, and proposes it upstream. Solution: the change still needs two-person review upstream.",
		Level:      SourceL4, Requirements: []string{"THREAT-B2-6"},
		Note: noteSourceV10,
	},
	{
		ID: B2_7, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Commit graph attacks",
		Threat:     "A malicious commit is hidden in a sequence of commits whose net change, as shown to reviewers, looks harmless.",
		Mitigation: "The producer ensures that every revision in the protected context went through the same contribution process.",
		Example:    "A pull request contains malicious commit X and commit Y that undoes X; the combined diff is empty, yet X becomes reachable from the protected branch and may reach developer machines. Solution: each review yields at most one new commit, or every commit in the series goes through the full process.",
		Level:      NotAddressed, Requirements: []string{"THREAT-B2-7"},
		Note: noteNoLevel + " " + noteSourceV10,
	},
	// (B3) Render code review ineffective.
	{
		ID: B3_1, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Collude with another trusted person",
		Threat:     "Two trusted people collude: one writes a bad change and the other approves it.",
		Mitigation: "Not currently addressed by SLSA. The producer can add friction (more reviewers, more senior reviewers) to reduce the risk, with diminishing returns, until it reaches a risk profile that fits its security posture.",
		Level:      NotAddressed, Requirements: []string{"THREAT-B3-1"},
		Note: noteSourceV10,
	},
	{
		ID: B3_2, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Trick reviewer into approving bad code",
		Threat:     "An adversary builds a change that looks benign but is malicious (a \"bugdoor\").",
		Mitigation: "Not currently addressed by SLSA.",
		Level:      NotAddressed, Requirements: []string{"THREAT-B3-2"},
		Note: noteSourceV10,
	},
	{
		ID: B3_3, Category: CategorySource, V10: "(A) Submit unauthorized change",
		Title:      "Reviewer blindly approves changes",
		Threat:     "A reviewer approves changes without really reviewing them (\"rubber stamping\").",
		Mitigation: "Not currently addressed by SLSA.",
		Level:      NotAddressed, Requirements: []string{"THREAT-B3-3"},
		Note: noteSourceV10,
	},
	// (B4) Render change metadata ineffective.
	{
		ID: B4_1, Category: CategorySource, V10: "Verification threats",
		Title:      "Forge change metadata",
		Threat:     "The change metadata is forged to alter a change's attribution, timestamp or discoverability.",
		Mitigation: "The source control system attributes changes only to authenticated identities and, from Source L3, records contemporaneous evidence of changes in signed source provenance.",
		Example:    "Actor X creates a commit whose unauthenticated metadata claims Y wrote it. Solution: the source control system records X's identity when X submits the commit.",
		Level:      SourceL2, Requirements: []string{"THREAT-B4-1"},
		Note: "v1.0 listed this under verification threats, with the mitigation that the source control platform strongly authenticates actor identity, timestamp and parent revisions, and an example of a commit with falsified author and timestamp pushed by rewriting history with a non-fast-forward update.",
	},
	// (C) Source code management.
	{
		ID: C1, Category: CategorySource, V10: "(B) Compromise source repo",
		Title:      "Platform admin abuses privileges",
		Threat:     "An administrator of the source platform abuses their privileges to bypass controls or to push a malicious version of the software.",
		Mitigation: "The source platform has controls that prevent and detect abuse by administrators (e.g. two-person approval of infrastructure changes, audit logging); a future Platform Operations track may say more.",
		Example:    "An employee of the git hosting service uses an internal tool to push changes to MyPackage's repository, or deploys a server build that serves malicious sources to one CI/CD client only, or one with a backdoor that lets chosen users bypass branch protection. Solution: consumers accept claims from the source control system only if they trust its controls against admin abuse.",
		Level:      Verification, Requirements: []string{"THREAT-C1"},
		Note: "v1.0's \"(B) Compromise source repo\" (administrative interface or infrastructure compromise) is the v1.1+ (C); v1.0 listed no individual threats under it.",
	},
	{
		ID: C2, Category: CategorySource, V10: "(B) Compromise source repo",
		Title:      "Exploit vulnerability in SCM",
		Threat:     "A vulnerability in the source code management system's implementation is exploited to bypass controls.",
		Mitigation: "Not currently addressed by SLSA.",
		Level:      NotAddressed, Requirements: []string{"THREAT-C2"},
	},

	// (D) External build parameters.
	{
		ID: D1, Category: CategoryExternalParameters, V10: "(C) Build from modified source",
		Title:      "Build from unofficial fork of code",
		Threat:     "The expected CI/CD process builds from an unofficial fork of the code that may contain unauthorized changes.",
		Mitigation: "The verifier requires the source location in the provenance to equal the expected value.",
		Example:    "MyPackage should be built from the GitHub repository good/my-package but is built from evilfork/my-package. Solution: the verifier rejects it because the source location does not match.",
		Level:      Expectations, Requirements: []string{"THREAT-D1", "PROV-VER-6", "PROV-5", "PROV-7"},
	},
	{
		ID: D2, Category: CategoryExternalParameters, V10: "(C) Build from modified source",
		Title:      "Build from unofficial branch or tag",
		Threat:     "The expected CI/CD process and source location are used, but an experimental or similar branch with code not meant for release is checked out.",
		Mitigation: "The verifier requires the source branch or tag in the provenance to equal an expected value, or the source revision to be reachable from an expected branch.",
		Example:    "MyPackage releases are tagged from the protected main branch; the adversary builds from the unprotected experimental branch carrying unofficial changes. Solution: the verifier rejects it because the revision is not reachable from main.",
		Level:      Expectations, Requirements: []string{"THREAT-D2", "PROV-VER-6"},
	},
	{
		ID: D3, Category: CategoryExternalParameters, V10: "(C) Build from modified source",
		Title:      "Build from unofficial build steps",
		Threat:     "The right CI/CD platform builds the package, but with unofficial build steps.",
		Mitigation: "The verifier requires the source of the build configuration in the provenance to equal the expected value.",
		Example:    "MyPackage should be built by Google Cloud Build with the steps in the source's cloudbuild.yaml; the adversary uses Google Cloud Build with custom steps sent over RPC. Solution: the verifier rejects it because the steps did not come from the expected source.",
		Level:      Expectations, Requirements: []string{"THREAT-D3", "PROV-VER-6", "PROV-4"},
	},
	{
		ID: D4, Category: CategoryExternalParameters, V10: "(C) Build from modified source",
		Title:      "Build from unofficial parameters",
		Threat:     "The expected CI/CD process, source location and branch or tag are used, but a parameter injects unofficial behaviour.",
		Mitigation: "The verifier requires all external parameters in the provenance to match their expected values (rejecting unknown ones).",
		Example:    "MyPackage should be built by the release.yml workflow and the adversary uses debug.yml; or the workflow accepts custom compiler flags through github.event.inputs and the adversary sets a flag that overrides a macro to inject malicious behaviour. Solution: the verifier rejects it because the workflow or inputs parameter is not as expected.",
		Level:      Expectations, Requirements: []string{"THREAT-D4", "PROV-VER-6", "PROV-5", "GAP-12"},
	},
	{
		ID: D5, Category: CategoryExternalParameters, V10: "(C) Build from modified source",
		Title:      "Build from modified version of code modified after checkout",
		Threat:     "The build uses a version of the code that was modified after checkout.",
		Mitigation: "The build platform fetches directly from the source repository and records the source location accurately in the provenance.",
		Example:    "The adversary fetches MyPackage's source, makes a local commit and requests a build of it; the builder records that it did not fetch from the official repository. Solution: the verifier rejects it because the source repository does not match.",
		Level:      Expectations, Requirements: []string{"THREAT-D5", "PROV-VER-6", "PROV-5"},
	},

	// (E) Build process.
	{
		ID: E1, Category: CategoryBuild,
		Title:      "Forge values of the provenance (other than output digest)",
		Threat:     "False provenance is generated and the trusted control plane is made to sign it.",
		Mitigation: "From Build L2 the trusted control plane generates everything in the provenance except, optionally, the output digest; from Build L3 this is hardened against determined adversaries.",
		Example:    "Build L2: provenance is generated on a build worker the adversary controls, which makes the platform claim the source was good/my-package when it was evil/my-package; solution: the control plane generates and signs the provenance and the worker only reports outputs. Build L3: workers can escape their container and reach the signing material; solution: strong isolation of tenants.",
		Level:      BuildL2, Requirements: []string{"THREAT-E1", "BUILD-L2-3", "BUILD-L3-1", "PROV-VER-5"},
	},
	{
		ID: E2, Category: CategoryBuild,
		Title:      "Forge output digest of the provenance",
		Threat:     "The tenant-controlled build sets the output digest (the provenance subject) without the control plane checking that such an artifact was produced.",
		Mitigation: "None needed: any build claiming an artifact could have produced it by copying it verbatim from input to output; provenance only claims an artifact was built, not that it was published anywhere.",
		Example:    "A legitimate MyPackage artifact with digest abcdef is built from good/my-package; a malicious build from evil/my-package claims it built abcdef. Solution: the verifier rejects it because the source location does not match; the forged digest does not matter.",
		Level:      NotAProblem, Requirements: []string{"THREAT-E2"},
		Note: "The spec notes that copying requires knowing the artifact; knowing only its digest would need a preimage attack, and no concern is known either way.",
	},
	{
		ID: E3, Category: CategoryBuild,
		Title:      "Compromise project owner",
		Threat:     "An adversary obtains owner permissions on the artifact's build project.",
		Mitigation: "The owner of the build project must have no way to influence the build process or provenance generation; at Build L3 external parameters are complete, so anything the owner does (e.g. over SSH) shows up in them.",
		Example:    "MyPackage is built on Awesome Builder in project \"mypackage\", whose owners may debug build machines over SSH; the adversary, an owner, alters a running build this way. Solution (v1.1+): the SSH access and actions are enumerated in the external parameters, which no longer match expectations, so verification fails.",
		Level:      BuildL2, Requirements: []string{"THREAT-E3", "BUILD-L3-1", "PROV-5", "PROV-VER-6"},
		Note: "v1.0 calls the adversary an administrator of the project and gives no solution in the example; the external-parameters solution was added later.",
	},
	{
		ID: E4, Category: CategoryBuild,
		Title:      "Compromise other build",
		Threat:     "A malicious build changes the behaviour of a benign build running in parallel or later.",
		Mitigation: "Builds are isolated from one another: none can affect another or persist changes.",
		Example:    "All builds of a project run on one machine as the same Linux user, so a malicious build swaps the source files of a concurrent benign build whose provenance still names the benign sources; or a build replaces the make binary used by the next build. Solution: each build runs in its own VM (or similar) started from a clean machine image.",
		Level:      BuildL3, Requirements: []string{"THREAT-E4", "BUILD-L3-2"},
	},
	{
		ID: E5, Category: CategoryBuild,
		Title:      "Steal cryptographic secrets",
		Threat:     "The provenance signing key, or another secret meant only for the build platform, is used or exfiltrated.",
		Mitigation: "Builds are isolated from the trusted control plane, and only the control plane can access cryptographic secrets.",
		Example:    "Provenance is signed on a worker the adversary controls, so a malicious process signs false provenance with the real key. Solution: provenance is generated and signed in the control plane; workers cannot reach the key.",
		Level:      BuildL3, Requirements: []string{"THREAT-E5", "BUILD-L3-1"},
	},
	{
		ID: E6, Category: CategoryBuild,
		Title:      "Poison the build cache",
		Threat:     "A malicious artifact is put into a build cache and later picked up by a benign build.",
		Mitigation: "Build caches are isolated between builds: entries are keyed by the transitive closure of their inputs, and the cache is writable only by the trusted control plane or each entry has its own Build L3 provenance.",
		Example:    "The cache is keyed only by the digest of a source file, so a build with a macro-defining compiler flag poisons the entry for auth.cc; or the tenant's build can write the cache directly and stores a malicious auth.o under a key it observed. Solution: key entries by source, command line and toolchain digests, and give each entry Build L3 provenance matching its key.",
		Level:      BuildL3, Requirements: []string{"THREAT-E6", "BUILD-L3-2"},
		Note: "v1.0 only requires caches to be isolated between builds, with an example of a poisoned entry under a falsified source-hash key; the transitive-closure key and the write restriction come from later versions.",
	},
	{
		ID: E7, Category: CategoryBuild,
		Title:      "Compromise build platform admin",
		Threat:     "An adversary obtains administrator permissions on the artifact's build platform.",
		Mitigation: "Draft (main): the build image has the compute platform's remote-access and maintenance agents disabled, and before the build the control plane attests the environment (no outside-in access, expected image and early boot components) and issues a VSA about it.",
		Example:    "Awesome Builder lets on-call engineers SSH into build machines to debug production issues, and an adversary uses that access to modify a build in progress. Solution (v1.0–v1.2): consumers accept provenance only from platforms they trust to have sufficient controls against admin abuse.",
		Level:      BuildEnvL2, Draft: true,
		Requirements: []string{"THREAT-E7", "GAP-9", "BENV-L2-11", "BENV-L2-6", "BENV-SCOPE-1", "PROV-VER-10"},
		Note:         "GAP-9: tagged \"verification\" in released SLSA v1.0–v1.2, whose mitigation is controls against admin abuse (two-person approval, audit logging) that consumers must trust; tagged \"BuildEnv L2\" only in the draft BuildEnv threats on main.",
	},
	{
		ID: E8, Category: CategoryBuild,
		Title:      "Compromise build image during the distribution (in transit)",
		Threat:     "The build image is modified while it is distributed, between its creation and its consumption by the build platform.",
		Mitigation: "The image is built on a Build L2+ platform that produces its provenance, and the control plane verifies the image against that provenance when it first consumes it (e.g. when pulling it into a local cache).",
		Example:    "An image is pulled from a shared registry over an untrusted channel and altered on the way. Solution: the control plane checks the pulled image against its signed provenance and refuses it.",
		Level:      BuildEnvL1, Draft: true,
		Requirements: []string{"THREAT-E8", "BENV-L1-1", "BENV-L1-2", "BENV-L1-4", "BENV-L2-10"},
		Note:         "Draft only (main, PR #1479). The seeds hold no text for this threat; the example paraphrases the BuildEnv L1 scope in the BuildEnv threat-model discussion (slsa-framework/slsa PRs #1287 and #1479).",
	},
	{
		ID: E9, Category: CategoryBuild,
		Title:      "Local compromise of build image (at rest)",
		Threat:     "The build image, or the environment's root filesystem, is modified where it is stored on the compute platform.",
		Mitigation: "Secure Boot with boot measurements in a (v)TPM; the control plane remote-attests the environment before scheduling builds on it; the root filesystem is protected by lazy block-level verification such as dm-verity or IMA, measured at boot.",
		Example:    "An attacker gains access to an environment's root filesystem, e.g. one served over a network file system or block device whose server was compromised, and modifies it. Solution: the modified filesystem no longer matches the measured dm-verity root hash, and the quote fails verification before any build is dispatched.",
		Level:      BuildEnvL2, Draft: true,
		Requirements: []string{"THREAT-E9", "BENV-L2-2", "BENV-L2-3", "BENV-L2-6", "BENV-L2-8", "BENV-L2-9"},
		Note:         "Draft only (main, PR #1479). The seeds hold no text for this threat; the example paraphrases the root-filesystem example in the BuildEnv threat-model discussion (slsa-framework/slsa PR #1287).",
	},
	{
		ID: E10, Category: CategoryBuild,
		Title:      "Compromise build environment in use",
		Threat:     "A running build environment is tampered with through the compute platform, e.g. by its host software or by someone holding compromised administrator credentials.",
		Mitigation: "The build runs in a trusted execution environment (AMD SEV-SNP, Intel TDX); the control plane attests it, including the TEE, before the build and issues a VSA; the root filesystem is protected by dm-verity or IMA; the temporary filesystem overlay is encrypted with an ephemeral key provisioned inside the TEE.",
		Example:    "A malicious agent in the hypervisor, or an attacker with stolen compute-platform admin credentials, reads or modifies the memory and scratch disk of a running build. Solution: the TEE encrypts and integrity-protects memory, the overlay is encrypted with a key the host never sees, and the hardware-signed report checked before dispatch proves the environment is a TEE with the expected measurements.",
		Level:      BuildEnvL3, Draft: true,
		Requirements: []string{"THREAT-E10", "BENV-L3-1", "BENV-L3-2", "BENV-L3-3", "BENV-L3-4", "BENV-L3-5", "BENV-L3-8", "BENV-H-3"},
		Note:         "Draft only (main, PR #1479). Physical and side-channel attacks and vulnerabilities in software legitimately in the image are out of scope (BENV-L3-8). The encrypted overlay revives PR #1051's dropped disk-encryption requirement (BENV-H-3). The example paraphrases the L3 scope of the BuildEnv threat-model discussion (PR #1479).",
	},

	// (F) Artifact publication.
	{
		ID: F1, Category: CategoryPublication,
		Title:      "Build with untrusted CI/CD",
		Threat:     "The package is built by an unofficial CI/CD pipeline that does not build it the right way.",
		Mitigation: "The verifier requires provenance showing that the builder equals an expected value.",
		Example:    "MyPackage should be built on Google Cloud Build, trusted up to Build L3; the adversary builds on another platform trusted only to Build L2 and exploits it to inject behaviour. Solution: the verifier rejects it because the builder is not the expected one.",
		Level:      Expectations, Requirements: []string{"THREAT-F1", "PROV-VER-1", "PROV-VER-5", "PROV-VER-6", "PROV-9"},
	},
	{
		ID: F2, Category: CategoryPublication,
		Title:      "Upload package without provenance",
		Threat:     "A package is uploaded without provenance.",
		Mitigation: "The verifier requires provenance before accepting the package.",
		Example:    "The adversary uploads a malicious MyPackage to the registry without provenance. Solution: the verifier rejects it because provenance is missing.",
		Level:      BuildL1, Requirements: []string{"THREAT-F2", "BUILD-L1-2", "DIST-1"},
	},
	{
		ID: F3, Category: CategoryPublication,
		Title:      "Tamper with artifact after CI/CD",
		Threat:     "A benign package is modified and re-uploaded with its original provenance.",
		Mitigation: "The verifier checks that the provenance subject matches the package's hash.",
		Example:    "The adversary runs a proper build, modifies the artifact and uploads it with the original provenance. Solution: the verifier rejects it because the artifact's hash differs from the subject.",
		Level:      BuildL1, Requirements: []string{"THREAT-F3", "PROV-VER-3", "ITE-ST-3"},
	},
	{
		ID: F4, Category: CategoryPublication,
		Title:      "Tamper with provenance",
		Threat:     "A build that would fail expectations is done, then its provenance is edited so the expectation checks pass.",
		Mitigation: "The verifier accepts only provenance with a valid cryptographic signature (or equivalent) showing it came from an acceptable builder.",
		Example:    "MyPackage should be built by GitHub Actions from good/my-package; the adversary builds from evil/my-package and edits the provenance to name good/my-package. Solution: the verifier rejects it because the signature no longer verifies.",
		Level:      BuildL2, Requirements: []string{"THREAT-F4", "PROV-VER-2", "BUILD-L2-2", "ITE-ENV-7"},
	},

	// (G) Distribution channel.
	{
		ID: G1, Category: CategoryDistribution,
		Title:      "Build with untrusted CI/CD",
		Threat:     "The package in the distribution channel is replaced by one built on an unofficial CI/CD pipeline.",
		Mitigation: "The verifier requires provenance showing the expected builder, or a VSA for the corresponding resourceUri.",
		Example:    "As for F1, after which the adversary replaces the original package in the repository with the malicious one. Solution: the verifier rejects it because the builder is not the expected one.",
		Level:      Expectations, Requirements: []string{"THREAT-G1", "PROV-VER-6", "VSA-VER-4", "VSA-VER-5"},
		Note: noteDistribution,
	},
	{
		ID: G2, Category: CategoryDistribution,
		Title:      "Issue VSA from untrusted intermediary",
		Threat:     "An unofficial intermediary issues a VSA for a malicious package.",
		Mitigation: "The verifier accepts only VSAs issued by a trusted intermediary (verifier).",
		Example:    "The verifier expects VSAs from TheRepository; the adversary builds a malicious package and issues its own VSA for it. Solution: the VSA is rejected because the adversary cannot sign as TheRepository.",
		Level:      Expectations, Requirements: []string{"THREAT-G2", "VSA-VER-1", "VSA-VER-4", "VSA-VER-8"},
		Note: noteDistribution,
	},
	{
		ID: G3, Category: CategoryDistribution,
		Title:      "Upload package without provenance or VSA",
		Threat:     "The original package is replaced with a malicious one that has no provenance.",
		Mitigation: "The verifier requires provenance or a VSA before accepting the package.",
		Example:    "The adversary replaces MyPackage in the repository with a malicious version and deletes the existing provenance. Solution: the verifier rejects it because provenance is missing.",
		Level:      BuildL1, Requirements: []string{"THREAT-G3", "DIST-1"},
		Note: noteDistribution,
	},
	{
		ID: G4, Category: CategoryDistribution,
		Title:      "Replace package and VSA with another",
		Threat:     "A package and its VSA are replaced with a malicious package and that package's own valid VSA.",
		Mitigation: "The consumer checks that the VSA is for the package it requested, not merely the one it received (VSA verification procedure).",
		Example:    "The adversary uploads repo/evil-package and obtains a valid VSA for it, then replaces repo/my-package and its VSA with those. Solution: the verifier rejects it because the VSA's resourceUri names repo/evil-package, not repo/my-package.",
		Level:      Expectations, Requirements: []string{"THREAT-G4", "VSA-VER-5", "VSA-5"},
		Note: noteDistribution,
	},
	{
		ID: G5, Category: CategoryDistribution,
		Title:      "Tamper with artifact after upload",
		Threat:     "A benign package is modified and put back while its original provenance or VSA is kept.",
		Mitigation: "The verifier checks that the subject of the provenance or VSA matches the package's hash.",
		Example:    "The adversary builds properly, modifies the artifact and replaces the package in the repository, keeping the original provenance. Solution: the verifier rejects it because the hash differs from the subject.",
		Level:      BuildL1, Requirements: []string{"THREAT-G5", "PROV-VER-3", "VSA-VER-2"},
		Note: noteDistribution,
	},
	{
		ID: G6, Category: CategoryDistribution,
		Title:      "Tamper with provenance or VSA",
		Threat:     "A build that would fail expectations is done, then its provenance or VSA is edited so the checks pass.",
		Mitigation: "The verifier accepts only provenance or VSAs with a valid cryptographic signature (or equivalent) from an acceptable builder or expected verifier.",
		Example:    "The adversary edits provenance to name good/my-package instead of evil/my-package, or edits a VSA's subject to the digest of a malicious package. Solution: the verifier rejects it because the signature no longer verifies.",
		Level:      BuildL2, Requirements: []string{"THREAT-G6", "PROV-VER-2", "VSA-VER-1"},
		Note: noteDistribution,
	},

	// (H) Package selection.
	{
		ID: H1, Category: CategoryUsage,
		Title:      "Dependency confusion",
		Threat:     "A package is registered in a public registry under a name used in the victim's internal registry, and a misconfigured victim fetches the public one.",
		Mitigation: "The producer builds internal packages on a Build L2+ platform and defines expectations for their provenance, verified on installation; the attacker's public package then fails verification.",
		Level:      Expectations, Requirements: []string{"THREAT-H1", "PROV-VER-6", "PROV-VER-9"},
		Note: "New in v1.1. The spec gives no level tag; the mitigation combines Build L2+ for internal packages with expectations verified at install, recorded here as expectations.",
	},
	{
		ID: H2, Category: CategoryUsage,
		Title:      "Typosquatting",
		Threat:     "A package name resembling a popular package is registered so that users pick the malicious package instead of the benign one.",
		Mitigation: "Not currently addressed by SLSA, although requiring the source to be available can deter, help investigation and complement source-based typosquatting defences.",
		Level:      NotAddressed, Requirements: []string{"THREAT-H2"},
		Note: "v1.0 listed it under \"(H) Use compromised package\" as mostly outside SLSA's scope.",
	},
	// (I) Usage.
	{
		ID: I1, Category: CategoryUsage,
		Title:      "Improper usage",
		Threat:     "The software can be used insecurely, which lets an adversary compromise the consumer.",
		Mitigation: "Not addressed by SLSA; efforts such as Secure by Design may address it.",
		Level:      NotAddressed, Requirements: []string{"THREAT-I1"},
		Note: "New in v1.1.",
	},

	// Dependency threats.
	{
		ID: DEP_1, Category: CategoryDependency, V10: "(D) Use compromised dependency",
		Title:      "Include a vulnerable dependency (library, base image, bundled file, etc.)",
		Threat:     "A compromised or vulnerable artifact is statically linked, bundled or otherwise included, so the output inherits the vulnerability.",
		Mitigation: "No SLSA level yet; a future Dependency track may give guidance. Meanwhile SLSA can be applied recursively to dependencies.",
		Example:    "C++ program MyPackage statically links libDep; a contributor accidentally introduces a vulnerability into libDep, and the next MyPackage build includes it.",
		Level:      NotAddressed, Requirements: []string{"THREAT-DEP-1", "PROV-VER-7", "VSA-14"},
		Note: "v1.0 called this \"Use a compromised build dependency\" (out of scope; pin build dependencies by digest or apply SLSA recursively), with an example of libFoo's source repository being compromised; that v1.0 threat also covered build tools (DEP-2).",
	},
	{
		ID: DEP_2, Category: CategoryDependency,
		Title:      "Use a compromised build tool (compiler, utility, interpreter, OS package, etc.)",
		Threat:     "A compromised tool or other artifact used during the build alters the build and injects unintended behaviour into the output.",
		Mitigation: "Partially mitigated by treating build tools, OS images included, as artifacts to verify before use: the platform verifies the disk image or its components against their provenance or VSAs before running a build. The BuildEnv track addresses more of it.",
		Example:    "MyPackage is a tarball made with /usr/bin/tar; an adversary compromises the tar OS package so that it backdoors every ELF file it writes, and the next MyPackage build is backdoored. Solution: apply SLSA recursively to build tools; depending on where tar was compromised, the modified binary fails verification before the build.",
		Level:      NotAddressed, Requirements: []string{"THREAT-DEP-2", "PROV-VER-7", "BENV-L1-4", "BENV-L2-1"},
		Note: "No level tag in the spec. Not listed separately in v1.0 (covered by its \"Use a compromised build dependency\"). Its mitigation ties to BuildEnv L1 image verification (see E8).",
	},
	{
		ID: DEP_3, Category: CategoryDependency,
		Title:      "Use a compromised runtime dependency during the build (for tests, dynamic linking, etc.)",
		Threat:     "A compromised runtime dependency loaded during the build (e.g. by tests or dynamic linking) alters the build and injects unwanted behaviour into the output.",
		Mitigation: "The mitigations for build tools (DEP-2) apply; in addition, tests can run in a separate environment without write access to the output, so runtime dependencies do not become build dependencies.",
		Example:    "MyPackage depends at runtime on Dep, which its tests also load during the build; an adversary compromises Dep so that when run in a build it backdoors the output.",
		Level:      NotAddressed, Requirements: []string{"THREAT-DEP-3"},
		Note: "No level tag in the spec; technically the same case as DEP-2. Not in v1.0.",
	},
	{
		ID: DEP_4, Category: CategoryDependency, V10: "(D) Use compromised dependency",
		Title:      "Use a compromised dependency at runtime",
		Threat:     "A compromised artifact is loaded at runtime and compromises the user or the environment where the software runs.",
		Mitigation: "None in SLSA's model: runtime dependencies are modeled separately, each as a distinct artifact with its own threats.",
		Example:    "MyPackage lists Dep as a runtime dependency; the adversary publishes a compromised Dep, which users install with MyPackage and which runs malicious code when loaded.",
		Level:      NotAddressed, Requirements: []string{"THREAT-DEP-4"},
		Note: "Spec tag: \"modeled separately\". v1.0 called it \"Use a compromised runtime dependency\" (out of scope, but mitigable by verifying the provenance of runtime dependencies that have it), with an example of libBar's build being compromised.",
	},

	// Availability threats.
	{
		ID: AV_1, Category: CategoryAvailability, V10: "Availability threats: (A)(B) Delete the code",
		Title:      "Delete the code",
		Threat:     "A build is made from a source revision that is then deleted or garbage-collected, so nobody can inspect the code.",
		Mitigation: "Not currently addressed by SLSA.",
		Example:    "An adversary submits malicious code, builds from it, then force-pushes to erase the revision or has the hosting service delete the repository.",
		Level:      NotAddressed, Requirements: []string{"THREAT-AV-1"},
		Note: "v1.0 gave a mitigation (some system retains the revision and its history indefinitely, deletable only through a transparent legal or privacy process; the verifier rejects packages lacking a positive attestation of retention) and the example above; later versions say it is not addressed.",
	},
	{
		ID: AV_2, Category: CategoryAvailability, V10: "Availability threats: (D)",
		Title:      "A dependency becomes temporarily or permanently unavailable to the build process",
		Threat:     "A build cannot be performed with the intended dependencies.",
		Mitigation: "Not currently addressed by SLSA; solutions for hermetic and reproducible builds may reduce the impact.",
		Level:      NotAddressed, Requirements: []string{"THREAT-AV-2"},
	},
	{
		ID: AV_3, Category: CategoryAvailability, V10: "(G) Compromise package repo",
		Title:      "De-list artifact",
		Threat:     "The package registry stops serving the artifact.",
		Mitigation: "Not currently addressed by SLSA.",
		Level:      NotAddressed, Requirements: []string{"THREAT-AV-3"},
	},
	{
		ID: AV_4, Category: CategoryAvailability, V10: "(G) Compromise package repo",
		Title:      "De-list provenance",
		Threat:     "The package registry stops serving the provenance.",
		Mitigation: "Not currently addressed by SLSA.",
		Level:      NotAddressed, Requirements: []string{"THREAT-AV-4", "DIST-1"},
	},

	// Verification threats.
	{
		ID: V1, Category: CategoryVerification,
		Title:      "Tamper with recorded expectations",
		Threat:     "The verifier's recorded expectations are modified so that it accepts an unofficial artifact.",
		Mitigation: "Changing recorded expectations requires some form of authorization, such as two-party review.",
		Example:    "A package ecosystem keeps each package's expectations in a configuration file its producer can edit; the adversary adds evil/my-package next to good/my-package, builds from it and uploads a malicious version. Solution: changes to recorded expectations need two-party review.",
		Level:      NotAddressed, Requirements: []string{"THREAT-V1", "PROV-VER-8"},
		Note: "No level tag in the spec: the mitigation is a practice of whoever records expectations (see PROV-VER-8, producer-defined expectations with protection against unilateral modification).",
	},
	{
		ID: V2, Category: CategoryVerification,
		Title:      "Exploit cryptographic hash collisions",
		Threat:     "A weakness of a hash function against collisions is exploited to bypass one of the other controls.",
		Mitigation: "Use collision-resistant digest algorithms such as SHA-256 (v1.0: for commit checksums and provenance subjects).",
		Example:    "An attacker makes a malicious file with the same MD5 hash as a benign one and swaps them; or (v1.0) gets a benign file reviewed and then submits or builds from a malicious file with the same SHA-1. Solution: accept only hashes with strong collision resistance.",
		Level:      NotAddressed, Requirements: []string{"THREAT-V2", "ITE-DS-2"},
		Note: "No level tag in the spec: the mitigation is a verifier practice, which buildtrust enforces by accepting only collision-resistant digest algorithms.",
	},
}
