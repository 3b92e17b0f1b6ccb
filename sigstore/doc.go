// Package sigstore verifies Sigstore-signed in-toto attestations offline:
// Sigstore bundles v0.1–v0.3 with DSSE content (GitHub artifact
// attestations, slsa-github-generator v2.x and BYOB .build.slsa, npm
// provenance), slsa-github-generator's older DSSE envelopes that carry a
// Fulcio certificate, npm registry attestation responses (provenance plus
// the registry-key-signed publish attestation) and JSON Lines files of
// bundles, against a trusted-root JSON you supply. Nothing is fetched: no
// TUF, no Rekor search, no registry keys.
//
// It is a nested module (github.com/buildtrust/buildtrust/sigstore) because
// sigstore-go v1.3.0, which does the cryptography, adds ~350 modules
// (DEPENDENCIES.md §3.8, C5); the core module does not import it.
//
//	tr, _ := sigstore.ParseTrustedRoot(trustedRootJSON)
//	v, _ := sigstore.NewVerifier(tr, sigstore.Options{})
//	res, err := v.Verify(bundleJSON)
//	// Sigstore identities as signers in the provenance trust root:
//	rule := sigstore.IdentityRule{Issuer: sigstore.GitHubActionsIssuer, SANRegexp: `https://github\.com/org/builder/\.github/workflows/b\.yml@refs/tags/v.*`}.MustCompile()
//	provenance.Check(res.Attestation(), exp, provenance.Options{TrustRoot: []provenance.TrustedBuilder{{ID: builderID, Signers: []provenance.SignerRule{rule}, MaxLevel: 3}}})
//
// # Checks
//
//	sigstore.bundle, sigstore.payloadType   the input parses; DSSE with an in-toto payload type
//	sigstore.tlog                           Rekor entry (inclusion proof or SET) verified and matching the envelope (F4, G6)
//	sigstore.timestamp                      a verified signing time: the tlog integrated time or an RFC 3161 timestamp
//	sigstore.certificate.chain              the leaf chains to a trusted Fulcio CA at that time (never the current time)
//	sigstore.certificate.sct                the embedded SCT verifies against a trusted CT log
//	sigstore.signature                      the DSSE signature verifies with the certificate's key
//	sigstore.statement                      the signed payload is a valid in-toto Statement (buildtrust.ParseStatement)
//	sigstore.identity.*                     Matcher: issuer, SAN (exact or anchored regexp), Fulcio extensions (F4, G6; D1/D2; F1)
//	sigstore.forgeable.*                    CrossCheck: provenance claims equal the certificate's (builder, source,
//	                                        ref, commit, workflow, trigger, run, runner) — slsa-verifier's forgeable fields
//	sigstore.npm.format                     VerifyNPM: one provenance + one publish attestation, statement types consistent
//	sigstore.npm.publish                    the publish attestation is signed by a caller-supplied npm registry key
//	sigstore.npm.subject                    both name the same pkg:npm/<name>@<version> with the same sha512
//	sigstore.npm.name, .version, .digest    the expected package name, version and tarball SHA-512
//
// A failure is a *buildtrust.CheckError: errors.Is matches both the
// sentinel (ErrTransparencyLog, ErrSCT, ErrForgedField, …) and the threats.
//
// # Bare DSSE envelopes (older slsa-github-generator)
//
// Envelopes with a Fulcio certificate but no bundle were logged in Rekor,
// and slsa-verifier finds that entry online. Offline, the transparency-log
// part cannot be checked: VerifyEnvelope reports sigstore.tlog as FAIL
// (ErrNoTransparencyLog) by default, and as NOT_APPLICABLE — never PASS —
// with Options.InsecureAllowNoTransparencyLog. In that mode the
// certificate is checked at its own NotBefore (no verified signing time
// exists), its SCT and the signature are checked; the envelope may have been
// signed after the certificate expired with a leaked key, which only the log
// would reveal. Envelopes whose signature carries no certificate (builder
// v0.0.2/v1.0.0, BYOB envelopes) cannot be verified offline at all.
//
// # npm attestations and JSON Lines
//
// VerifyNPM takes the npm registry's attestations response
// ({"attestations":[{"predicateType":…,"bundle":{…}}]}): the SLSA
// provenance bundle is verified as VerifyBundle does, and the publish
// attestation (https://github.com/npm/attestation/tree/main/specs/publish/v0.1),
// a bundle signed by the npm registry's key with no certificate, with the
// RegistryKeys you supply (none: ErrNoRegistryKey). The bundle's key ID is a
// hint only — npm's "SHA256:…" IDs are not the SHA-256 of the key — so every
// supplied key is tried, the hinted ones first; the Rekor entry must name the
// key, and its integrated time must lie in the key's validity. Both
// statements must name the same pkg:npm purl with the same sha512 digest,
// which must equal the tarball's (NPMOptions.SHA512) unless skipped.
//
// ParseJSONLines / VerifyJSONLines take a JSON Lines file of bundles, one per
// line (`gh attestation download`), with the core's buildtrust.Bundle
// semantics: bounded, each line verified on its own, order-independent, and
// lines that do not verify listed as buildtrust.LineError with the reason.
//
// # What it does not check
//
// The artifact: match Result.Statement's subjects with
// buildtrust.Statement.MatchSubjects or provenance.Check. Identity policy
// is not applied by Verify: give a Matcher to provenance.TrustedBuilder, or
// call Matcher.Check. Message-signature bundles (no DSSE) are not
// supported; key-signed bundles only as npm's publish attestation, through
// VerifyNPM (Verify accepts certificate-signed bundles only). npm registry
// keys are not fetched (no TUF, no registry request): pass them in. Bundles
// must carry a Rekor entry (private GitHub attestations with only RFC 3161
// timestamps are rejected). Certificate revocation is not a Sigstore
// concept and is not checked.
//
// # Security considerations
//
// Trust comes only from the trusted root you pass: keep it current (it is
// normally distributed by TUF, which this package does not run). The
// forgeable-field cross-checks run inside Verify for SLSA provenance
// signed by GitHub Actions certificates, because a tenant's workflow can
// write any claim into provenance that only the certificate attests. A
// SAN regexp is anchored at both ends; prefer exact SANs or tag-pinned
// patterns. Inputs are bounded (limits.go) before any parsing.
package sigstore
