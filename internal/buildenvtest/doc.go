// Package buildenvtest builds, offline and without hardware, a complete and
// genuinely verifiable SLSA BuildEnv L3 bundle for one artifact — and every
// broken variant of it — so that policy tests and the example programs can
// exercise the whole chain of DESIGN.md ("BuildEnv chain"): image
// provenance → measured boot (TPM) → SEV-SNP or TDX evidence → dispatch →
// provenance.
//
// It is for tests and examples only. Its keys are public test keys, derived
// from fixed seeds printed in its source; nothing it makes proves anything
// about real hardware.
//
// # The world
//
// NewWorld returns every party and trust root of one deployment: Ed25519
// keys (seeded, the same in every World) for the builder, the image builder,
// the image producer, the launch signer (the host interface that admits an
// environment), a verifier and an untrusted Other; a fixed ECDSA P-256 TPM
// attestation key (pinned trust, with an AK certificate under a test CA as
// the alternative); the SEV-SNP test chain of tee/sevsnp/sevsnptest and a
// TDX test chain and collateral of tee/tdx/tdxtest (generated per World);
// the verification time World.Now at which all of them are valid; and the
// names the bundle uses (builder ID, source, build ID, …, also exported as
// constants). Profile is the provenance.Profile that tells provenance.Check
// where this builder and the image builder record their source.
//
// # The bundle
//
// World.Build makes, for the platform of Options ("sev-snp" by default, or
// "tdx"):
//
//  1. the artifact's SLSA provenance, signed by Builder: builder.id
//     BuilderID, externalParameters source "git+https://<SourceRepo>@<SourceRef>"
//     and config, invocationId BuildID, and byproducts naming the launch and
//     dispatch envelopes by the SHA-256 of their exact bytes
//     ("launch-attestation", "dispatch-attestation", scai.MediaTypeDSSE);
//  2. the build image's provenance, signed by ImageBuilder;
//  3. the image's reference values (SCAI), signed by ImageProducer:
//     bootloader, kernel, build agent and root filesystem digests, the
//     SHA-256 values of PCRs 0–11, and the TEE launch measurement
//     (MEASUREMENT or MRTD);
//  4. the launch attestation, signed by LaunchSigner: the environment
//     identity key (a seeded Ed25519 key "generated inside the
//     environment"), the image and its provenance, the TPM evidence of a
//     software TPM that measured firmware into PCR 0, separators into PCRs
//     0–7 and the four components as EV_IPL events into PCRs 8–11 (quote over
//     SHA-256 PCRs 0–11, qualifying data the first 32 bytes of
//     tee.Bind(launch, identity SHA-256), event log, AK certificate), and an
//     SEV-SNP report with its certificate table or a TDX quote with its
//     collateral, REPORT_DATA the same binding;
//  5. the dispatch attestation, signed with the identity key, for BuildID and
//     the launch envelope;
//  6. with Options.Response, a response-time report or quote of the same
//     guest whose REPORT_DATA is tee.Bind(PurposeProvenance, SHA-256 of the
//     provenance envelope's payload).
//
// Evidence larger than scai.InlineMaxBytes is referenced by digest and
// downloadLocation, and its bytes are in Bundle.Evidence. The launch carries
// no PCR values: a verifier replays the event log (tpm.ParseEventLog,
// EventLog.Replay) and passes the result to tpm.Verify, which checks it
// against the quoted PCR digest. The package's tests verify every link
// that way, with the existing packages, on both platforms.
//
// # Tampers
//
// Options.Tampers applies broken links, each minimal so that it breaks one
// link and leaves the others genuine (Tampers lists them with a
// description):
//
//	wrong-image            the launch names an image nobody attested
//	image-untrusted        the image provenance is signed by Other
//	refvalues-untrusted    the reference values are signed by Other
//	kernel                 the TPM measured another kernel (the log still replays)
//	pcr-unlogged           PCR 9 extended behind the log's back: the log no longer replays
//	quote-replay           the quote's qualifying data binds another identity key
//	debug-tee              the guest or TD is debuggable
//	tee-measurement        the TEE measurement differs from the reference value
//	report-data-other-key  REPORT_DATA binds another identity key
//	launch-untrusted       the launch attestation is signed by Other
//	dispatch-other-build   the dispatch names another build ID
//	dispatch-wrong-key     the dispatch is signed by a key other than the identity
//	provenance-other-env   the byproducts name a second, genuine environment not in the bundle
//	no-tee                 TPM evidence only (a BuildEnv L2 environment)
//	no-dispatch            the dispatch attestation is missing
//	response-other         the response-time report binds another statement (implies Response)
//
// The properties of the guest — debug, measurement — are those of the
// environment, so debug-tee and tee-measurement also show in the
// response-time report when there is one.
//
// # Side effects of importing
//
// Importing this package imports tee/sevsnp/sevsnptest, which registers the
// global flags of go-sev-guest's test package (-product, -product_name,
// -test_kds, -test_use_kds). That is acceptable in tests and example
// programs, the only importers deps_test.go allows; they must not define
// flags of those names.
package buildenvtest
