package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/vsa"
)

const vsaUsage = `VSA tools.

	buildtrust vsa verify -vsa FILE -key FILE -verifier-id ID -resource-uri URI (-digest ALG:HEX | -artifact FILE) [flags]

verify checks a Verification Summary Attestation as a consumer, following the
SLSA procedure (VSA-VER-1…8).`

const vsaVerifyUsage = `Check a VSA as a consumer (SLSA VSA-VER-1…8), in order: signed by a -key
trusted for -verifier-id; a VSA v1; verifier.id is that verifier; a subject
matches the artifact; resourceUri is exactly -resource-uri (the URI you
requested, not the one you received); verificationResult PASSED; every -level
verified; and, when given, the policy and freshness.

Nothing is trusted by default: without -key, -verifier-id, -resource-uri or
the artifact digest the command refuses to run. -level defaults to
SLSA_BUILD_LEVEL_3 (a level implies the lower levels of its track); BuildEnv
levels are written SLSA_BUILDENV_LEVEL_n. -time only matters with -max-age.

Exit status: 0 verified, 1 rejected, 2 unusable input.`

func runVSA(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "verify" {
		return runVSAVerify(args[1:], stdout, stderr)
	}
	fs := newFlags("vsa", "buildtrust vsa <subcommand>", vsaUsage, stdout, stderr)
	if code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}
	return usageError(stderr, "vsa", "missing subcommand: buildtrust vsa verify ...")
}

// vsaResultJSON is the -format json output of vsa verify.
type vsaResultJSON struct {
	Verified  bool               `json:"verified"`
	Verifier  string             `json:"verifier,omitempty"`
	Signers   []string           `json:"signers,omitempty"`
	Predicate *vsa.Predicate     `json:"predicate,omitempty"`
	Checks    []buildtrust.Check `json:"checks,omitempty"`
	Error     string             `json:"error,omitempty"`
	Check     string             `json:"check,omitempty"`
	Threats   []threat.ID        `json:"threats,omitempty"`
}

