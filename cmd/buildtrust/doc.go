// Command buildtrust verifies that an artifact was built the way its
// producer promised, on a build environment nobody tampered with: it checks
// SLSA provenance, VSAs, the BuildEnv attestations (image, launch, dispatch)
// and the TPM, AMD SEV-SNP and Intel TDX evidence behind them against a
// policy, and explains the decision check by check. It is a thin layer over
// the packages of github.com/buildtrust/buildtrust: the policy package decides,
// the command reads files and prints.
//
// Install it with
//
//	go install github.com/buildtrust/buildtrust/cmd/buildtrust@latest
//
// Everything is offline: trust roots, keys and collateral come from the
// policy and the files given; nothing is fetched.
//
// # Commands
//
//	buildtrust verify -policy FILE (-artifact FILE | -digest ALG:HEX) -attestations FILE... [flags]
//
// Evaluates an artifact against a policy (package policy): every attestation
// file (a DSSE envelope, a JSON Lines bundle, or gcloud --show-provenance
// output, of which only the signed envelopes are used) and evidence file (event
// logs, SEV-SNP reports and certificate tables, TDX quotes and collateral
// referenced by digest) is verified, and the policy's expectations applied.
// It prints the verdict and the Build and BuildEnv levels reached first,
// then every failed check with its ID, the threats it guards against, the
// expected and actual values and a message, then the number of passed,
// failed and not-applicable checks (-v lists them all), the threats left open
// and the inputs that were ignored, with the reason. -format json prints the
// policy.Result instead: verdict, levels, and every check with id, threats,
// outcome (PASS, FAIL, NOT_APPLICABLE), expected, actual, message and
// advisory. Repeat -attestations and -evidence for each file. -name (default:
// the base name of -artifact) and -purl select the policy's artifact entry;
// -resource-uri is the URI the artifact was requested under.
//
// -time sets the evaluation time (RFC 3339). It defaults to the current
// time — certificates, collateral and freshness are judged then — so give it
// to reproduce a decision later. With -vsa-out FILE and -vsa-key FILE (a PEM
// private key: PKCS #8, EC or RSA, not encrypted) the result is also signed
// into a SLSA VSA, PASSED or FAILED; the policy must have a vsa section and
// -resource-uri is required.
//
//	buildtrust inspect FILE [-format text|json] [-signature FILE] [-v]
//
// Shows what a file claims without verifying anything; every output starts
// with UNVERIFIED. It recognises DSSE envelopes and JSON Lines bundles (and
// the in-toto Statement inside: SLSA provenance v1, v0.2 and v0.1, VSAs,
// SVRs, builder assessments, SCAI reports and the BuildEnv launch, dispatch
// and reference-value attestations, decoding inline evidence), bare in-toto
// Statements, Sigstore bundles (media type
// application/vnd.dev.sigstore.bundle…: signer certificate with its Fulcio
// identity, transparency-log entries, DSSE content), npm attestation
// responses, gcloud --show-provenance output, AMD SEV-SNP attestation reports
// (binary or hex text) and certificate tables, Intel TDX v4 quotes, TPM 2.0
// quotes (TPMS_ATTEST; its TPMT_SIGNATURE with -signature) and TCG event
// logs (PC Client crypto-agile or SHA-1, TDX CCEL) with the register values a
// replay gives (-v lists every event). Input is limited to the size of the
// largest attestation bundle the library accepts (internal/limits).
//
//	buildtrust threats [-policy FILE] [-format text|json] [-v]
//
// Lists the threat catalog (package threat: SLSA threats & mitigations and
// the draft BuildEnv threats E7–E10). With -policy, shows per artifact entry
// which threats the policy's checks mitigate, by which checks, and which stay
// open.
//
//	buildtrust policy check FILE [-format text|json]
//
// Decodes and compiles a policy as verify would and prints every problem as
// FILE:LINE:COLUMN: PATH: MESSAGE.
//
//	buildtrust vsa verify -vsa FILE -key FILE... -verifier-id ID -resource-uri URI (-digest ALG:HEX | -artifact FILE) [flags]
//
// Checks a VSA as a consumer (package vsa, SLSA VSA-VER-1…8): signed by a
// key trusted for the verifier ID, about the artifact, for the resource URI
// requested, PASSED, at every -level (default SLSA_BUILD_LEVEL_3; BuildEnv
// levels are SLSA_BUILDENV_LEVEL_n), and, when given, for -policy-uri and
// -policy-digest and no older than -max-age at -time. It fails closed: without
// a key, verifier ID, resource URI or artifact digest it does not run.
//
//	buildtrust version
//	buildtrust help [command]
//
// Every command takes -h. Flags may come before or after arguments, written
// -flag or --flag; "--" ends the flags.
//
// # Exit status
//
//	0  success: PASSED, verified, valid, or the requested output printed
//	1  rejected: verify's verdict is FAILED, or vsa verify rejected the VSA
//	2  unusable input: bad flags, unreadable or unrecognised files, an invalid
//	   policy, a VSA that could not be written
//
// # Examples
//
// Admit an upload, keeping the decision as a signed VSA:
//
//	buildtrust verify -policy release.yaml \
//	    -artifact app-1.0.0.tar.gz -attestations app-1.0.0.tar.gz.intoto.jsonl \
//	    -evidence eventlog.bin -evidence snp-report.bin \
//	    -resource-uri https://registry.example.com/app-1.0.0.tar.gz \
//	    -vsa-out app-1.0.0.vsa.json -vsa-key verifier.key
//
// Check that VSA downstream:
//
//	buildtrust vsa verify -vsa app-1.0.0.vsa.json -key verifier.pub \
//	    -verifier-id https://verifier.example.com/admission/v1 \
//	    -resource-uri https://registry.example.com/app-1.0.0.tar.gz \
//	    -artifact app-1.0.0.tar.gz -level SLSA_BUILD_LEVEL_3 -level SLSA_BUILDENV_LEVEL_3
//
// Look inside evidence, and find what a policy leaves open:
//
//	buildtrust inspect snp-report.bin
//	buildtrust inspect -format json provenance.intoto.jsonl
//	buildtrust threats -policy release.yaml
//	buildtrust policy check release.yaml
//
// # Security considerations
//
// inspect verifies nothing: do not base a decision on its output. It quotes
// strings holding control characters so that an attestation cannot drive the
// terminal. verify and vsa verify trust only what the policy or the -key
// flags name. Input files are size-bounded before they are parsed.
package main
