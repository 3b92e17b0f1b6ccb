// Package provenance makes, signs, reads and checks SLSA Build Provenance
// v1 (https://slsa.dev/provenance/v1), and reads v0.2 and Google Cloud
// Build's v0.1 by normalizing them to v1 with the spec's migration rules.
//
// # Builder side
//
// New builds a provenance Statement from a Provenance value and the
// subjects; Sign also signs it into a DSSE envelope with any
// buildtrust.Signer:
//
//	env, err := provenance.Sign(ctx, provenance.Provenance{
//		BuildDefinition: provenance.BuildDefinition{
//			BuildType:          "https://example.com/buildtypes/make/v1",
//			ExternalParameters: map[string]any{"source": "git+https://example.com/app@refs/tags/v1.0.0"},
//		},
//		RunDetails: provenance.RunDetails{Builder: provenance.Builder{ID: "https://example.com/builder/v1"}},
//	}, subjects, signer)
//
// # Consumer side
//
// Verify checks the envelope against the keys of the trust root, then Check
// compares the provenance with the consumer's Expectations. Check runs every
// check and records each — ID, threats, expected, actual, outcome — in the
// Result, so a rejection explains itself:
//
//	provenance.predicateType   PROV-VER-4
//	provenance.subject         the artifact digest matches a subject (F3, G5)
//	provenance.builder.id      builder.id is accepted, optionally pinned to a version or semver range (F1, G1)
//	provenance.builder.signer  the (signer, builder) pair is in the trust root (PROV-9; F1, F4, G6)
//	provenance.level           the Build level the trust root grants (PROV-VER-5)
//	provenance.buildType       buildType is accepted (D3)
//	provenance.configPath      the build configuration (workflow path, entry point) (D3)
//	provenance.source.repo     canonical source repository; forks differ (D1, D5)
//	provenance.source.ref      branch, tag, or semver versioned tag (D2)
//	provenance.source.commit   source commit (D2)
//	provenance.parameters      external parameters: exact values, allowed sets, ignore list; unknown ones rejected (D4, E3, PROV-VER-6)
//	provenance.dependencies    resolvedDependencies pinned by URI (or prefix) and digest; required ones present (DEP-2, DEP-3, PROV-VER-7)
//	provenance.time            startedOn ≤ finishedOn, not in the future, optionally within a window
//
// Where a fact lives depends on the buildType. A Profile says so with JSON
// Pointers; the built-in profiles cover GitHub Actions workflows, the
// slsa-github-generator builders (v0.2 and BYOB), and Google Cloud Build (v1
// and v0.1). Any other builder is verified by passing its Profile in
// Options: no registry, no fork. An unknown buildType never passes a source
// check: it fails with ErrNotLocated.
//
// Signers are identities (Identity): a trusted key for DSSE, or what another
// verifier — such as the sigstore module's certificate identities — reports.
// A TrustedBuilder names the SignerRules allowed to sign for a builder.
//
// # Formats
//
// DSSE envelopes and JSON Lines bundles (see the buildtrust package), and the
// output of `gcloud artifacts docker images describe --show-provenance`
// (ParseGCloud, VerifyGCloudEntry), whose older keys sign the raw payload
// instead of the DSSE encoding and must be listed as such.
//
// # Model
//
// Provenance is a plain Go type, decoded strictly (duplicate keys and
// case-folded names rejected, unknown fields ignored per PROV-2), with
// parameters kept as exact JSON values; ToProto and FromProto convert to the
// in-toto Go binding (github.com/in-toto/attestation/go/predicates/provenance/v1),
// whose protobuf Struct turns numbers into float64 and whose descriptor
// validation is looser than the spec (REQUIREMENTS.md GAP-1, P-JSON-5).
// Everything New produces passes the binding's Validate.
//
// # Security considerations
//
// Check trusts the Attestation it is given: build it from a verifier. Only
// signed bytes are read; gcloud's unsigned summary fields are ignored.
// Build L3 guarantees are a property of the builder, granted by your trust
// root, not something provenance can prove about itself (PROV-VER-10).
// External parameters are the tenant's input: every one must be expected or
// explicitly ignored (PROV-VER-6).
package provenance
