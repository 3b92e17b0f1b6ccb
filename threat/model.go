package threat

import "slices"

// AttackerGoal is the adversary's goal in the build threat model used to
// assess build platforms (ASSESS-1), paraphrased from "Verifying build
// systems" (SLSA v1.0, v1.1; "Assessing build platforms" in v1.2 and main).
const AttackerGoal = "Tamper with a build so that the output artifact gains unexpected, vulnerable or " +
	"malicious behaviour while avoiding detection, by producing build provenance that does not " +
	"faithfully describe the artifact's origins or build process. Formally: if external parameters P " +
	"would produce an artifact with hash X and parameters P' one with hash Y, the attacker wants " +
	"provenance stating that a build with P produced Y. Abuse of the platform (e.g. running " +
	"non-build workloads) and attacks on the builder's availability are out of scope."

// BuilderEvaluation says how a builder's answers to the questionnaire (see
// [Prompts]) are vouched for (ASSESS-9): the organisation either self-attests
// or obtains an audit or certification from a third party. [Assessment]
// records which.
const BuilderEvaluation = "Organisations either self-attest to their answers or seek an audit or " +
	"certification from a third party. Self-attested questionnaires should be published on the " +
	"internet; questionnaires for third-party certification need not be published."

// ProfileID identifies an attacker profile (ASSESS-2).
type ProfileID string

// Attacker profiles, from least to most privileged. The early draft (seed
// 000) called them low, medium and high privilege.
const (
	// ProjectContributor is the "project contributors" profile (draft: "low
	// privilege"): anyone who can create builds on the platform.
	ProjectContributor ProfileID = "project-contributor"
	// ProjectMaintainer is the "project maintainers" profile (draft: "medium
	// privilege"): it includes every [ProjectContributor] capability.
	ProjectMaintainer ProfileID = "project-maintainer"
	// PlatformAdmin is the "build platform administrators" profile (v1.0
	// page: "build service admin"; draft: "high privilege"). In v1.0 it
	// includes the capabilities of both other profiles; the draft listed
	// only those of the low-privilege profile.
	PlatformAdmin ProfileID = "platform-admin"
)

// Profile is an attacker profile of the build threat model (ASSESS-2):
// attackers are told apart by their capabilities and privileges with respect
// to the build they want to subvert (the "target build").
type Profile struct {
	// ID identifies the profile.
	ID ProfileID
	// Name is the profile's name from SLSA v1.0 on.
	Name string
	// DraftName is the profile's name in the early draft ("Low privilege",
	// "Medium privilege", "High privilege").
	DraftName string
	// Examples lists example attackers; only the early draft gives them.
	Examples []string
	// Capabilities lists the profile's own capabilities, not those it
	// inherits through Includes. A capability found in only one version of
	// the page ends in "(draft only)" or "(v1.0 only)"; one found in both
	// uses the v1.0 wording.
	Capabilities []string
	// Includes lists the profiles whose capabilities this profile also has.
	Includes []ProfileID
}

func (p Profile) clone() Profile {
	p.Examples = slices.Clone(p.Examples)
	p.Capabilities = slices.Clone(p.Capabilities)
	p.Includes = slices.Clone(p.Includes)
	return p
}

// Profiles returns the three attacker profiles, least privileged first. Each
// call returns a fresh copy.
func Profiles() []Profile {
	out := make([]Profile, len(profiles))
	for i, p := range profiles {
		out[i] = p.clone()
	}
	return out
}

