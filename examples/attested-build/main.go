// Command attested-build plays both sides of an attested build, offline and
// without hardware: a builder that hashes its artifact, records SLSA
// provenance, signs it into a DSSE envelope and publishes a JSON Lines
// bundle; and a consumer that verifies the bundle with the key it trusts and
// checks the provenance against its expectations, printing every check with
// the threats it stops.
//
// Run it with -tamper=NAME to watch an attack being caught:
//
//	go run ./examples/attested-build -tamper=fork
//
// This version exercises the in-toto layer, SLSA provenance and the threat
// catalog. The Build Environment chain — image provenance, measured boot
// (TPM), SEV-SNP/TDX evidence, dispatch — joins as the policy package lands;
// until then the output marks it as not checked, never as passed.
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
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/threat"
)

// attacks maps each -tamper value to what it does.
var attacks = map[string]string{
	"artifact":   "swap the artifact after the build (the consumer receives other bytes)",
	"provenance": "edit the signed provenance in transit (claim another artifact digest)",
	"signer":     "re-sign forged provenance with a key the consumer does not trust",
	"replay":     "serve genuine provenance that belongs to a different artifact",
	"fork":       "build the artifact on the trusted builder, but from a fork of the source",
	"parameters": "build with an extra, unexpected build parameter (a backdoor flag)",
}

const (
	builderID = "https://builders.example.com/isolated/v1"
	buildType = "https://builders.example.com/buildtypes/make/v1"
	source    = "git+https://git.example.com/acme/app@refs/tags/v1.0.0"
)

// profile tells the consumer where this builder records its source: the
// provenance package knows common builders, and any other is one Profile away.
var profile = provenance.Profile{
	BuildTypes: []string{buildType},
	Source:     []string{"/buildDefinition/externalParameters/source"},
	ConfigPath: []string{"/buildDefinition/externalParameters/makefile"},
	Covers:     []string{"/source", "/makefile"},
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
	fmt.Fprintln(w, "buildtrust attested-build (in-toto layer and SLSA provenance; BuildEnv chain not implemented yet)")
	if tamper != "" {
		fmt.Fprintf(w, "attack: %s — %s\n", tamper, attacks[tamper])
	}
	started := time.Now().UTC().Add(-2 * time.Minute).Truncate(time.Second)

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
	build := func(name string, art []byte, src string, params map[string]any, s buildtrust.Signer) (*buildtrust.Envelope, error) {
		digests, _, err := buildtrust.Digest(bytes.NewReader(art), buildtrust.SHA256, buildtrust.SHA512)
		if err != nil {
			return nil, err
		}
		ext := map[string]any{"source": src, "makefile": "Makefile"}
		for k, v := range params {
			ext[k] = v
		}
		finished := started.Add(90 * time.Second)
		return provenance.Sign(ctx, provenance.Provenance{
			BuildDefinition: provenance.BuildDefinition{BuildType: buildType, ExternalParameters: ext},
			RunDetails: provenance.RunDetails{
				Builder:  provenance.Builder{ID: builderID},
				Metadata: &provenance.BuildMetadata{InvocationID: "build-7f3a", StartedOn: &started, FinishedOn: &finished},
			},
		}, []buildtrust.ResourceDescriptor{{Name: name, Digest: digests}}, s)
	}
	env, err := build("app-1.0.0.tar.gz", artifact, source, nil, signer)
	if err != nil {
		return err
	}
	// An unrelated attestation from a third party the consumer does not
	// trust: a bundle may carry anything, and unverifiable lines are ignored.
	_, scannerKey, _ := ed25519.GenerateKey(rand.Reader)
	scanner, _ := buildtrust.NewSigner(scannerKey, buildtrust.KeyOptions{})
	digest, _, _ := buildtrust.Digest(bytes.NewReader(artifact))
	scan, err := buildtrust.NewStatement("https://in-toto.io/attestation/vulns/v0.2", nil, buildtrust.ResourceDescriptor{Digest: digest})
	if err != nil {
		return err
	}
	scanEnv, err := buildtrust.SignStatement(ctx, scan, scanner)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "builder:  built app-1.0.0.tar.gz (sha256:%s…) from %s, signed SLSA v1 provenance\n", digest[buildtrust.SHA256][:16], source)

	// --- Attacker ------------------------------------------------------------
	received := artifact
	evil := []byte("app 1.0.0 — with a backdoor\n")
	switch tamper {
	case "artifact":
		received = evil
	case "provenance":
		forged, _ := build("app-1.0.0.tar.gz", evil, source, nil, signer)
		env.Payload = forged.Payload // the signature still covers the genuine payload
		received = evil
	case "signer":
		_, attackerKey, _ := ed25519.GenerateKey(rand.Reader)
		attacker, _ := buildtrust.NewSigner(attackerKey, buildtrust.KeyOptions{KeyIDs: []string{signer.PublicKey().ID()}})
		env, _ = build("app-1.0.0.tar.gz", evil, source, nil, attacker)
		received = evil
	case "replay":
		env, _ = build("app-0.9.0.tar.gz", []byte("an older release with a known vulnerability\n"), source, nil, signer)
	case "fork":
		env, _ = build("app-1.0.0.tar.gz", evil, "git+https://git.example.com/mallory/app@refs/tags/v1.0.0", nil, signer)
		received = evil
	case "parameters":
		env, _ = build("app-1.0.0.tar.gz", evil, source, map[string]any{"cflags": "-DBACKDOOR"}, signer)
		received = evil
	}
	bundle := jsonLines(env, scanEnv)
	fmt.Fprintf(w, "bundle:   2 lines, %d bytes (app-1.0.0.tar.gz.intoto.jsonl)\n\n", len(bundle))

	// --- Consumer --------------------------------------------------------------
	checks, accepted := verify(bundle, received, signer.PublicKey())
	fmt.Fprintln(w, "consumer checks:")
	for _, c := range checks {
		printCheck(w, c)
	}
	if !accepted {
		fmt.Fprintln(w, "\nverdict:  REJECTED")
		return errRejected
	}
	fmt.Fprintln(w, "\nverdict:  ACCEPTED at SLSA Build L3 (BuildEnv level not evaluated yet)")
	return nil
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

