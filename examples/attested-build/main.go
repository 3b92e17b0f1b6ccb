// Command attested-build plays both sides of an attested build, offline and
// without hardware: a builder that hashes its artifact, describes it in an
// in-toto Statement, signs it into a DSSE envelope and publishes a JSON Lines
// bundle; and a consumer that verifies the bundle with the key it trusts,
// binds the statement to the artifact it received, and prints every check
// with the threats it stops.
//
// Run it with -tamper=NAME to watch an attack being caught:
//
//	go run ./examples/attested-build -tamper=artifact
//
// This version exercises the in-toto layer (buildtrust root package) and the
// threat catalog. The provenance checks and the Build Environment chain —
// image provenance, measured boot (TPM), SEV-SNP/TDX evidence, dispatch —
// join as their packages land; until then the output marks them as not
// checked, never as passed.
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/threat"
)

// attacks maps each -tamper value to what it does.
var attacks = map[string]string{
	"artifact":   "swap the artifact after the build (the consumer receives other bytes)",
	"provenance": "edit the signed statement in transit (claim another artifact digest)",
	"signer":     "re-sign a forged statement with a key the consumer does not trust",
	"replay":     "serve a genuine statement that belongs to a different artifact",
}

func main() {
	names := make([]string, 0, len(attacks))
	for n := range attacks {
		names = append(names, n)
	}
	sort.Strings(names)
	tamper := flag.String("tamper", "", "simulate an attack: "+strings.Join(names, ", "))
	flag.Parse()
	os.Exit(run(os.Stdout, *tamper))
}

// run executes the scenario and returns the process exit code: 0 when the
// artifact is accepted, 1 when it is rejected, 2 for bad usage or an
// internal error.
func run(w io.Writer, tamper string) int {
	if _, ok := attacks[tamper]; tamper != "" && !ok {
		fmt.Fprintf(w, "unknown -tamper value %q\n", tamper)
		return 2
	}
	if err := scenario(w, tamper); err != nil {
		if errors.Is(err, errRejected) {
			return 1
		}
		fmt.Fprintln(w, "error:", err)
		return 2
	}
	return 0
}

var errRejected = errors.New("artifact rejected")

func scenario(w io.Writer, tamper string) error {
	ctx := context.Background()
	fmt.Fprintln(w, "buildtrust attested-build (in-toto layer; provenance and BuildEnv checks not implemented yet)")
	if tamper != "" {
		fmt.Fprintf(w, "attack: %s — %s\n", tamper, attacks[tamper])
	}

	// --- Builder -----------------------------------------------------------
	_, builderKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	signer, err := buildtrust.NewSigner(builderKey, buildtrust.KeyOptions{Name: "example-builder"})
	if err != nil {
		return err
	}
	artifact := []byte("app 1.0.0 — the bytes the build produced\n")
	statement, err := describe("app-1.0.0.tar.gz", artifact)
	if err != nil {
		return err
	}
	env, err := buildtrust.SignStatement(ctx, statement, signer)
	if err != nil {
		return err
	}
	// A second, unrelated attestation from a third party the consumer does not
	// trust: a bundle may carry anything, and unverifiable lines are ignored.
	_, scannerKey, _ := ed25519.GenerateKey(rand.Reader)
	scanner, _ := buildtrust.NewSigner(scannerKey, buildtrust.KeyOptions{})
	scan, err := buildtrust.NewStatement("https://in-toto.io/attestation/vulns/v0.2", nil, statement.Subject...)
	if err != nil {
		return err
	}
	scanEnv, err := buildtrust.SignStatement(ctx, scan, scanner)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "builder:  signed %s (sha256:%s…) as %s\n", statement.Subject[0].Name,
		statement.Subject[0].Digest[buildtrust.SHA256][:16], statement.PredicateType)

	// --- Attacker ------------------------------------------------------------
	received := artifact
	switch tamper {
	case "artifact":
		received = []byte("app 1.0.0 — with a backdoor\n")
	case "provenance":
		evil, _ := describe("app-1.0.0.tar.gz", []byte("backdoored bytes"))
		env.Payload, _ = evil.Marshal() // the signature still covers the old payload
		received = []byte("backdoored bytes")
	case "signer":
		_, attackerKey, _ := ed25519.GenerateKey(rand.Reader)
		attacker, _ := buildtrust.NewSigner(attackerKey, buildtrust.KeyOptions{KeyIDs: []string{signer.PublicKey().ID()}})
		evil, _ := describe("app-1.0.0.tar.gz", []byte("backdoored bytes"))
		env, _ = buildtrust.SignStatement(ctx, evil, attacker)
		received = []byte("backdoored bytes")
	case "replay":
		other, _ := describe("app-0.9.0.tar.gz", []byte("an older release with a known vulnerability\n"))
		env, _ = buildtrust.SignStatement(ctx, other, signer) // genuine, but for another artifact
	}
	bundle := jsonLines(env, scanEnv)
	fmt.Fprintf(w, "bundle:   %d lines, %d bytes (app-1.0.0.tar.gz.intoto.jsonl)\n\n", 2, len(bundle))

	// --- Consumer --------------------------------------------------------------
	trusted := []*buildtrust.PublicKey{signer.PublicKey()}
	checks, accepted := verify(bundle, received, trusted)
	fmt.Fprintln(w, "consumer checks:")
	for _, c := range checks {
		printCheck(w, c)
	}
	if !accepted {
		fmt.Fprintln(w, "\nverdict:  REJECTED")
		return errRejected
	}
	fmt.Fprintln(w, "\nverdict:  ACCEPTED (in-toto layer only: signature and artifact binding)")
	return nil
}

