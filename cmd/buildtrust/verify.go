package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/threat"
)

const verifyUsage = `Evaluate an artifact against a policy: verify every attestation and piece of
evidence, apply the policy's expectations, and print the verdict, the Build
and BuildEnv levels reached and every failed check with the threats it stops.

The artifact is given as a file (hashed with SHA-256 and SHA-512) or as one or
more digests. The policy selects its expectations by -name (default: the base
name of -artifact) or -purl. Attestation files are DSSE envelopes, JSON Lines
bundles of envelopes, or gcloud --show-provenance output (its signed
envelopes are used). Evidence files are the blobs attestations reference by
digest: event logs, SEV-SNP reports and certificate tables, TDX quotes and
collateral. Repeat -attestations and -evidence for each file.

-time defaults to the current time. Certificates, collateral and freshness
are judged at that time, so the same inputs may pass today and fail later;
give -time to reproduce a decision.

With -vsa-out and -vsa-key, the result is also written as a signed SLSA VSA
(a FAILED result gives a FAILED VSA); the policy needs a vsa section and
-resource-uri is required.

Exit status: 0 PASSED, 1 FAILED, 2 unusable input (flags, unreadable files,
invalid policy, VSA not written).`

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("verify", "buildtrust verify -policy FILE (-artifact FILE | -digest ALG:HEX) -attestations FILE... [flags]", verifyUsage, stdout, stderr)
	policyFile := fs.String("policy", "", "policy `FILE` (YAML or JSON)")
	artifact := fs.String("artifact", "", "artifact `FILE` to hash")
	var digests, atts, evidence listFlag
	fs.Var(&digests, "digest", "artifact digest `ALG:HEX` instead of -artifact (repeatable)")
	name := fs.String("name", "", "artifact `NAME` the policy selects on (default: base name of -artifact)")
	purl := fs.String("purl", "", "artifact package `URL` the policy selects on")
	resourceURI := fs.String("resource-uri", "", "`URI` the artifact was requested under (checked against input VSAs, written to the output VSA)")
	fs.Var(&atts, "attestations", "attestation `FILE`: DSSE envelope or JSON Lines bundle (repeatable)")
	fs.Var(&evidence, "evidence", "evidence `FILE` that attestations reference by digest (repeatable)")
	at := fs.String("time", "", "evaluation time, `RFC3339` (default: now)")
	format := formatFlag("text")
	fs.Var(&format, "format", "output `format`: text or json (the policy Result)")
	verbose := fs.Bool("v", false, "list every check, not only the failed ones")
	vsaOut := fs.String("vsa-out", "", "write the signed VSA to `FILE`")
	vsaKey := fs.String("vsa-key", "", "PEM private key `FILE` that signs the VSA (PKCS #8, EC or RSA; not encrypted)")
	if code, ok := fs.parse(args, 0, 0); !ok {
		if code == exitUsage && len(fs.args) > 0 {
			fmt.Fprintln(stderr, "(repeat -attestations and -evidence for each file)")
		}
		return code
	}

	switch {
	case *policyFile == "":
		return usageError(stderr, "verify", "-policy is required")
	case *artifact == "" && len(digests) == 0:
		return usageError(stderr, "verify", "give the artifact: -artifact FILE or -digest ALG:HEX")
	case *artifact != "" && len(digests) > 0:
		return usageError(stderr, "verify", "-artifact and -digest are exclusive")
	case len(atts) == 0:
		return usageError(stderr, "verify", "no attestations: give -attestations FILE (repeatable)")
	case (*vsaOut == "") != (*vsaKey == ""):
		return usageError(stderr, "verify", "-vsa-out and -vsa-key go together")
	case *vsaOut != "" && *resourceURI == "":
		return usageError(stderr, "verify", "-vsa-out needs -resource-uri: a VSA names the resource it is about (VSA-5)")
	case len(atts)+len(evidence) > limits.MaxPolicyInputs:
		// Checked before reading: the policy package refuses more anyway.
		return usageError(stderr, "verify", "more than %d attestation and evidence files", limits.MaxPolicyInputs)
	}
	when, err := parseTime(*at)
	if err != nil {
		return usageError(stderr, "verify", "%v", err)
	}

	pol, code := loadPolicy(*policyFile, stderr)
	if pol == nil {
		return code
	}
	var signer *buildtrust.KeySigner
	if *vsaOut != "" {
		// Checked before evaluating, so a misconfiguration costs nothing.
		doc := pol.Document()
		if doc.VSA == nil {
			return usageError(stderr, "verify", "-vsa-out: the policy has no vsa section (vsa: {verifier: ID}) saying which verifier issues VSAs")
		}
		if doc.URI == "" && doc.VSA.PolicyURI == "" {
			return usageError(stderr, "verify", "-vsa-out: the policy has no uri (nor vsa.policyUri) for the VSA to name it by")
		}
		if signer, err = loadSigner(*vsaKey); err != nil {
			return usageError(stderr, "verify", "-vsa-key: %v", err)
		}
	}

	in := policy.Input{Name: *name, PURL: *purl, ResourceURI: *resourceURI, Time: when}
	if *artifact != "" {
		if in.Artifact, err = fileDigests(*artifact); err != nil {
			return usageError(stderr, "verify", "-artifact: %v", err)
		}
		if in.Name == "" && in.PURL == "" {
			in.Name = filepath.Base(*artifact)
		}
	} else if in.Artifact, err = parseDigests(digests); err != nil {
		return usageError(stderr, "verify", "-digest: %v", err)
	}
	// One budget for all files together (limits.MaxPolicyInputBytes, which
	// Evaluate enforces too), so that many files at their own limits are
	// refused before they are all in memory.
	budget := limits.MaxPolicyInputBytes
	spend := func(n int) bool { budget -= n; return budget >= 0 }
	for _, f := range atts {
		b, err := readFile(f, limits.MaxBundleBytes, "attestation file")
		if err == nil && !spend(len(b)) {
			err = fmt.Errorf("%s: attestations and evidence exceed %d bytes together", f, limits.MaxPolicyInputBytes)
		}
		if err != nil {
			return usageError(stderr, "verify", "-attestations: %v", err)
		}
		envs, err := gcloudEnvelopes(b)
		if err != nil {
			return usageError(stderr, "verify", "-attestations: %s: %v", f, err)
		}
		if envs != nil {
			in.Attestations = append(in.Attestations, envs...)
			continue
		}
		in.Attestations = append(in.Attestations, b)
	}
	for _, f := range evidence {
		b, err := readFile(f, limits.MaxEvidenceBytes, "evidence file")
		if err == nil && !spend(len(b)) {
			err = fmt.Errorf("%s: attestations and evidence exceed %d bytes together", f, limits.MaxPolicyInputBytes)
		}
		if err != nil {
			return usageError(stderr, "verify", "-evidence: %v", err)
		}
		in.Evidence = append(in.Evidence, b)
	}

	ctx := context.Background()
	res, err := pol.Evaluate(ctx, in)
	if err != nil {
		return usageError(stderr, "verify", "%v", err)
	}

	// The VSA first: if it cannot be written, nothing on stdout claims a
	// verdict next to exit status 2.
	if *vsaOut != "" {
		env, err := pol.SignVSA(ctx, res, policy.VSAOptions{VerifierVersion: map[string]string{"buildtrust": moduleVersion()}}, signer)
		if err == nil {
			err = writeJSONFile(*vsaOut, env)
		}
		if err != nil {
			fmt.Fprintf(stderr, "buildtrust verify: VSA not written: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "buildtrust verify: %s VSA written to %s\n", res.Verdict, *vsaOut)
	}
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "buildtrust verify: %v\n", err)
			return exitUsage
		}
	} else {
		writeResult(stdout, res, in, *verbose)
	}
	if !res.Passed() {
		return exitRejected
	}
	return exitOK
}

