// Package threat is the catalog of software supply-chain threats that
// buildtrust's verifiers guard against, together with the build threat model
// used to assess build platforms.
//
// Every verification check in buildtrust names the threats it mitigates, and
// every verification failure wraps their IDs, so a caller can ask which threat
// a failure is about:
//
//	if errors.Is(err, threat.F4) { // "Tamper with provenance"
//		…
//	}
//
// The package has no dependencies outside the standard library; every other
// buildtrust package may import it.
//
// # What is in the catalog
//
// [All] lists every threat of SLSA "Threats & mitigations", 57 in all, each
// as a [Threat] with its stable [ID], [Category], spec title, a paraphrase of
// the threat, its mitigation and an example, the [Level] that addresses it,
// and the REQUIREMENTS.md IDs it relates to:
//
//   - source threats: A1; B1-1…B1-5, B2-1…B2-7, B3-1…B3-3, B4-1; C1, C2;
//   - external build parameters: D1–D5;
//   - build process: E1–E10;
//   - artifact publication: F1–F4;
//   - distribution channel: G1–G6;
//   - package selection and usage: H1, H2, I1;
//   - dependency threats: DEP-1…DEP-4;
//   - availability threats: AV-1…AV-4;
//   - verification threats: V1, V2.
//
// The letters A–I are the spec's; the spec gives no IDs to individual
// threats, so the numbers, and the DEP-, AV- and V prefixes, are those of
// REQUIREMENTS.md (THREAT-*), which cites them as "THREAT-E10" where this
// package writes "E10". [Parse] accepts both forms.
//
// # Sources and versions
//
// The text comes from slsa-framework/slsa spec/threats.md in SLSA v1.0, v1.1,
// v1.2 and the working draft on main. Where versions disagree, the entry
// follows v1.2/main and its Note says what older versions said.
//
// Threats E7–E10 are those of the draft Build Environment (BuildEnv) track,
// which exists only on main and is in no released SLSA version. E8 (image
// tampered with in transit, BuildEnv L1), E9 (image tampered with at rest,
// BuildEnv L2) and E10 (environment tampered with while in use, BuildEnv L3)
// are new there. E7 "Compromise build platform admin" is older: released
// v1.0–v1.2 tag it "verification" (consumers must trust the platform's
// controls against admin abuse), while main tags it BuildEnv L2 (GAP-9). The
// catalog records main's level and marks these four entries Draft; treat
// their levels and mitigations as subject to change.
//
// # SLSA v1.0 letters
//
// SLSA v1.1 regrouped the threats and reused the letters with new meanings,
// so a v1.0 letter does not name the same threats as the v1.1+ letter.
// [Threat.V10] records the v1.0 section of each threat where it differs.
// In v1.0 terms:
//
//	v1.0 section                      v1.1+ threats
//	(A) Submit unauthorized change    (B) Modifying the source: B1–B3 (none listed in v1.0)
//	(B) Compromise source repo        (C) Source code management: C1, C2 (none listed in v1.0)
//	(C) Build from modified source    (D) External build parameters: D1–D5
//	(D) Use compromised dependency    dependency threats DEP-1, DEP-4
//	(E) Compromise build process      (E) Build process: E1–E7
//	(F) Upload modified package       (F) Artifact publication: F1–F4
//	(G) Compromise package repo       availability threats AV-3, AV-4
//	(H) Use compromised package       (H) Package selection: H2
//	availability (A)(B), (D)          AV-1, AV-2
//	verification threats              V1, V2 and B4-1 (Forge change metadata)
//
// New since v1.0: (A) Producer (A1), the individual source threats B1–B4 and
// C1–C2, the distribution channel threats G1–G6 (with VSAs), H1, I1, DEP-2,
// DEP-3 and the BuildEnv threats E8–E10.
//
// # Assessing build platforms
//
// Build L3 provenance is only as trustworthy as the platform that signs it,
// and a consumer cannot learn how a platform is built and run from its
// provenance. SLSA's "Verifying build systems" page (v1.0, v1.1; "Assessing
// build platforms" from v1.2) gives a threat model and a questionnaire for
// that, which this package holds as data:
//
//   - [AttackerGoal]: the adversary's goal (ASSESS-1);
//   - [Profiles]: the three attacker profiles, project contributors, project
//     maintainers and build platform administrators (the early draft's low,
//     medium and high privilege), with their capabilities (ASSESS-2);
//   - [Components]: the five elements of the build model (external
//     parameters, control plane, build environment, cache, output storage),
//     each with its assessment prompts (ASSESS-3…ASSESS-8). Prompts come from
//     the early draft of the page and from v1.0 and say which version(s) they
//     appear in; [LookupPrompt] finds one by its stable ID;
//   - [BuilderEvaluation]: self-attestation or third-party certification
//     (ASSESS-9);
//   - [Assessment]: a builder's answers with a claimed Build level and a
//     validity window, checked by [Assessment.Validate]. Its doc records the
//     v1.0-rc1 idea of a time-limited builder attestation (ASSESS-H1).
//
// [Cover] answers "which threats does this set of checks leave open?".
//
// # Compatibility
//
// IDs and their constants are stable: an ID is never reused for a different
// threat. Titles, descriptions, levels of draft entries, notes and
// requirement lists may change as the spec evolves. Prompt IDs are stable.
//
// # Security considerations
//
// The catalog describes threats; it verifies nothing. Listing a threat as
// mitigated in [Cover] is a claim by the caller. Entries marked Draft follow
// an unreleased spec.
package threat
