package sigstore

import (
	"strings"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
)

// Delegator workflows of slsa-github-generator's BYOB framework. Their
// certificate identity is the delegator, while builder.id names the
// tenant's builder (TRW), so builder.id cannot equal the SAN; slsa-verifier
// takes the builder from the provenance for these (PEERS.md §5).
var delegators = []string{
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml",
	"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_lowperms-generic_slsa3.yml",
}

// claims are the facts a GitHub Actions provenance states that a Fulcio
// certificate also attests.
type claims struct {
	builderID, repo, ref, commit, trigger, workflow, run, runner string
}

// CrossCheck compares what a SLSA provenance statement claims with what the
// Fulcio certificate attests — the fields a tenant could forge in the
// provenance (slsa-verifier's verifyProvenanceMatchesCertificate; PEERS.md
// §5): builder ID (must equal the SAN, except for BYOB delegators), source
// repository, ref, commit, workflow (BuildConfigURI), trigger, run
// (RunInvocationURI) and runner environment. A field absent on either side
// is NOT_APPLICABLE (older certificates lack the v2 extensions; a claim the
// provenance does not make is left to provenance.Check, which fails on it
// when the consumer expects it). Statements that are not SLSA provenance, or
// identities not issued for GitHub Actions, get no cross-checks.
//
// It returns the checks and the first mismatch as a *buildtrust.CheckError
// wrapping ErrForgedField and the check's threats.
func CrossCheck(st *buildtrust.Statement, id CertIdentity) ([]buildtrust.Check, error) {
	if st == nil || id.Issuer != GitHubActionsIssuer {
		return nil, nil
	}
	switch st.PredicateType {
	case provenance.PredicateTypeV1, provenance.PredicateTypeV02, provenance.PredicateTypeV01:
	default:
		return nil, nil
	}
	var checks []buildtrust.Check
	p, err := provenance.Parse(st)
	if err != nil {
		return checks, &buildtrust.CheckError{Check: CheckStatement, Threats: Threats(CheckStatement), Err: err}
	}
	c := extractClaims(p)
	var first error
	cmp := func(check, cert, claim string, norm func(string) string) {
		switch {
		case cert == "":
			notApplicable(&checks, check, "the certificate does not attest this field")
		case claim == "":
			notApplicable(&checks, check, "the provenance does not claim this field")
		case norm(cert) == norm(claim):
			pass(&checks, check, cert, claim)
		default:
			err := fail(&checks, check, ErrForgedField, cert, claim, "provenance claims %q, certificate attests %q", claim, cert)
			if first == nil {
				first = err
			}
		}
	}
	same := func(s string) string { return s }
	// Builder: a reusable-workflow builder ID must be exactly the SAN.
	switch {
	case !strings.HasPrefix(c.builderID, "https://github.com/") || !strings.Contains(c.builderID, "/.github/workflows/"):
		notApplicable(&checks, CheckForgeableBuilder, "builder.id is not a reusable workflow")
	case isDelegator(id.SAN):
		notApplicable(&checks, CheckForgeableBuilder, "BYOB: the certificate names the delegator, builder.id the tenant's builder")
	default:
		cmp(CheckForgeableBuilder, id.SAN, c.builderID, same)
	}
	cmp(CheckForgeableSource, id.SourceRepositoryURI, c.repo, normRepo)
	cmp(CheckForgeableRef, id.SourceRepositoryRef, c.ref, same)
	cmp(CheckForgeableCommit, id.SourceRepositoryDigest, c.commit, strings.ToLower)
	cmp(CheckForgeableWorkflow, id.BuildConfigURI, c.workflow, normRepo)
	cmp(CheckForgeableTrigger, id.BuildTrigger, c.trigger, same)
	cmp(CheckForgeableRun, id.RunInvocationURI, c.run, same)
	cmp(CheckForgeableRunner, id.RunnerEnvironment, c.runner, same)
	return checks, first
}

