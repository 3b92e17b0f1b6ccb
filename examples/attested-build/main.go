// Command attested-build plays every role of an attested build — offline,
// with simulated hardware — and then verifies it all the way a registry
// would, with one policy:
//
//  1. an image builder builds the build environment's disk image and signs
//     its SLSA provenance; the image producer signs its reference values
//     (bootloader, kernel, build agent, root filesystem, PCRs, TEE launch
//     measurement);
//  2. an environment boots that image on a software TPM (quote and TCG event
//     log) inside a simulated SEV-SNP or TDX guest whose report binds the
//     identity key the environment generated; the host interface signs the
//     launch attestation;
//  3. the control plane dispatches one build to that environment, which signs
//     the dispatch with its identity key;
//  4. the builder builds the artifact and signs SLSA provenance that names the
//     launch and dispatch attestations.
//
// The consumer evaluates the artifact, its attestations and evidence with
// policy.yaml and prints every check with the threats it stops, the Build
// and BuildEnv levels reached, and the VSA it issues. Run it with -tamper to
// watch an attack on one link being caught:
//
//	go run ./examples/attested-build -tamper=kernel
//	go run ./examples/attested-build -tamper=list
//
// With -out DIR it writes what it made (artifact, attestation bundle,
// evidence, filled-in policy, VSA) so that the buildtrust command can verify
// them again; it prints the command line.
//
// The keys are public test keys and the hardware is simulated (package
// internal/buildenvtest): the output proves how the checks work, nothing
// about real machines.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/scai"
)

//go:embed policy.yaml
var policyTemplate []byte

// options are the command line.
type options struct {
	tamper   string
	platform string
	out      string
}

// errRejected is the artifact being rejected: exit status 1, not an error
// of the program.
var errRejected = errors.New("artifact rejected")

func main() {
	var o options
	flag.StringVar(&o.tamper, "tamper", "", `simulate an attack on one link ("list" shows them)`)
	flag.StringVar(&o.platform, "platform", buildenvtest.PlatformSEVSNP, "TEE of the build environment: sev-snp or tdx")
	flag.StringVar(&o.out, "out", "", "write the artifact, attestations, evidence, policy and VSA to this directory")
	flag.Parse()
	os.Exit(run(os.Stdout, o))
}

// attacks are the -tamper values: the broken links of internal/buildenvtest
// and one attack on the artifact itself.
func attacks() map[string]string {
	a := buildenvtest.Tampers()
	a["artifact"] = "the consumer receives other bytes than the builder built (a swapped artifact)"
	return a
}

// run executes the scenario and returns the exit status: 0 when the
// artifact is accepted, 1 when it is rejected, 2 for bad usage or an
// internal error.
func run(w io.Writer, o options) int {
	all := attacks()
	if o.tamper == "list" {
		for _, name := range slices.Sorted(maps.Keys(all)) {
			fmt.Fprintf(w, "%-22s %s\n", name, all[name])
		}
		return 0
	}
	if _, ok := all[o.tamper]; o.tamper != "" && !ok {
		fmt.Fprintf(w, "unknown -tamper value %q (-tamper=list shows them)\n", o.tamper)
		return 2
	}
	if o.platform != buildenvtest.PlatformSEVSNP && o.platform != buildenvtest.PlatformTDX {
		fmt.Fprintf(w, "unknown -platform %q (sev-snp or tdx)\n", o.platform)
		return 2
	}
	switch err := scenario(w, o, all); {
	case err == nil:
		return 0
	case errors.Is(err, errRejected):
		return 1
	default:
		fmt.Fprintln(w, "error:", err)
		return 2
	}
}