// verify is the consumer: every bundle line on its own, then the provenance
// against the expectations for app. It reports each check.
func verify(bundleJSON, artifact []byte, builderKey *buildtrust.PublicKey) ([]buildtrust.Check, bool) {
	bundle, err := buildtrust.ParseBundle(bundleJSON)
	if err != nil {
		return []buildtrust.Check{{ID: "bundle.parse", Outcome: buildtrust.Fail, Message: err.Error()}}, false
	}
	res := bundle.Verify(buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{builderKey}})

	// Lines that do not verify are ignored (ITE-BUN-1): a bundle is not
	// authenticated as a whole, so they can neither help nor hurt.
	var checks []buildtrust.Check
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
	exp := provenance.Expectations{
		Artifact:         digests,
		BuilderIDs:       []string{builderID},
		SourceRepository: "git.example.com/acme/app",
		SourceTag:        "v1.0.0",
		ConfigPath:       "Makefile",
		BuildTypes:       []string{buildType},
		MinBuildLevel:    3,
	}
	opts := provenance.Options{
		TrustRoot: []provenance.TrustedBuilder{{ID: builderID, Signers: []provenance.SignerRule{provenance.SignedBy(builderKey)}, MaxLevel: 3}},
		Profiles:  []provenance.Profile{profile},
	}
	var best *provenance.Result
	for _, e := range res.Verified {
		if e.Statement.PredicateType != provenance.PredicateTypeV1 {
			continue
		}
		r, err := provenance.Check(provenance.FromVerified(e.VerifiedStatement), exp, opts)
		if r != nil && (best == nil || err == nil) {
			best = r
		}
	}
	accepted := best != nil && best.Passed()
	if best != nil {
		checks = append(checks, best.Checks...)
	} else {
		// No verified provenance at all (THREAT-F2).
		checks = append(checks, buildtrust.Check{ID: "provenance.present", Threats: []threat.ID{threat.F2}, Outcome: buildtrust.Fail,
			Message: "the artifact has no verified provenance"})
	}
	checks = append(checks, buildtrust.Check{ID: "buildenv.*", Outcome: buildtrust.NotApplicable,
		Message: "image → boot → hardware → dispatch chain not implemented yet"})
	return checks, accepted
}

func printCheck(w io.Writer, c buildtrust.Check) {
	detail := c.Actual
	if c.Outcome == buildtrust.Fail && c.Expected != "" {
		detail = fmt.Sprintf("expected %s, got %s", c.Expected, c.Actual)
	}
	if c.Message != "" && c.Outcome != buildtrust.Pass {
		if detail != "" {
			detail += " — "
		}
		detail += c.Message
	}
	fmt.Fprintf(w, "  %-14s %-26s %s\n", c.Outcome, c.ID, detail)
	if c.Outcome != buildtrust.Fail {
		return
	}
	for _, id := range c.Threats {
		if t, ok := id.Threat(); ok {
			fmt.Fprintf(w, "  %-14s   stops %-4s %s\n", "", string(t.ID), t.Title)
		}
	}
}