// gcloudEnvelopes returns the provenance envelopes of a gcloud
// --show-provenance document, which is how Google Cloud Build hands out its
// provenance, so that it can be given to verify as it is; nil for any other
// input, which goes to the policy unchanged. Only the signed envelopes are
// kept (provenance.ParseGCloud), so nothing unsigned is trusted; the VSA's
// inputAttestations then name the envelopes, not the gcloud document.
func gcloudEnvelopes(data []byte) ([][]byte, error) {
	if !bytes.Contains(data, []byte(`"provenance_summary"`)) {
		return nil, nil // cheap test first: most attestation files are not gcloud's
	}
	var probe map[string]json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) && json.Unmarshal(data, &probe) == nil && probe["provenance_summary"] != nil {
		entries, err := provenance.ParseGCloud(data)
		if err != nil {
			return nil, err
		}
		out := make([][]byte, 0, len(entries))
		for _, e := range entries {
			b, err := json.Marshal(e.Envelope)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
		return out, nil
	}
	return nil, nil
}

// loadPolicy reads and compiles a policy, printing every problem with its
// line and column. It returns nil and the exit code on failure.
func loadPolicy(path string, stderr io.Writer) (*policy.Policy, int) {
	data, err := readFile(path, limits.MaxPolicyBytes, "policy")
	if err != nil {
		fmt.Fprintf(stderr, "buildtrust: %v\n", err)
		return nil, exitUsage
	}
	pol, err := policy.Parse(data)
	if err != nil {
		writeProblems(stderr, path, err)
		return nil, exitUsage
	}
	return pol, exitOK
}