var profiles = []Profile{
	{
		ID:        ProjectContributor,
		Name:      "Project contributors",
		DraftName: "Low privilege",
		Examples: []string{
			"Anyone on the internet",
			"Build platform insiders without administrative access",
		},
		Capabilities: []string{
			"Create builds on the build platform; these are the attacker's controlled builds.",
			"Modify the external parameters of one or more controlled builds.",
			"Modify the environments of one or more controlled builds and run arbitrary code inside them.",
			"Read the target build's source repository.",
			"Fork the target build's source repository.",
			"Modify a fork of the target build's source repository and build from it.",
			"Access the build platform maintainers' intranet or other internal communications (e.g. email, design documents). (draft only)",
		},
	},
	{
		ID:        ProjectMaintainer,
		Name:      "Project maintainers",
		DraftName: "Medium privilege",
		Examples:  []string{"Project maintainer"},
		Capabilities: []string{
			"Create new builds under the target build's project or identity.",
			"Modify the target build's source repository and build from it.",
			"Modify the target build's configuration. (v1.0 only)",
		},
		Includes: []ProfileID{ProjectContributor},
	},
	{
		ID:        PlatformAdmin,
		Name:      "Build platform administrators",
		DraftName: "High privilege",
		Examples:  []string{"Build platform admin"},
		Capabilities: []string{
			"Run arbitrary code on the build platform.",
			"Read and modify network traffic.",
			"Access the control plane's cryptographic secrets. (v1.0 only)",
			"Remotely access build environments (executors), e.g. via SSH. (v1.0 only)",
		},
		Includes: []ProfileID{ProjectContributor, ProjectMaintainer},
	},
}

// ComponentID identifies one of the five elements of the build model that a
// build platform assessment covers (ASSESS-3).
type ComponentID string

// Build-model components, in the order of the questionnaire.
const (
	// ExternalParameters is the builder's external interface (ASSESS-4).
	ExternalParameters ComponentID = "external-parameters"
	// ControlPlane orchestrates builds and generates provenance (ASSESS-5).
	ControlPlane ComponentID = "control-plane"
	// BuildEnvironment is the isolated environment where a build runs,
	// called the (build) executor in the draft and v1.0 pages (ASSESS-6).
	BuildEnvironment ComponentID = "build-environment"
	// Cache is the builder's caches of dependencies (ASSESS-7).
	Cache ComponentID = "cache"
	// OutputStorage holds built artifacts and provenance (ASSESS-8).
	OutputStorage ComponentID = "output-storage"
)

// Questionnaire versions a [Prompt] can appear in.
const (
	// VersionDraft is the early draft of "Verifying build systems" (seed 000).
	VersionDraft = "draft"
	// VersionV10 is the SLSA v1.0 page "Verifying build systems" (seed 001),
	// unchanged in v1.1 and, as "Assessing build platforms", in v1.2 and main
	// apart from the executor → build environment wording.
	VersionV10 = "v1.0"
)

// Component is one element of the build model with its assessment prompts.
type Component struct {
	// ID identifies the component.
	ID ComponentID
	// Name is the component's name.
	Name string
	// Description says what the component is and what the model requires
	// of it.
	Description string
	// Prompts are the questions a builder answers about the component.
	Prompts []Prompt
}

// Prompt is one question of the build platform questionnaire.
type Prompt struct {
	// ID is the prompt's stable ID: the component ID, then (when the
	// questionnaire groups the component's prompts) the topic in lower case
	// with spaces replaced by '-', then the prompt's number within its
	// group, all joined by '/': "control-plane/administration/1",
	// "cache/2".
	ID string
	// Component is the component the prompt belongs to.
	Component ComponentID
	// Topic is the questionnaire's heading for the group of prompts, or
	// empty when the component's prompts are not grouped.
	Topic string
	// Text is the question, in the v1.0 wording when it appears in both
	// versions.
	Text string
	// Versions lists the questionnaire versions the prompt appears in:
	// [VersionDraft], [VersionV10] or both.
	Versions []string
	// Note records wording differences between versions.
	Note string
}

// In reports whether the prompt appears in questionnaire version v.
func (p Prompt) In(v string) bool { return slices.Contains(p.Versions, v) }

func (p Prompt) clone() Prompt {
	p.Versions = slices.Clone(p.Versions)
	return p
}

func (c Component) clone() Component {
	ps := make([]Prompt, len(c.Prompts))
	for i, p := range c.Prompts {
		ps[i] = p.clone()
	}
	c.Prompts = ps
	return c
}

