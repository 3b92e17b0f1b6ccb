package provenance

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/buildtrust/buildtrust"
)

// Profile tells Check where provenance of some buildTypes keeps the facts a
// consumer compares: source repository, ref, commit and build configuration
// path. Each is a list of JSON Pointers (RFC 6901) into the normalized v1
// provenance; the first that resolves to a non-empty string wins. Profiles
// are plain data: pass your own in Options.Profiles to verify any builder,
// without forking this package.
//
// A source value such as "git+https://github.com/org/repo@refs/tags/v1"
// also yields the ref. When no Commit pointer resolves, the commit is the
// gitCommit (or sha1) digest of the resolved dependency whose repository is
// the source repository.
type Profile struct {
	// BuildTypes are the buildType URIs this profile describes (exact).
	BuildTypes []string
	Source     []string
	// Ref points at a full git ref ("refs/tags/v1"); Branch and Tag at bare
	// names, for builders that record those instead.
	Ref        []string
	Branch     []string
	Tag        []string
	Commit     []string
	ConfigPath []string
	// Covers are the externalParameters (JSON Pointers relative to
	// externalParameters, e.g. "/workflow") that the checks above consume,
	// so they are not reported as unknown parameters.
	Covers []string
}

// Pointers used by the built-in profiles.
const (
	ptrExternal = "/buildDefinition/externalParameters"
	ptrInternal = "/buildDefinition/internalParameters"
)

// BuiltinProfiles returns the profiles this package knows, a fresh copy
// each call. Options.Profiles are consulted before these.
func BuiltinProfiles() []Profile {
	out := slices.Clone(builtinProfiles)
	for i := range out {
		p := &out[i]
		p.BuildTypes, p.Source, p.Ref, p.Branch, p.Tag = slices.Clone(p.BuildTypes), slices.Clone(p.Source), slices.Clone(p.Ref), slices.Clone(p.Branch), slices.Clone(p.Tag)
		p.Commit, p.ConfigPath, p.Covers = slices.Clone(p.Commit), slices.Clone(p.ConfigPath), slices.Clone(p.Covers)
	}
	return out
}

var builtinProfiles = []Profile{
	{ // GitHub Actions workflows (GitHub artifact attestations, BYOB v1).
		BuildTypes: []string{"https://actions.github.io/buildtypes/workflow/v1", "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"},
		Source:     []string{ptrExternal + "/workflow/repository"},
		Ref:        []string{ptrExternal + "/workflow/ref"},
		ConfigPath: []string{ptrExternal + "/workflow/path"},
		Covers:     []string{"/workflow"},
	},
	{ // slsa-github-generator delegator (BYOB): the checkout is the first resolved dependency.
		BuildTypes: []string{"https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0"},
		Source:     []string{"/buildDefinition/resolvedDependencies/0/uri"},
	},
	{ // slsa-github-generator SLSA v0.2 provenance, normalized: configSource became "source" and "entryPoint".
		BuildTypes: []string{
			"https://github.com/slsa-framework/slsa-github-generator/generic@v1",
			"https://github.com/slsa-framework/slsa-github-generator/go@v1",
			"https://github.com/slsa-framework/slsa-github-generator/container@v1",
			"https://github.com/slsa-framework/slsa-github-generator@v1",
			"https://github.com/slsa-framework/slsa-github-generator-go@v1",
		},
		Source:     []string{ptrExternal + "/source"},
		Ref:        []string{ptrInternal + "/github_ref"},
		Commit:     []string{ptrInternal + "/github_sha1"},
		ConfigPath: []string{ptrExternal + "/entryPoint"},
		Covers:     []string{"/source", "/entryPoint"},
	},
	{ // Google Cloud Build, SLSA v1.
		BuildTypes: []string{"https://cloud.google.com/build/gcb-buildtypes/google-worker/v1"},
		Source:     []string{ptrExternal + "/buildConfigSource/repository"},
		Ref:        []string{ptrExternal + "/buildConfigSource/ref"},
		ConfigPath: []string{ptrExternal + "/buildConfigSource/path"},
		Covers:     []string{"/buildConfigSource"},
	},
	{ // Google Cloud Build, SLSA v0.1 normalized: the recipe's material is the source.
		BuildTypes: []string{
			"https://cloudbuild.googleapis.com/CloudBuildYaml@v0.1",
			"https://cloudbuild.googleapis.com/CloudBuildSteps@v0.1",
			"https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.2",
			"https://cloudbuild.googleapis.com/GoogleHostedWorker@v0.3",
		},
		Source:     []string{ptrExternal + "/source", "/buildDefinition/resolvedDependencies/0/uri"},
		Branch:     []string{ptrExternal + "/substitutions/BRANCH_NAME"},
		Tag:        []string{ptrExternal + "/substitutions/TAG_NAME"},
		Commit:     []string{ptrExternal + "/substitutions/COMMIT_SHA"},
		ConfigPath: []string{ptrExternal + "/entryPoint"},
		Covers:     []string{"/source", "/entryPoint"},
	},
}