func scenario(w io.Writer, o options, all map[string]string) error {
	ctx := context.Background()
	world, err := buildenvtest.NewWorld()
	if err != nil {
		return err
	}
	// Response: the environment also reports, from inside the TEE, the
	// digest of the provenance it signs (the response-time binding).
	bo := buildenvtest.Options{Platform: o.platform, Response: true}
	if o.tamper != "" && o.tamper != "artifact" {
		bo.Tampers = []string{o.tamper}
	}
	b, err := world.Build(bo)
	if err != nil {
		return err
	}
	describeProducers(w, world, b)
	received, digest := b.Artifact, b.ArtifactDigest
	if o.tamper != "" {
		fmt.Fprintf(w, "\nattack:  %s — %s\n", o.tamper, all[o.tamper])
	}
	if o.tamper == "artifact" {
		received = []byte("app 1.0.0 — with a backdoor\n")
		if digest, _, err = buildtrust.Digest(strings.NewReader(string(received)), buildtrust.SHA256, buildtrust.SHA512); err != nil {
			return err
		}
	}

	// --- Consumer ------------------------------------------------------------
	policyDoc := world.FillPolicy(policyTemplate)
	p, err := policy.Parse(policyDoc)
	if err != nil {
		return fmt.Errorf("policy.yaml: %w", err)
	}
	in := policy.Input{
		Name:         world.ArtifactName,
		Artifact:     digest,
		ResourceURI:  "https://registry.example.com/acme/app/" + world.ArtifactName,
		Attestations: [][]byte{b.JSONL()},
		Evidence:     b.Evidence,
		Time:         world.Now,
	}
	res, err := p.Evaluate(ctx, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nconsumer: policy %q (sha256:%s…) at %s\n\n", res.Policy.Name, short(res.Policy.Digest[buildtrust.SHA256]), world.Now.Format("2006-01-02T15:04:05Z07:00"))
	printResult(w, res)

	var vsaLine []byte
	if res.Passed() {
		env, err := p.SignVSA(ctx, res, policy.VSAOptions{VerifierVersion: map[string]string{"buildtrust": "example"}}, world.Verifier.Signer)
		if err != nil {
			return err
		}
		if vsaLine, err = json.Marshal(env); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nVSA:      signed by the verifier's key, SLSA_BUILD_LEVEL_%d and SLSA_BUILDENV_LEVEL_%d, %d inputs by digest, %d bytes\n",
			res.BuildLevel, res.BuildEnvLevel, len(res.Attestations), len(vsaLine))
	}
	if o.out != "" {
		if err := writeOut(w, o.out, world, b, received, policyDoc, vsaLine); err != nil {
			return err
		}
	}
	if !res.Passed() {
		return errRejected
	}
	return nil
}

// describeProducers tells what each role made, from the bundle itself.
func describeProducers(w io.Writer, world *buildenvtest.World, b *buildenvtest.Bundle) {
	fmt.Fprintf(w, "buildtrust attested-build: every role of the SLSA BuildEnv chain, offline, simulated %s hardware\n\n", b.Platform)
	fmt.Fprintf(w, "1 image builder   built image %s (sha256:%s…), signed its SLSA provenance\n", world.ImageName, short(b.ImageDigest[buildtrust.SHA256]))
	fmt.Fprintf(w, "  image producer  signed reference values: %s, PCRs 0–11, TEE launch measurement %x…\n",
		componentNames(), b.Measurement[:6])
	tee := "SEV-SNP report"
	if b.Platform == buildenvtest.PlatformTDX {
		tee = "TDX quote"
	}
	fmt.Fprintf(w, "2 environment     booted it: TPM quote over PCRs 0–11 with its event log, %s; both bind identity key sha256:%s…\n",
		tee, short(b.Identity.Digest[buildtrust.SHA256]))
	fmt.Fprintf(w, "  host interface  signed the launch attestation (%d bytes of evidence travel beside it)\n", evidenceBytes(b))
	fmt.Fprintf(w, "3 control plane   dispatched build %s to that environment; the environment signed the dispatch\n", world.BuildID)
	fmt.Fprintf(w, "4 builder         built %s (sha256:%s…) from %s@%s, signed SLSA v1 provenance naming the launch and dispatch\n",
		world.ArtifactName, short(b.ArtifactDigest[buildtrust.SHA256]), world.SourceRepo, world.SourceRef)
	if b.Response != nil {
		fmt.Fprintf(w, "  environment     reported the provenance's digest from inside the TEE (%s whose REPORT_DATA binds it)\n", tee)
	}
	fmt.Fprintf(w, "  publisher       uploads the artifact, a bundle of %d attestations and %d evidence files\n", len(b.Attestations), len(b.Evidence))
}