// describe hashes an artifact and describes it in a Statement whose predicate
// is shaped like SLSA provenance. The predicate is not checked yet: the
// provenance package that will check it is not implemented.
func describe(name string, artifact []byte) (*buildtrust.Statement, error) {
	digests, _, err := buildtrust.Digest(bytes.NewReader(artifact), buildtrust.SHA256, buildtrust.SHA512)
	if err != nil {
		return nil, err
	}
	predicate := map[string]any{
		"buildDefinition": map[string]any{
			"buildType":          "https://example.com/buildtypes/make/v1",
			"externalParameters": map[string]any{"source": "git+https://example.com/app@refs/tags/v1.0.0"},
		},
		"runDetails": map[string]any{"builder": map[string]any{"id": "https://example.com/builders/isolated/v1"}},
	}
	return buildtrust.NewStatement("https://slsa.dev/provenance/v1", predicate,
		buildtrust.ResourceDescriptor{Name: name, Digest: digests})
}

func jsonLines(envs ...*buildtrust.Envelope) []byte {
	var buf bytes.Buffer
	for _, e := range envs {
		line, _ := json.Marshal(e)
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// verify is the consumer: every bundle line on its own, then the binding of
// a verified statement to the received artifact. It reports each check.
func verify(bundleJSON, artifact []byte, trusted []*buildtrust.PublicKey) ([]buildtrust.Check, bool) {
	var checks []buildtrust.Check
	bundle, err := buildtrust.ParseBundle(bundleJSON)
	if err != nil {
		return []buildtrust.Check{{ID: "bundle.parse", Outcome: buildtrust.Fail, Message: err.Error()}}, false
	}
	res := bundle.Verify(buildtrust.VerifyOptions{Keys: trusted})
	for _, e := range res.Verified {
		checks = append(checks, buildtrust.Check{
			ID: buildtrust.CheckEnvelopeSignature, Threats: []threat.ID{threat.F4, threat.G6}, Outcome: buildtrust.Pass,
			Actual:  fmt.Sprintf("line %d signed by %s", e.Line, e.Signers[0].Name()),
			Message: e.Statement.PredicateType,
		})
	}
	// Lines that do not verify are ignored (ITE-BUN-1): a bundle is not
	// authenticated as a whole, so they can neither help nor hurt.
	for _, le := range res.Ignored {
		reason := le.Err.Error()
		switch {
		case errors.Is(le.Err, buildtrust.ErrSignature):
			reason = "no valid signature from a trusted key"
		case errors.Is(le.Err, buildtrust.ErrMalformed):
			reason = "not a well-formed in-toto envelope"
		}
		c := buildtrust.Check{ID: "bundle.line", Outcome: "IGNORED", Message: fmt.Sprintf("line %d: %s", le.Line, reason)}
		var ce *buildtrust.CheckError
		if errors.As(le.Err, &ce) {
			c.ID, c.Threats = ce.Check, ce.Threats
		}
		checks = append(checks, c)
	}

	digests, _, _ := buildtrust.Digest(bytes.NewReader(artifact), buildtrust.SHA256, buildtrust.SHA512)
	subject := buildtrust.Check{ID: buildtrust.CheckStatementSubject, Threats: []threat.ID{threat.F3, threat.G5},
		Expected: "sha256:" + digests[buildtrust.SHA256][:16] + "…", Outcome: buildtrust.Fail,
		Message: "no verified provenance names the received artifact"}
	for _, e := range res.Verified {
		if e.Statement.PredicateType != "https://slsa.dev/provenance/v1" {
			continue
		}
		if subjects, err := e.MatchSubjects(digests, buildtrust.DigestPolicy{}); err == nil {
			subject.Outcome, subject.Actual, subject.Message = buildtrust.Pass, subjects[0].Name, ""
			break
		}
	}
	checks = append(checks, subject,
		buildtrust.Check{ID: "provenance.*", Outcome: buildtrust.NotApplicable, Message: "builder, source and parameter checks arrive with the provenance package"},
		buildtrust.Check{ID: "buildenv.*", Outcome: buildtrust.NotApplicable, Message: "image → boot → hardware → dispatch chain not implemented yet"},
	)
	// Without a verified, matching statement the artifact has no provenance
	// at all as far as the consumer can tell (THREAT-F2).
	if subject.Outcome != buildtrust.Pass {
		checks = append(checks, buildtrust.Check{ID: "provenance.present", Threats: []threat.ID{threat.F2}, Outcome: buildtrust.Fail,
			Message: "artifact has no verified provenance"})
	}
	return checks, subject.Outcome == buildtrust.Pass
}

func printCheck(w io.Writer, c buildtrust.Check) {
	detail := c.Actual
	if c.Message != "" {
		if detail != "" {
			detail += " — "
		}
		detail += c.Message
	}
	fmt.Fprintf(w, "  %-14s %-22s %s\n", c.Outcome, c.ID, detail)
	for _, id := range c.Threats {
		if t, ok := id.Threat(); ok {
			fmt.Fprintf(w, "  %-14s   guards %-4s %s\n", "", string(t.ID), t.Title)
		}
	}
}
