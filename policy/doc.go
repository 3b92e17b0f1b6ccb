// Package policy is what builders, registries and custom verifiers embed:
// one policy document, one evaluation. Hand it an artifact's digest, the
// attestations and hardware evidence that came with it, and a policy; get
// back a decision that explains itself check by check — the Build level and
// BuildEnv level reached, every check with its threats, the threats left
// open, the inputs relied on — and, from it, a signed VSA.
//
// # Where to start
//
//	pol, err := policy.Parse(policyYAML) // every problem, with line:column
//	res, err := pol.Evaluate(ctx, policy.Input{
//		Name: "app-1.0.0.tar.gz", Artifact: digest,
//		Attestations: [][]byte{bundleJSONL}, Evidence: blobs, Time: now,
//	})
//	if !res.Passed() { return res.Err() } // errors.Is(err, threat.E10) …
//	env, err := pol.SignVSA(ctx, res, policy.VSAOptions{}, signer)
//
// A Policy is compiled once (keys parsed, roots loaded, CEL type-checked,
// TEE verifiers built with their caches) and is safe for concurrent use.
// It also keeps up to 64 image
// attestations parsed (image provenance and reference values that verified
// under its image keys), keyed by the SHA-256 of their bytes: every build
// on an image presents them again. Only parsing is saved; signatures are
// verified on every evaluation, and the Result is the same either way.
//
// # The document
//
// apiVersion buildtrust.dev/policy/v1, in YAML or JSON, decoded strictly:
// unknown or duplicate keys, wrong types, YAML anchors, aliases and custom
// tags are errors with their line and column, and Parse reports every
// problem at once, including the semantic ones (an unknown key name, a
// builder not in the trust root, a BuildEnv level without the roots it
// needs). Schema returns its JSON Schema for editors. Sections:
//
//   - trust: named keys; builders (ID → keys, maximum Build level, optional
//     builder assessment requirement); VSA verifiers; image builders; image
//     producers (reference values); launch signers; assessors; TPM AK keys
//     or AK roots; AMD SEV-SNP and Intel TDX roots.
//   - artifacts: selected by name or purl pattern, the first match applies;
//     provenance expectations (builders, source repository, branch, tag or
//     versioned tag, commit, config path, buildType, externalParameters
//     allowed values and ignore list, resolvedDependencies pinned by
//     digest), the required Build and BuildEnv
//     levels, the environment, CEL rules, VSA acceptance, maximum age, and
//     whether the response-time binding is required.
//   - environments: accepted images, image VSAs from trusted verifiers in
//     place of image provenance (acceptImageVSAs, BENV-L1-2),
//     reference-value components, TPM PCRs, SEV-SNP and TDX expectations
//     (TCB minimums, product, VMPL, host data, RTMRs, accepted TCB
//     statuses).
//   - rules: CEL expressions (cel.dev/cel-go) over verified claims only,
//     each naming the threats it addresses. Variables: artifact, provenance
//     (the verified, normalized SLSA v1 predicate), buildLevel,
//     buildEnvLevel, environment (image, platform, measurement, tcb,
//     tcbStatus, debug, product, pcrs). Cost, nesting and size are bounded.
//   - vsa: the verifier ID to write into the VSAs the policy emits.
//
// # What Evaluate checks
//
// Every attestation file (a DSSE envelope or a JSON Lines bundle) is split
// into envelopes, and each is verified on its own with the keys of the role
// it could play; unverifiable inputs are ignored with a reason
// (ITE-BUN-2). Then, as named checks:
//
//	policy.artifact            an artifact entry selects the artifact
//	provenance.*               the provenance package's checks (PROV-VER-1…6)
//	policy.provenance          some provenance passed them (F2, G3)
//	policy.assessment          builder assessment before trusting L3 (F1, G1)
//	vsa.*, policy.vsa          a trusted input VSA (VSA-VER-1…8; G2, G4, G6)
//	policy.buildLevel          the Build level reached ≥ required
//	buildenv.launch            L1  launch attestation, trusted signer or self-signed (E7, E9)
//	buildenv.provenance.environment  L1  the provenance names this environment (E7)
//	buildenv.image(.accepted)  L1  image provenance from a trusted image builder at Build L2+, or an accepted image VSA (E8)
//	buildenv.image.level       L2  the image was built at Build L3 (BENV-L2-1)
//	buildenv.refvalues         L2  complete reference values from a trusted producer (BENV-L2-2; E9)
//	buildenv.boot, tpm.*       L2  TPM quote by a trusted AK, bound to the identity, log replays (E9)
//	buildenv.boot.component.*  L2  each component measured with its reference digest
//	buildenv.boot.pcr.*        L2  each referenced PCR as quoted
//	buildenv.dispatch(.buildId) L2 dispatch signed by the identity, for this launch and build (E7)
//	buildenv.hardware, tee.*   L3  SEV-SNP/TDX evidence to the vendor root, debug off, REPORT_DATA bound (E10)
//	buildenv.hardware.measurement L3 launch measurement as the image producer signed (E9, E10)
//	buildenv.response          a TEE report whose REPORT_DATA covers the provenance (E10, E1)
//	policy.buildEnvLevel       the BuildEnv level reached ≥ required
//	policy.maxAge, policy.rule.*
//
// The BuildEnv level is the highest level whose checks, and those of every
// level below, passed, bounded by the platform's Build level (BENV-L1-3,
// BENV-L2-5). Checks of levels above the required one still run and are
// reported as advisory: they decide the level reached, not the verdict.
//
// # Binding convention
//
// Evidence binds through REPORT_DATA = tee.Bind(purpose, payload): the
// launch binding's payload is the SHA-256 of the environment identity key
// (a TPM quote carries the first 32 bytes as qualifying data); the
// response-time binding's (tee.PurposeProvenance) is the SHA-256 of the
// provenance statement's exact bytes, which makes the provenance itself
// hardware-attested.
//
// # Security considerations
//
// Nothing is trusted by default: missing roots fail Compile for the levels
// that need them, and missing evidence fails the link that needs it.
// Evaluation is monotonic (ITE-PR-4): candidates are tried independently and
// the one that passes wins, so adding attestations never turns PASSED into
// FAILED — and removing one can never help an attacker. Statements are
// parsed before verification only to route each envelope to the keys that
// could have signed it; nothing from them is used unless a signature over
// the same bytes verified. The image provenance check constrains the image
// builder and level, not the image's source: pin images by digest in
// environment.images for more. A component check passes when a verified
// boot event carries the component's reference digest; the PCR reference
// values constrain everything else measured into those PCRs.
//
// # Not yet
//
// Fetching evidence by downloadLocation (callers supply the bytes),
// following resolvedDependencies recursively to their own attestations
// (PROV-VER-7; they can be pinned by digest), and TDX v5 quotes (see
// tee/tdx).
package policy