func componentNames() string {
	var names []string
	for _, c := range scai.RequiredComponents {
		names = append(names, string(c))
	}
	return strings.Join(names, ", ")
}

func evidenceBytes(b *buildenvtest.Bundle) int {
	n := 0
	for _, e := range b.Evidence {
		n += len(e)
	}
	return n
}

func short(hex string) string {
	if len(hex) > 16 {
		return hex[:16]
	}
	return hex
}

// printResult prints every check — failed ones with what was expected, what
// was found and the threats they stop — then the levels and the verdict.
func printResult(w io.Writer, res *policy.Result) {
	for _, c := range res.Checks {
		outcome := string(c.Outcome)
		if c.Advisory {
			outcome += "*"
		}
		detail := c.Actual
		if c.Outcome == buildtrust.Fail {
			detail = c.Message
			if c.Expected != "" || c.Actual != "" {
				detail = fmt.Sprintf("expected %s, got %s; %s", orNone(c.Expected), orNone(c.Actual), c.Message)
			}
		} else if c.Outcome == buildtrust.NotApplicable {
			detail = c.Message
		}
		fmt.Fprintf(w, "  %-15s %-36s %s\n", outcome, c.ID, oneLine(detail))
		if c.Outcome != buildtrust.Fail {
			continue
		}
		if len(c.Threats) > 3 { // a summary check: the IDs say enough
			ids := make([]string, len(c.Threats))
			for i, id := range c.Threats {
				ids[i] = string(id)
			}
			fmt.Fprintf(w, "  %-15s   stops %s\n", "", strings.Join(ids, " "))
			continue
		}
		for _, id := range c.Threats {
			if t, ok := id.Threat(); ok {
				fmt.Fprintf(w, "  %-15s   stops %-4s %s\n", "", string(t.ID), t.Title)
			}
		}
	}
	fmt.Fprintf(w, "\nlevels:   Build L%d (required L%d), BuildEnv L%d (required L%d)\n",
		res.BuildLevel, res.RequiredBuildLevel, res.BuildEnvLevel, res.RequiredBuildEnvLevel)
	if len(res.OpenThreats) > 0 {
		ids := make([]string, len(res.OpenThreats))
		for i, id := range res.OpenThreats {
			ids[i] = string(id)
		}
		fmt.Fprintf(w, "open:     threats no passed check mitigates: %s\n", strings.Join(ids, " "))
	}
	if slices.ContainsFunc(res.Checks, func(c policy.Check) bool { return c.Advisory }) {
		fmt.Fprintln(w, "          (* advisory: above the required level, reported but not deciding)")
	}
	if res.Passed() {
		fmt.Fprintln(w, "verdict:  PASSED")
		return
	}
	fmt.Fprintf(w, "verdict:  FAILED (%d of %d checks failed)\n", len(res.Failures()), len(res.Checks))
}

func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}

// writeOut writes the example's outputs for the buildtrust command and
// prints the command that verifies them.
func writeOut(w io.Writer, dir string, world *buildenvtest.World, b *buildenvtest.Bundle, artifact, policyDoc, vsaLine []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{
		world.ArtifactName:                   artifact,
		world.ArtifactName + ".intoto.jsonl": b.JSONL(),
		"policy.yaml":                        policyDoc,
	}
	var evidence []string
	for i, e := range b.Evidence {
		name := fmt.Sprintf("evidence-%d.bin", i+1)
		files[name] = e
		evidence = append(evidence, name)
	}
	if vsaLine != nil {
		files["vsa.intoto.jsonl"] = append(vsaLine, '\n')
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nwrote %d files to %s; verify them again with:\n\n", len(files), dir)
	cmd := []string{"go run ./cmd/buildtrust verify",
		"--policy " + filepath.Join(dir, "policy.yaml"),
		"--artifact " + filepath.Join(dir, world.ArtifactName),
		"--attestations " + filepath.Join(dir, world.ArtifactName+".intoto.jsonl")}
	for _, e := range evidence {
		cmd = append(cmd, "--evidence "+filepath.Join(dir, e))
	}
	cmd = append(cmd, "--time "+world.Now.Format("2006-01-02T15:04:05Z07:00"))
	fmt.Fprintf(w, "  %s\n", strings.Join(cmd, " \\\n      "))
	return nil
}