func isDelegator(san string) bool {
	w := workflowPath(san)
	for _, d := range delegators {
		if w == d {
			return true
		}
	}
	return false
}

// normRepo reduces repository and workflow URIs to "github.com/owner/repo…":
// no "git+" or scheme, no ".git" suffix on the repository.
func normRepo(s string) string {
	s = strings.TrimPrefix(s, "git+")
	s = strings.TrimPrefix(s, "https://")
	s = strings.TrimPrefix(s, "http://")
	if i := strings.Index(s, ".git@"); i >= 0 {
		s = s[:i] + s[i+4:]
	}
	return strings.TrimSuffix(s, ".git")
}

// splitSource splits "git+https://github.com/o/r@refs/heads/main" into the
// repository and the ref.
func splitSource(s string) (repo, ref string) {
	if i := strings.LastIndexByte(s, '@'); i >= 0 && strings.HasPrefix(s[i+1:], "refs/") {
		return s[:i], s[i+1:]
	}
	return s, ""
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, k := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = o[k]
	}
	s, _ := v.(string)
	return s
}

func runURI(repo, id, attempt string) string {
	if repo == "" || id == "" || attempt == "" {
		return ""
	}
	return "https://" + normRepo(repo) + "/actions/runs/" + id + "/attempts/" + attempt
}

// extractClaims reads the GitHub facts from the three layouts in use:
// slsa-github-generator v0.2 (normalized: invocation.environment became
// internalParameters), BYOB (GITHUB_* internal parameters) and the GitHub
// Actions workflow buildType (GitHub artifact attestations).
func extractClaims(p *provenance.Parsed) claims {
	ext, in := p.BuildDefinition.ExternalParameters, p.BuildDefinition.InternalParameters
	c := claims{builderID: p.RunDetails.Builder.ID}
	switch {
	case in["GITHUB_REPOSITORY"] != nil || in["GITHUB_REF"] != nil: // BYOB delegator
		c.repo = "github.com/" + str(in, "GITHUB_REPOSITORY")
		if str(in, "GITHUB_REPOSITORY") == "" {
			c.repo = ""
		}
		c.ref, c.commit, c.trigger = str(in, "GITHUB_REF"), str(in, "GITHUB_SHA"), str(in, "GITHUB_EVENT_NAME")
		if w := str(in, "GITHUB_WORKFLOW_REF"); w != "" {
			c.workflow = "github.com/" + w
		}
		c.run = runURI(c.repo, str(in, "GITHUB_RUN_ID"), str(in, "GITHUB_RUN_ATTEMPT"))
	case ext["workflow"] != nil: // GitHub Actions workflow buildType
		c.repo, c.ref = str(ext, "workflow", "repository"), str(ext, "workflow", "ref")
		if path := str(ext, "workflow", "path"); c.repo != "" && path != "" && c.ref != "" {
			c.workflow = c.repo + "/" + path + "@" + c.ref
		}
		c.trigger, c.runner = str(in, "github", "event_name"), str(in, "github", "runner_environment")
		if p.RunDetails.Metadata != nil {
			c.run = p.RunDetails.Metadata.InvocationID
		}
		for _, rd := range p.BuildDefinition.ResolvedDependencies {
			if repo, _ := splitSource(rd.URI); repo != "" && normRepo(repo) == normRepo(c.repo) {
				c.commit = rd.Digest["gitCommit"]
				break
			}
		}
	default: // slsa-github-generator v0.2, normalized
		var srcRef string
		c.repo, srcRef = splitSource(str(ext, "source"))
		c.ref = str(in, "github_ref")
		if c.ref == "" {
			c.ref = srcRef
		}
		c.commit, c.trigger = str(in, "github_sha1"), str(in, "github_event_name")
		if ep := str(ext, "entryPoint"); c.repo != "" && ep != "" && c.ref != "" {
			c.workflow = c.repo + "/" + ep + "@" + c.ref
		}
		c.run = runURI(c.repo, str(in, "github_run_id"), str(in, "github_run_attempt"))
	}
	return c
}