func runVSAVerify(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("vsa verify", "buildtrust vsa verify -vsa FILE -key FILE... -verifier-id ID -resource-uri URI (-digest ALG:HEX | -artifact FILE) [flags]", vsaVerifyUsage, stdout, stderr)
	vsaFile := fs.String("vsa", "", "VSA envelope `FILE` (DSSE JSON)")
	var keys, digests, levels listFlag
	fs.Var(&keys, "key", "public key `FILE` (PEM or DER) of the verifier (repeatable)")
	verifierID := fs.String("verifier-id", "", "trusted verifier `ID` (verifier.id) the keys sign for")
	resourceURI := fs.String("resource-uri", "", "`URI` you requested the artifact under")
	fs.Var(&digests, "digest", "artifact digest `ALG:HEX` (repeatable)")
	artifact := fs.String("artifact", "", "artifact `FILE` to hash, instead of -digest")
	fs.Var(&levels, "level", "required `LEVEL`, e.g. SLSA_BUILD_LEVEL_3 or SLSA_BUILDENV_LEVEL_2 (repeatable; default SLSA_BUILD_LEVEL_3)")
	policyURI := fs.String("policy-uri", "", "expected policy.uri (default: not checked)")
	var policyDigests listFlag
	fs.Var(&policyDigests, "policy-digest", "expected policy digest `ALG:HEX` (default: not checked)")
	maxAge := fs.Duration("max-age", 0, "oldest accepted timeVerified, as a Go `duration` from -time, e.g. 24h (default: not checked)")
	threshold := fs.Int("threshold", 1, "distinct verifier keys that must have signed")
	at := fs.String("time", "", "verification time for -max-age, `RFC3339` (default: now)")
	format := formatFlag("text")
	fs.Var(&format, "format", "output `format`: text or json")
	if code, ok := fs.parse(args, 0, 0); !ok {
		return code
	}

	const cmd = "vsa verify"
	switch {
	case *vsaFile == "":
		return usageError(stderr, cmd, "-vsa is required")
	case len(keys) == 0:
		return usageError(stderr, cmd, "no -key: a VSA is only as good as the verifier that signed it, and no key is trusted by default")
	case *verifierID == "":
		return usageError(stderr, cmd, "-verifier-id is required: keys are trusted for one verifier ID (VSA-VER-4)")
	case *resourceURI == "":
		return usageError(stderr, cmd, "-resource-uri is required: the URI you requested the artifact under (VSA-VER-5)")
	case *artifact == "" && len(digests) == 0:
		return usageError(stderr, cmd, "give the artifact: -digest ALG:HEX or -artifact FILE (VSA-VER-2)")
	case *artifact != "" && len(digests) > 0:
		return usageError(stderr, cmd, "-artifact and -digest are exclusive")
	case *threshold < 1:
		return usageError(stderr, cmd, "-threshold must be at least 1")
	case *maxAge < 0:
		return usageError(stderr, cmd, "-max-age must not be negative")
	}
	if len(levels) == 0 {
		levels = listFlag{"SLSA_BUILD_LEVEL_3"}
	}
	for _, l := range levels {
		if err := vsa.ValidateSlsaResult(l); err != nil {
			return usageError(stderr, cmd, "-level %q: %v", l, err)
		}
	}
	opts := vsa.Options{
		Verifiers:      map[string][]*buildtrust.PublicKey{},
		Threshold:      *threshold,
		ResourceURI:    *resourceURI,
		RequiredLevels: levels,
		PolicyURI:      *policyURI,
		MaxAge:         *maxAge,
	}
	var err error
	if opts.Now, err = parseTime(*at); err != nil {
		return usageError(stderr, cmd, "%v", err)
	}
	for _, k := range keys {
		pk, err := loadPublicKey(k)
		if err != nil {
			return usageError(stderr, cmd, "-key: %v", err)
		}
		opts.Verifiers[*verifierID] = append(opts.Verifiers[*verifierID], pk)
	}
	if *artifact != "" {
		opts.Subject, err = fileDigests(*artifact)
	} else {
		opts.Subject, err = parseDigests(digests)
	}
	if err != nil {
		return usageError(stderr, cmd, "%v", err)
	}
	if len(policyDigests) > 0 {
		if opts.PolicyDigest, err = parseDigests(policyDigests); err != nil {
			return usageError(stderr, cmd, "-policy-%v", err)
		}
	}
	env, err := readFile(*vsaFile, limits.MaxEnvelopeBytes, "VSA")
	if err != nil {
		return usageError(stderr, cmd, "-vsa: %v", err)
	}

	v, err := vsa.Verify(env, opts)
	if errors.Is(err, vsa.ErrNoTrustedVerifiers) || errors.Is(err, vsa.ErrMissingExpectation) {
		// The flags are checked above; reaching this is a gap between them
		// and the vsa package's requirements, still the caller's input.
		return usageError(stderr, cmd, "%v", err)
	}
	if err != nil {
		out := vsaResultJSON{Error: err.Error()}
		var ce *buildtrust.CheckError
		if errors.As(err, &ce) {
			out.Check, out.Threats = ce.Check, ce.Threats
		}
		if format == "json" {
			if code := writeJSON(stdout, stderr, out); code != exitOK {
				return code
			}
		} else {
			fmt.Fprintf(stdout, "REJECTED  %s\n", *vsaFile)
			if out.Check != "" {
				fmt.Fprintf(stdout, "  FAIL %s", out.Check)
				if len(out.Threats) > 0 {
					fmt.Fprintf(stdout, "  [threats %s]", threatList(out.Threats))
				}
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "  error: %s\n", sanitize(err.Error()))
		}
		return exitRejected
	}

	signers := make([]string, len(v.Signers))
	for i, s := range v.Signers {
		signers[i] = s.ID()
	}
	if format == "json" {
		return writeJSON(stdout, stderr, vsaResultJSON{Verified: true, Verifier: v.Verifier, Signers: signers, Predicate: v.Predicate, Checks: v.Checks})
	}
	p := v.Predicate
	fmt.Fprintf(stdout, "VERIFIED  %s\n", *vsaFile)
	fmt.Fprintf(stdout, "  verifier:       %s\n", v.Verifier)
	fmt.Fprintf(stdout, "  signed by:      %s\n", strings.Join(signers, ", "))
	fmt.Fprintf(stdout, "  resourceUri:    %s\n", sanitize(p.ResourceURI))
	fmt.Fprintf(stdout, "  result:         %s\n", p.VerificationResult)
	fmt.Fprintf(stdout, "  verifiedLevels: %s\n", sanitize(strings.Join(p.VerifiedLevels, ", ")))
	if !p.TimeVerified.IsZero() {
		fmt.Fprintf(stdout, "  timeVerified:   %s\n", p.TimeVerified.Format("2006-01-02T15:04:05Z07:00"))
	}
	if p.Policy.URI != "" {
		fmt.Fprintf(stdout, "  policy:         %s %s\n", sanitize(p.Policy.URI), formatDigests(p.Policy.Digest))
	}
	fmt.Fprintln(stdout, "  checks:")
	for _, c := range v.Checks {
		fmt.Fprintf(stdout, "    %-14s %s\n", c.Outcome, c.ID)
	}
	return exitOK
}