// genericV02 applies to any normalized v0.2 provenance with no profile of
// its own: the spec's migration puts the config source in "source" and
// "entryPoint" (PROV-14).
var genericV02 = Profile{
	Source:     []string{ptrExternal + "/source"},
	ConfigPath: []string{ptrExternal + "/entryPoint"},
	Covers:     []string{"/source", "/entryPoint"},
}

// profileFor picks the profile for p: the caller's first, then the
// built-ins, then, for converted v0.2/v0.1 input, the generic migration
// layout. ok is false when nothing describes the buildType.
func profileFor(p *Parsed, extra []Profile) (Profile, bool) {
	for _, set := range [][]Profile{extra, builtinProfiles} {
		for _, pr := range set {
			if slices.Contains(pr.BuildTypes, p.BuildDefinition.BuildType) {
				return pr, true
			}
		}
	}
	if p.Legacy != nil {
		return genericV02, true
	}
	return Profile{}, false
}

// firstString resolves pointers in order and returns the first non-empty
// string value.
func (p *Provenance) firstString(pointers []string) string {
	for _, ptr := range pointers {
		if v, ok := p.lookup(ptr); ok {
			if s, ok := v.(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}

// lookup resolves a JSON Pointer against the provenance: the typed fields
// by their JSON names, the parameter objects generically.
func (p *Provenance) lookup(pointer string) (any, bool) {
	tokens, ok := splitPointer(pointer)
	if !ok {
		return nil, false
	}
	next := func() string {
		if len(tokens) == 0 {
			return ""
		}
		t := tokens[0]
		tokens = tokens[1:]
		return t
	}
	switch next() {
	case "buildDefinition":
		bd := &p.BuildDefinition
		switch next() {
		case "buildType":
			return leaf(bd.BuildType, tokens)
		case "externalParameters":
			return walk(bd.ExternalParameters, tokens)
		case "internalParameters":
			return walk(bd.InternalParameters, tokens)
		case "resolvedDependencies":
			return descriptorField(bd.ResolvedDependencies, tokens)
		}
	case "runDetails":
		switch next() {
		case "builder":
			if next() == "id" {
				return leaf(p.RunDetails.Builder.ID, tokens)
			}
		case "metadata":
			if p.RunDetails.Metadata != nil && next() == "invocationId" {
				return leaf(p.RunDetails.Metadata.InvocationID, tokens)
			}
		case "byproducts":
			return descriptorField(p.RunDetails.Byproducts, tokens)
		}
	}
	return nil, false
}

func leaf(v string, rest []string) (any, bool) { return v, len(rest) == 0 }

func descriptorField(rds []buildtrust.ResourceDescriptor, tokens []string) (any, bool) {
	if len(tokens) < 2 {
		return nil, false
	}
	i, err := strconv.Atoi(tokens[0])
	if err != nil || i < 0 || i >= len(rds) {
		return nil, false
	}
	rd := &rds[i]
	switch tokens[1] {
	case "uri":
		return leaf(rd.URI, tokens[2:])
	case "name":
		return leaf(rd.Name, tokens[2:])
	case "digest":
		if len(tokens) == 3 {
			v, ok := rd.Digest[tokens[2]]
			return v, ok
		}
	}
	return nil, false
}

// walk follows tokens through decoded JSON (objects and arrays).
func walk(v any, tokens []string) (any, bool) {
	for _, t := range tokens {
		switch node := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = node[t]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(node) {
				return nil, false
			}
			v = node[i]
		default:
			return nil, false
		}
	}
	return v, v != nil
}

// splitPointer parses an RFC 6901 JSON Pointer into unescaped tokens.
func splitPointer(p string) ([]string, bool) {
	if p == "" {
		return nil, true
	}
	if p[0] != '/' {
		return nil, false
	}
	tokens := strings.Split(p[1:], "/")
	for i, t := range tokens {
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return tokens, true
}

// canonicalValue renders a decoded JSON value in a comparable form: JSON
// with sorted keys, numbers as written.
func canonicalValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "<unencodable>"
	}
	return string(b)
}
