// Package scai builds, signs, parses and verifies in-toto SCAI attribute
// reports — v0.3 (https://in-toto.io/attestation/scai/v0.3) and v0.2
// (https://in-toto.io/attestation/scai/attribute-report/v0.2), which share
// one schema and are both accepted (SCAI-1, GAP-10) — and the three
// attestations of buildtrust's BuildEnv profile built on them: image
// reference values, the environment launch attestation and the dispatch
// attestation.
//
// # Where to start
//
// A producer fills an [AttributeReport] and calls [New] (v0.3) or [NewV02],
// then signs with buildtrust.SignStatement. A consumer calls [Verify] with
// the keys it trusts and the subject digest it expects, then looks
// attributes up with [AttributeReport.Require], [AttributeReport.Find] and
// [AttributeReport.Has]. [Parse] and [ParsePredicate] read without
// verifying. Evidence is described with [NewEvidence] and bound to bytes
// with [CheckEvidence].
//
// # What is checked
//
//   - Signatures and statement form: by the root package (DSSE, Statement
//     v1, ResourceDescriptors by the spec's rule, ITE-RD-1).
//   - The predicate (SCAI-2…8): at least one attribute, each a non-empty
//     printable string; conditions a JSON object; target, evidence and
//     producer valid ResourceDescriptors; unknown fields ignored; decoded in
//     one strict, bounded pass (duplicate keys, invalid UTF-8 rejected;
//     internal/limits MaxSCAIAttributes, MaxSCAIAttributeBytes).
//   - Evidence (SCAI-6, BENV-EV-2): [CheckEvidence] always hashes the bytes
//     it is given — or the inline content — and compares them with the
//     descriptor's digest; a descriptor without a usable digest fails.
//   - BuildEnv form and bindings (below): [ParseLaunch] and [ParseDispatch]
//     check that the identity key in the subject hashes to the subject's
//     digest and that every binding commits to that key (or, for dispatch
//     evidence, to key and build ID); [Dispatch.CheckBuildID] and
//     [Dispatch.CheckLaunch] tie a dispatch to a build and a launch
//     ([Dispatch.CheckLaunchDigest] when the caller hashed the launch
//     envelope already).
//
// # What is not checked here
//
// What an attribute means, and whether evidence is genuine. This package
// does not parse TPM quotes, event logs, SEV-SNP reports or TDX quotes: it
// carries them, binds them to the attestation by digest, and states what
// their report data must commit to. Verifying the evidence — signatures up
// to the TPM's AK or the AMD/Intel root, report data equal to the binding,
// measurements equal to the reference values — is policy's job, with the
// tpm and tee packages. Which attributes a consumer requires is policy too.
//
// # The BuildEnv profile
//
// The SLSA Build Environment track (draft, REQUIREMENTS.md §5) says that
// reference values, the binding of an environment to a build, and the
// hardware evidence may be carried "e.g. via SCAI" without fixing a format
// (BENV-EV-1). This is buildtrust's format, after the PR #1051 terms
// (deploy-time and request-time attestations, BENV-H-4, BENV-H-5) and the
// scai-demos and image-attestation proofs of concept (BENV-EV-2, BENV-EV-3).
// Every one is a SCAI v0.3 Statement; attribute names are the Attr…
// constants.
//
// (a) Image reference values ([NewImageReferenceValues],
// [ParseImageReferenceValues]; BENV-L2-2): published and signed by the image
// producer. The subject is the build image; each reference value is one
// BUILDENV_REFERENCE_VALUE assertion whose target names the component and
// carries the expected measurement as its digest, and whose conditions say
// which component it is — bootloader, kernel, build-agent, rootfs, a PCR
// (with its index) or a TEE launch measurement (with its platform).
// [ImageReferenceValues.Complete] insists on the four components of
// BENV-L2-2:
//
//	{"_type": "https://in-toto.io/Statement/v1",
//	 "subject": [{"name": "builder.qcow2", "digest": {"sha256": "1111…"}}],
//	 "predicateType": "https://in-toto.io/attestation/scai/v0.3",
//	 "predicate": {"attributes": [
//	   {"attribute": "BUILDENV_REFERENCE_VALUE",
//	    "conditions": {"component": "kernel"},
//	    "target": {"name": "vmlinuz", "digest": {"sha256": "2222…"}}},
//	   {"attribute": "BUILDENV_REFERENCE_VALUE",
//	    "conditions": {"component": "pcr", "pcr": 7},
//	    "target": {"name": "PCR7", "digest": {"sha256": "3333…"}}},
//	   {"attribute": "BUILDENV_REFERENCE_VALUE",
//	    "conditions": {"component": "tee-launch", "platform": "sev-snp"},
//	    "target": {"name": "MEASUREMENT", "digest": {"sha384": "4444…"}}}],
//	  "producer": {"uri": "https://images.example/producer"}}}
//
// (b) The environment launch ("deploy-time") attestation ([NewLaunch],
// [ParseLaunch]; BENV-H-4, BENV-L2-3, BENV-L3-1). The subject is the
// environment identity key generated inside the environment at boot: its
// DER SubjectPublicKeyInfo inline (media type application/x.pkix-spki+der)
// and its SHA-256 as digest. BUILDENV_IMAGE names the build image (target)
// and its provenance or VSA (evidence). Each piece of hardware evidence is
// one BUILDENV_MEASURED_BOOT (TPM quote, quote signature, event log, AK
// certificate) or BUILDENV_HARDWARE_TEE (SEV-SNP report and certificate
// table, or TDX quote and collateral) assertion, told apart by the
// evidence's media type (the MediaType… constants), inline when at most
// [InlineMaxBytes] and by digest and downloadLocation otherwise. Their
// conditions carry the binding: under the convention "buildtrust/bind/v1"
// (DESIGN.md), the evidence's report data must equal
// SHA-512("buildtrust/bind/v1\x00" ‖ "launch" ‖ "\x00" ‖ payload) — all 64
// bytes in SEV-SNP or TDX REPORT_DATA, the first 32 as a TPM quote's
// qualifying data — where payload is the identity key's SHA-256, the
// payload digest of the binding. It is signed by the party that checked the
// evidence before admitting the environment (BENV-H-4), or by the identity
// key itself:
//
//	{"_type": "https://in-toto.io/Statement/v1",
//	 "subject": [{"name": "environment-identity", "digest": {"sha256": "2ec5…48d8"},
//	              "content": "MCowBQYDK2VwAyEA…", "mediaType": "application/x.pkix-spki+der"}],
//	 "predicateType": "https://in-toto.io/attestation/scai/v0.3",
//	 "predicate": {"attributes": [
//	   {"attribute": "BUILDENV_IMAGE",
//	    "target": {"name": "builder.qcow2", "digest": {"sha256": "1111…"}},
//	    "evidence": {"name": "builder.intoto.jsonl", "digest": {"sha256": "9999…"},
//	                 "mediaType": "application/vnd.in-toto.provenance+dsse"}},
//	   {"attribute": "BUILDENV_MEASURED_BOOT",
//	    "conditions": {"binding": {"convention": "buildtrust/bind/v1", "purpose": "launch",
//	                               "payload": {"sha256": "2ec5…48d8"}}},
//	    "evidence": {"name": "tpm-quote", "digest": {"sha256": "…"}, "content": "/1RDR4AY…",
//	                 "mediaType": "application/x.tpm2.quote"}},
//	   {"attribute": "BUILDENV_HARDWARE_TEE",
//	    "conditions": {"platform": "sev-snp",
//	                   "binding": {"convention": "buildtrust/bind/v1", "purpose": "launch",
//	                               "payload": {"sha256": "2ec5…48d8"}}},
//	    "evidence": {"name": "sev-snp-report", "digest": {"sha256": "6139…3fe6"},
//	                 "downloadLocation": "https://evidence.example/env-7/snp-report",
//	                 "mediaType": "application/x.amd.sev-snp.report"}}]}}
//
// (c) The dispatch ("request-time") attestation ([NewDispatch],
// [ParseDispatch]; BENV-L2-4, BENV-H-5, BENV-L3-2), signed inside the
// environment with the identity key — whose trust comes only from the
// verified launch attestation ([Launch.IdentityKey]). Its subject is the same
// identity key; one BUILDENV_DISPATCH assertion carries the build ID in its
// conditions and names the launch attestation envelope by digest as its
// target. It may carry the boot-process evidence again, under the launch
// binding, or fresh evidence under a dispatch binding whose payload is
// SHA-256(identity SHA-256 ‖ 0x00 ‖ build ID) ([DispatchPayload]):
//
//	{"_type": "https://in-toto.io/Statement/v1",
//	 "subject": [{"name": "environment-identity", "digest": {"sha256": "2ec5…48d8"},
//	              "content": "MCowBQYDK2VwAyEA…", "mediaType": "application/x.pkix-spki+der"}],
//	 "predicateType": "https://in-toto.io/attestation/scai/v0.3",
//	 "predicate": {"attributes": [
//	   {"attribute": "BUILDENV_DISPATCH",
//	    "conditions": {"buildId": "https://ci.example/runs/42"},
//	    "target": {"name": "launch-attestation", "digest": {"sha256": "…"},
//	               "downloadLocation": "https://evidence.example/env-7/launch.json",
//	               "mediaType": "application/vnd.in-toto+dsse"}}]}}
//
// Policy then checks, in the order of the DESIGN.md chain: the launch
// signature and evidence (tpm, tee: report data equal to the binding above,
// measurements equal to the reference values of (a)); the dispatch signature
// with the launch's identity key; [Dispatch.CheckLaunch]; and
// [Dispatch.CheckBuildID] against the provenance's
// runDetails.metadata.invocationId.
//
// # Errors
//
// Errors wrap the Err… sentinels of this package or the root package
// (buildtrust.ErrMalformed, ErrSignature, ErrTooLarge). Failed checks are
// *buildtrust.CheckError values with the Check… IDs and the threats they
// guard — E9 for measured-boot evidence, E10 for TEE evidence, both for
// bindings and dispatch — so errors.Is(err, threat.E10) works.
//
// # Security considerations
//
// A SCAI report is only as trustworthy as its signer, and an attribute only
// as trustworthy as its evidence. [Verify] needs the subject digest unless
// InsecureSkipSubject is set: without it, a validly signed report about
// another artifact is accepted. Absence of an attribute is never a pass
// (monotonic policies, ITE-PR-4). The launch attestation's identity key is
// self-asserted until policy has verified the hardware evidence binding it:
// do not verify dispatch attestations with it before. Media types and
// attribute names of the BuildEnv profile are buildtrust's own (the SLSA
// draft names none); a consumer outside buildtrust must agree on them.
//
// # Compatibility
//
// SCAI v0.2 and v0.3 are read; New writes v0.3 (NewV02 writes v0.2 for
// older consumers). The BuildEnv profile follows a draft SLSA track and may
// change with it; its attribute names and media types are versioned with
// this module (v0).
package scai