// writeProblems prints a policy error as one "FILE:LINE:COL: path: message"
// line per problem, the form editors and CI annotations understand.
func writeProblems(w io.Writer, path string, err error) {
	var ps policy.Problems
	if !errors.As(err, &ps) {
		fmt.Fprintf(w, "%s: %v\n", path, err)
		return
	}
	fmt.Fprintf(w, "%s: invalid policy, %d problem(s):\n", path, len(ps))
	for _, p := range ps {
		fmt.Fprintf(w, "%s:%s\n", path, p.String())
	}
}

func writeJSONFile(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	// A trailing newline keeps the file a valid one-line JSON Lines bundle.
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// writeResult prints a Result for a terminal: the verdict and levels first,
// then what failed and why, then counts (every check with verbose).
func writeResult(w io.Writer, res *policy.Result, in policy.Input, verbose bool) {
	subject := res.Artifact.Name
	if subject == "" {
		subject = res.Artifact.PURL
	}
	if subject == "" {
		subject = formatDigests(in.Artifact)
	}
	fmt.Fprintf(w, "%s  %s\n", res.Verdict, sanitize(subject))
	polName := res.Policy.Name
	if polName == "" {
		polName = res.Policy.URI
	}
	if polName != "" {
		fmt.Fprintf(w, "  policy:          %s\n", polName)
	}
	fmt.Fprintf(w, "  Build level:     %d (required %d)\n", res.BuildLevel, res.RequiredBuildLevel)
	fmt.Fprintf(w, "  BuildEnv level:  %d (required %d)\n", res.BuildEnvLevel, res.RequiredBuildEnvLevel)
	fmt.Fprintf(w, "  time:            %s\n", res.Time.Format("2006-01-02T15:04:05Z07:00"))

	var failed, advisory []policy.Check
	counts := map[buildtrust.Outcome]int{}
	for _, c := range res.Checks {
		counts[c.Outcome]++
		if c.Outcome == buildtrust.Fail {
			if c.Advisory {
				advisory = append(advisory, c)
			} else {
				failed = append(failed, c)
			}
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "\nFailed checks (%d):\n", len(failed))
		for _, c := range failed {
			writeCheck(w, c)
		}
	}
	if len(advisory) > 0 {
		fmt.Fprintf(w, "\nAdvisory checks failed (%d) — above the required BuildEnv level: they limit the level reached, not the verdict:\n", len(advisory))
		for _, c := range advisory {
			writeCheck(w, c)
		}
	}
	if verbose {
		fmt.Fprintf(w, "\nAll checks (%d):\n", len(res.Checks))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, c := range res.Checks {
			detail := c.Message
			if c.Actual != "" {
				detail = strings.TrimSpace(c.Actual + "  " + c.Message)
			}
			adv := ""
			if c.Advisory {
				adv = " (advisory)"
			}
			fmt.Fprintf(tw, "  %s\t%s%s\t%s\t%s\n", c.Outcome, c.ID, adv, threatList(c.Threats), sanitize(oneLine(detail, 100)))
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nChecks: %d passed, %d failed, %d not applicable", counts[buildtrust.Pass], counts[buildtrust.Fail], counts[buildtrust.NotApplicable])
	if !verbose {
		fmt.Fprint(w, " (-v lists every check)")
	}
	fmt.Fprintln(w)
	if len(res.OpenThreats) > 0 {
		fmt.Fprintf(w, "Open threats (%d, not mitigated by any passed check; \"buildtrust threats -v\" describes them):\n", len(res.OpenThreats))
		for ids := res.OpenThreats; len(ids) > 0; {
			n := min(len(ids), 12)
			fmt.Fprintf(w, "  %s\n", threatList(ids[:n]))
			ids = ids[n:]
		}
	}
	if len(res.Ignored) > 0 {
		fmt.Fprintf(w, "Ignored inputs (%d):\n", len(res.Ignored))
		for _, ig := range res.Ignored {
			fmt.Fprintf(w, "  %s: %s\n", ig.Source, sanitize(oneLine(ig.Reason, 160)))
		}
	}
}

func writeCheck(w io.Writer, c policy.Check) {
	fmt.Fprintf(w, "  FAIL %s", c.ID)
	if len(c.Threats) > 0 {
		fmt.Fprintf(w, "  [threats %s]", threatList(c.Threats))
	}
	fmt.Fprintln(w)
	// Actual values and messages quote the attestations, which anybody
	// can write: sanitize keeps them from driving the terminal.
	if c.Expected != "" {
		fmt.Fprintf(w, "       expected: %s\n", sanitize(c.Expected))
	}
	if c.Actual != "" {
		fmt.Fprintf(w, "       actual:   %s\n", sanitize(c.Actual))
	}
	if c.Message != "" {
		fmt.Fprintf(w, "       message:  %s\n", sanitize(c.Message))
	}
}

func threatList(ids []threat.ID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, " ")
}

// oneLine flattens s to one line of at most n runes, for table cells.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