// Components returns the five build-model components with their prompts, in
// questionnaire order. Each call returns a fresh copy.
func Components() []Component {
	out := make([]Component, len(components))
	for i, c := range components {
		out[i] = c.clone()
	}
	return out
}

// Prompts returns every prompt of the questionnaire, in the order of
// [Components]. Each call returns a fresh copy.
func Prompts() []Prompt {
	var out []Prompt
	for _, c := range components {
		for _, p := range c.Prompts {
			out = append(out, p.clone())
		}
	}
	return out
}

// LookupPrompt returns the prompt with the given ID.
func LookupPrompt(id string) (Prompt, bool) {
	p, ok := promptByID[id]
	if !ok {
		return Prompt{}, false
	}
	return p.clone(), true
}

// promptByID indexes the prompts of components; never modified.
var promptByID = indexPrompts(components)

func indexPrompts(cs []Component) map[string]Prompt {
	m := make(map[string]Prompt)
	for _, c := range cs {
		for _, p := range c.Prompts {
			m[p.ID] = p
		}
	}
	return m
}

var (
	both      = []string{VersionDraft, VersionV10}
	draftOnly = []string{VersionDraft}
	v10Only   = []string{VersionV10}
)

// components is the questionnaire: seed 000 (draft) and seed 001 (v1.0). It
// must not be modified; accessors return copies.
var components = []Component{
	{
		ID:   ExternalParameters,
		Name: "External parameters",
		Description: "The builder's external interface, covering every input to the build: the source to build, " +
			"the build definition or script to run, user-provided instructions telling the control plane how to " +
			"create the build environment (e.g. which operating system), and any other user-provided strings. " +
			"The draft called them \"parameters\" and required them to reference the source and the build definition.",
		Prompts: []Prompt{
			{ID: "external-parameters/1", Component: ExternalParameters, Versions: both,
				Text: "How does the control plane process user-provided external parameters? Examples: sanitizing, parsing, not at all",
				Note: "Draft: \"How does the platform process user-provided parameters?\""},
			{ID: "external-parameters/2", Component: ExternalParameters, Versions: both,
				Text: "Which external parameters are processed by the control plane and which are processed by the executor?",
				Note: "Draft says \"parameters\"."},
			{ID: "external-parameters/3", Component: ExternalParameters, Versions: both,
				Text: "What sort of external parameters does the control plane accept for executor configuration?",
				Note: "Draft says \"parameters\"."},
			{ID: "external-parameters/4", Component: ExternalParameters, Versions: v10Only,
				Text: "How do you ensure that all external parameters are represented in the provenance?"},
			{ID: "external-parameters/5", Component: ExternalParameters, Versions: v10Only,
				Text: "How will you ensure that future design changes will not add additional external parameters without representing them in the provenance?"},
		},
	},
	{
		ID:   ControlPlane,
		Name: "Control plane",
		Description: "The build platform component that orchestrates each independent build: it sets each build up " +
			"and cleans up afterwards, and from Build L2 it generates and signs the provenance of every build " +
			"(the draft said: of every Build L3+ build). Administrators operate it and can modify it.",
		Prompts: []Prompt{
			{ID: "control-plane/administration/1", Component: ControlPlane, Topic: "Administration", Versions: both,
				Text: "What are the ways an employee can use privileged access to influence a build or provenance generation? Examples: physical access, terminal access, access to cryptographic secrets",
				Note: "Draft has the typo \"they ways\"."},
			{ID: "control-plane/administration/2", Component: ControlPlane, Topic: "Administration", Versions: both,
				Text: "What controls are in place to detect or prevent the employee from abusing such access? Examples: two-person approvals, audit logging, workload identities",
				Note: "Draft examples lack \"workload identities\"."},
			{ID: "control-plane/administration/3", Component: ControlPlane, Topic: "Administration", Versions: both,
				Text: "Roughly how many employees have such access?"},
			{ID: "control-plane/administration/4", Component: ControlPlane, Topic: "Administration", Versions: both,
				Text: "How are privileged accounts protected? Examples: two-factor authentication, client device security policies"},
			{ID: "control-plane/administration/5", Component: ControlPlane, Topic: "Administration", Versions: both,
				Text: "What plans do you have for recovering from security incidents and system outages? Are they tested? How frequently?"},

			{ID: "control-plane/provenance-generation/1", Component: ControlPlane, Topic: "Provenance generation", Versions: both,
				Text: "How does the control plane observe the build to ensure the provenance's accuracy?"},
			{ID: "control-plane/provenance-generation/2", Component: ControlPlane, Topic: "Provenance generation", Versions: both,
				Text: "Are there situations in which the control plane will not generate provenance for a completed build? What are they?"},

			{ID: "control-plane/development-practices/1", Component: ControlPlane, Topic: "Development practices", Versions: both,
				Text: "How do you track the control plane's software and configuration? Example: version control"},
			{ID: "control-plane/development-practices/2", Component: ControlPlane, Topic: "Development practices", Versions: both,
				Text: "How do you build confidence in the control plane's software supply chain? Example: SLSA L3+ provenance, build from source"},
			{ID: "control-plane/development-practices/3", Component: ControlPlane, Topic: "Development practices", Versions: both,
				Text: "How do you secure communications between builder components? Example: TLS with certificate transparency."},
			{ID: "control-plane/development-practices/4", Component: ControlPlane, Topic: "Development practices", Versions: both,
				Text: "Are you able to perform forensic analysis on compromised executors? How? Example: retain base images indefinitely"},

			{ID: "control-plane/creating-executors/1", Component: ControlPlane, Topic: "Creating executors", Versions: both,
				Text: "How does the control plane share data with executors? Example: mounting a shared file system partition"},
			{ID: "control-plane/creating-executors/2", Component: ControlPlane, Topic: "Creating executors", Versions: both,
				Text: "How does the control plane protect its integrity from executors? Example: not mount its own file system partitions on executors"},
			{ID: "control-plane/creating-executors/3", Component: ControlPlane, Topic: "Creating executors", Versions: both,
				Text: "How does the control plane prevent executors from accessing its cryptographic secrets? Examples: dedicated secret storage, not mounting its own file system partitions on executors, hardware security modules",
				Note: "Draft examples lack \"hardware security modules\"."},

			{ID: "control-plane/managing-cryptographic-secrets/1", Component: ControlPlane, Topic: "Managing cryptographic secrets", Versions: both,
				Text: "How do you store the control plane's cryptographic secrets?"},
			{ID: "control-plane/managing-cryptographic-secrets/2", Component: ControlPlane, Topic: "Managing cryptographic secrets", Versions: both,
				Text: "Which parts of the organization have access to the control plane's cryptographic secrets?"},
			{ID: "control-plane/managing-cryptographic-secrets/3", Component: ControlPlane, Topic: "Managing cryptographic secrets", Versions: both,
				Text: "What controls are in place to detect or prevent employees abusing such access? Examples: two-person approvals, audit logging"},
			{ID: "control-plane/managing-cryptographic-secrets/4", Component: ControlPlane, Topic: "Managing cryptographic secrets", Versions: v10Only,
				Text: "How are secrets protected in memory? Examples: secrets are stored in hardware security modules and backed up in secure cold storage"},
			{ID: "control-plane/managing-cryptographic-secrets/5", Component: ControlPlane, Topic: "Managing cryptographic secrets", Versions: both,
				Text: "How frequently are cryptographic secrets rotated? Describe the rotation process."},
			{ID: "control-plane/managing-cryptographic-secrets/6", Component: ControlPlane, Topic: "Managing cryptographic secrets", Versions: both,
				Text: "What is your plan for remediating cryptographic secret compromise? How frequently is this plan tested?"},
		},
	},
	{
		ID:   BuildEnvironment,
		Name: "Build environment (executor)",
		Description: "The independent execution environment where the build takes place. Each one must be isolated " +
			"from the control plane and from every other environment, including those running builds of the same " +
			"user or project (the draft did not spell out the latter). Tenants may modify the environment " +
			"arbitrarily. It must have a way to fetch input artifacts (source, dependencies, etc.). The draft and " +
			"v1.0 pages call it the (build) executor.",
		Prompts: []Prompt{
			{ID: "build-environment/isolation-technologies/1", Component: BuildEnvironment, Topic: "Isolation technologies", Versions: both,
				Text: "How are executors isolated from the control plane and each other? Examples: VMs, containers, sandboxed processes"},
			{ID: "build-environment/isolation-technologies/2", Component: BuildEnvironment, Topic: "Isolation technologies", Versions: both,
				Text: "How have you hardened your executors against malicious tenants? Examples: configuration hardening, limiting attack surface"},
			{ID: "build-environment/isolation-technologies/3", Component: BuildEnvironment, Topic: "Isolation technologies", Versions: both,
				Text: "How frequently do you update your isolation software?"},
			{ID: "build-environment/isolation-technologies/4", Component: BuildEnvironment, Topic: "Isolation technologies", Versions: both,
				Text: "What is your process for responding to vulnerability disclosures? What about vulnerabilities in your dependencies?",
				Note: "Draft: \"platform vulnerability disclosures\"."},
			{ID: "build-environment/isolation-technologies/5", Component: BuildEnvironment, Topic: "Isolation technologies", Versions: v10Only,
				Text: "What prevents a malicious build from gaining persistence and influencing subsequent builds?"},

			{ID: "build-environment/creation-and-destruction/1", Component: BuildEnvironment, Topic: "Creation and destruction", Versions: both,
				Text: "What tools and environment are available in executors on creation? How were the elements of this environment chosen? Examples: A minimal Linux distribution with its package manager, OSX with HomeBrew",
				Note: "Draft: \"What environment is available in executors on creation?\", without examples."},
			{ID: "build-environment/creation-and-destruction/2", Component: BuildEnvironment, Topic: "Creation and destruction", Versions: both,
				Text: "How long could a compromised executor remain active in the build system?"},

			{ID: "build-environment/network-access/1", Component: BuildEnvironment, Topic: "Network access", Versions: both,
				Text: "Are executors able to call out to remote execution? If so, how do you prevent them from tampering with the control plane or other executors over the network?"},
			{ID: "build-environment/network-access/2", Component: BuildEnvironment, Topic: "Network access", Versions: both,
				Text: "Are executors able to open services on the network? If so, how do you prevent remote interference through these services?"},
		},
	},
	{
		ID:   Cache,
		Name: "Cache",
		Description: "Zero or more caches holding frequently used dependencies; build environments may have " +
			"read-only or read-write access to them.",
		Prompts: []Prompt{
			{ID: "cache/1", Component: Cache, Versions: both,
				Text: "What sorts of caches are available to build executors?"},
			{ID: "cache/2", Component: Cache, Versions: both,
				Text: "How are those caches populated?"},
			{ID: "cache/3", Component: Cache, Versions: v10Only,
				Text: "How are cache contents validated before use?",
				Note: "Replaced the draft's cache-poisoning prompt, cache/4."},
			{ID: "cache/4", Component: Cache, Versions: draftOnly,
				Text: "How do you defend against cache poisoning attacks? Example: content-addressable storage",
				Note: "Replaced in v1.0 by cache/3."},
		},
	},
	{
		ID:   OutputStorage,
		Name: "Output storage",
		Description: "Holds built artifacts and their provenance; it may be shared between build projects or " +
			"allocated separately per project.",
		Prompts: []Prompt{
			{ID: "output-storage/1", Component: OutputStorage, Versions: both,
				Text: "How do you prevent builds from reading or overwriting files that belong to another build? Example: authorization on storage"},
			{ID: "output-storage/2", Component: OutputStorage, Versions: both,
				Text: "What processing, if any, does the control plane do on output artifacts?"},
		},
	},
}
