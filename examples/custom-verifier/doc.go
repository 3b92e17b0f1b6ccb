// Command custom-verifier verifies artifacts of a builder the buildtrust
// library has never heard of — Acme's hermetic CI,
// https://ci.acme.example/builders/hermetic/v2, with its own buildType and
// its own layout of externalParameters — using only the library's public API
// and a policy document, offline.
//
//	go run ./examples/custom-verifier [-build genuine|network|toolchain|cache]
//
// builder.go plays the CI: it builds an artifact and signs SLSA Provenance v1
// for it with an Ed25519 key (provenance.Sign). verifier.go is the verifier:
// policy.yaml, embedded, is all it knows about the builder —
//
//   - trust: the builder's public key, and the Build level its provenance
//     earns (L3);
//   - profiles: where this buildType records the source repository, ref,
//     commit and build recipe, as JSON Pointers. This is provenance.Profile
//     written in the policy document (Document.Profiles); without it, the
//     source checks fail closed, since the library cannot know where an
//     unknown builder keeps them;
//   - artifacts: the expectations (builder, repository, v2 tag, recipe,
//     target) and every other external parameter refused;
//   - rules: CEL over the verified provenance, each naming the threats it
//     addresses — hermetic (the sandbox had no network; DEP-3),
//     pinned-toolchain (the approved toolchain by URI and digest among
//     resolvedDependencies; DEP-2), isolated-cache (no shared build cache;
//     E6).
//
// The program verifies the genuine build and one build per rule that breaks
// it, printing every check with its outcome, the expected and actual values
// and the threats a failure leaves open. It exits 0 when each build got the
// verdict it should.
//
// The keys are demonstration keys derived from a published seed: the example
// shows the mechanics, not a secret.
package main
