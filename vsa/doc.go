// Package vsa produces, signs and verifies SLSA Verification Summary
// Attestations v1 (https://slsa.dev/verification_summary/v1, with the fields
// of VSA 1.0, 1.1 and 1.2) and produces and parses in-toto Simple
// Verification Results v0.2 (https://in-toto.io/attestation/svr/v0.2), the
// result format of the draft BuildEnv track (PR #1596).
//
// # Where to start
//
// A verifier fills a [Predicate] and calls [New], then signs the statement
// with buildtrust.SignStatement. A consumer calls [Verify] with [Options]:
// the (verifier ID → keys) pairs it trusts, the artifact digest, the
// resourceUri it requested and the levels it requires. [Parse] and
// [ParsePredicate] read without verifying. [NewSVR], [ParseSVR] and
// [ParseSVRPredicate] do the same for SVRs.
//
// # What is checked
//
// [Verify] follows the consumer procedure of the VSA spec (VSA-VER-1…8), in
// order, as named checks (buildtrust.Check, *buildtrust.CheckError):
//
//	vsa.signature      VSA-VER-1  signed by the keys of a trusted verifier    G6, G2
//	vsa.predicateType  VSA-VER-3  https://slsa.dev/verification_summary/v1
//	vsa.verifier       VSA-VER-4  verifier.id is that verifier (signer, verifier pair)  G2
//	vsa.subject        VSA-VER-2  a subject matches the artifact digest         G5
//	vsa.resourceUri    VSA-VER-5  equal to the URI the consumer requested       G4
//	vsa.result         VSA-VER-6  verificationResult is PASSED                  G1
//	vsa.level          VSA-VER-7  verifiedLevels satisfy each required level    G1
//	vsa.policy         VSA-VER-8  policy uri and digest, when expected
//	vsa.fresh          VSA-VER-8  timeVerified within MaxAge of Now, when set   G4
//
// With Options.BuildImage — a VSA about a build image (BENV-L1-2,
// BENV-L1-4) — every failure also names E8. A level implies the lower levels
// of its track ([Satisfies]): a VSA at SLSA_BUILD_LEVEL_3 meets a
// SLSA_BUILD_LEVEL_2 requirement.
//
// Parsing checks the field rules (VSA-1…12): verifier.id an absolute URI,
// resourceUri and policy.uri present, every input attestation with a digest,
// PASSED or FAILED, well-formed SlsaResults with at most one level per track,
// dependencyLevels as non-negative counts (JSON numbers, or the decimal
// strings the in-toto Go binding writes, P-JSON-6) where an empty object
// means "no dependencies" and absence "no claim" (VSA-10), slsaVersion
// "<MAJOR>.<MINOR>", timestamps in RFC 3339 UTC. Decoding is strict and
// bounded (internal/limits MaxVSA…); unknown and URI-named extension fields
// are ignored (VSA-2). Output is deterministic JSON from Go structs, not
// protojson; this package has its own types because the in-toto Go binding
// lacks verifier.version and full policy and inputAttestations descriptors
// (GAP-3, P-JSON-7).
//
// A VSA v1 predicate as [New] writes it:
//
//	{"dependencyLevels": {"SLSA_BUILD_LEVEL_3": 5},
//	 "inputAttestations": [{"digest": {"sha256": "abab…"},
//	                        "uri": "https://registry.example/example.intoto.jsonl"}],
//	 "policy": {"digest": {"sha256": "1212…"}, "uri": "https://verifier.example/policy.json"},
//	 "resourceUri": "https://registry.example/example-1.2.3.tar.gz",
//	 "slsaVersion": "1.2",
//	 "timeVerified": "2026-03-01T12:00:00Z",
//	 "verificationResult": "PASSED",
//	 "verifiedLevels": ["SLSA_BUILD_LEVEL_3", "SLSA_BUILDENV_LEVEL_2"],
//	 "verifier": {"id": "https://verifier.example/publication_verifier",
//	              "version": {"buildtrust": "v0.1.0"}}}
//
// and an SVR v0.2 predicate as [NewSVR] writes it:
//
//	{"properties": ["SLSA_BUILDENV_LEVEL_2"],
//	 "timeCreated": "2026-03-01T12:00:00Z",
//	 "verifier": {"id": "https://control-plane.example/admission/v1", "policies": []}}
//
// # BuildEnv levels
//
// [BuildEnvLevel] returns SLSA_BUILDENV_LEVEL_<n>. This token is not defined
// by SLSA: the Build Environment track is a draft and names no SlsaResult
// (GAP-8); the token follows the SLSA_<TRACK>_LEVEL_<n> pattern of VSA-12
// and is buildtrust's choice until the spec names one. Consumers outside
// buildtrust must agree on it out of band.
//
// # What is not checked here
//
// Whether the verifier's decision was right: a VSA does not protect against
// a compromised verifier (VSA-VER-8), so choose the verifiers you trust
// carefully. dependencyLevels and inputAttestations are parsed, not
// evaluated; following them to the dependencies' own attestations (VSA-14)
// is policy's job. SVRs are produced and parsed; their signatures are
// verified with buildtrust.VerifyStatement, and the freshness of
// time-bounded properties is the consumer's rule.
//
// # Errors
//
// Errors wrap the Err… sentinels of this package or the root package
// (buildtrust.ErrMalformed, ErrSignature, ErrSubjectMismatch, ErrTooLarge);
// check failures also unwrap to their threat IDs, so
// errors.Is(err, threat.G4) tells a registry that a VSA for another package
// was presented.
//
// # Security considerations
//
// Compare resourceUri with what the consumer asked for, not with what it
// received (THREAT-G4): Options.ResourceURI is compared exactly, without
// normalization. Trust is per (signer, verifier) pair: a key trusted for one
// verifier ID never vouches for another. Verification reads the payload only
// after some trusted verifier's keys verified it. Missing trust inputs or
// required expectations fail closed (ErrNoTrustedVerifiers,
// ErrMissingExpectation); there is no switch to skip them.
//
// # Compatibility
//
// VSA v1.0–1.2 documents are read and written under one type URI (minor
// versions are backwards compatible, VSA-2). SVR v0.2 is read and written;
// v0.1 (in-toto Go module svr/v01) is a different type and rejected.
package vsa
