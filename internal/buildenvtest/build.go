package buildenvtest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/sevsnp/sevsnptest"
	"github.com/buildtrust/buildtrust/tpm"
	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

// Options choose the platform and the tampers of one bundle.
type Options struct {
	// Platform is the TEE of the environment: PlatformSEVSNP ("sev-snp")
	// or PlatformTDX ("tdx"). Empty means PlatformSEVSNP.
	Platform string
	// Tampers are names from Tampers(), applied together. Empty: the
	// genuine bundle.
	Tampers []string
	// Response also makes a response-time TEE report (same platform, chip
	// and measurement) whose REPORT_DATA is tee.Bind(PurposeProvenance,
	// SHA-256 of the provenance envelope's payload). false: none. The
	// "response-other" tamper implies it.
	Response bool
}

// Bundle is one artifact with everything a verifier needs to check its
// BuildEnv L3 chain.
type Bundle struct {
	// Platform is the TEE platform the bundle was made for.
	Platform string

	// Artifact is the built artifact; ArtifactDigest its SHA-256 and
	// SHA-512.
	Artifact       []byte
	ArtifactDigest buildtrust.DigestSet

	// Attestations are the serialized DSSE envelopes (JSON), in this order:
	// provenance, image provenance, image reference values, launch,
	// dispatch (absent with the "no-dispatch" tamper).
	Attestations [][]byte
	// Evidence are the raw evidence blobs the launch references by digest
	// and downloadLocation (larger than scai.InlineMaxBytes), in the
	// launch's order, then the response-time report and its endorsements
	// when Options.Response (each blob once).
	Evidence [][]byte

	// The attestations by role (nil when absent): the same bytes as in
	// Attestations.
	Provenance, ImageProvenance, ReferenceValues, Launch, Dispatch []byte

	// ImageDigest is the digest of the genuine build image (the subject of
	// the image provenance and reference values).
	ImageDigest buildtrust.DigestSet
	// Identity is the environment identity key's descriptor: the subject
	// of the launch and dispatch attestations.
	Identity buildtrust.ResourceDescriptor
	// Measurement is the TEE launch measurement the image producer signed
	// as reference value: SEV-SNP MEASUREMENT or TDX MRTD, 48 bytes. (With
	// the "tee-measurement" tamper the report carries another one.)
	Measurement []byte

	// Response is the response-time TEE evidence when Options.Response
	// (its bytes are also in Evidence); nil otherwise.
	Response *tee.Evidence
}

// JSONL returns the attestations as an in-toto JSON Lines bundle
// (.intoto.jsonl): one envelope per line.
func (b *Bundle) JSONL() []byte {
	var buf bytes.Buffer
	for _, a := range b.Attestations {
		buf.Write(a)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// Unverified parses an envelope and its statement without checking any
// signature: for tests and benchmarks that look inside what Build made (a
// verifier would verify first).
func Unverified(envelope []byte) (*buildtrust.Statement, error) {
	env, err := buildtrust.ParseEnvelope(envelope)
	if err != nil {
		return nil, err
	}
	return buildtrust.ParseStatement(env.Payload)
}

// LaunchAttestation parses the bundle's launch attestation, unverified.
func (b *Bundle) LaunchAttestation() (*scai.Launch, error) {
	st, err := Unverified(b.Launch)
	if err != nil {
		return nil, err
	}
	return scai.ParseLaunch(st)
}

// component is one measured build-image component.
type component struct {
	kind scai.Component
	name string
	pcr  int
}

// components are the BENV-L2-2 components, in boot order, each measured by
// an EV_IPL event into its own PCR.
var components = []component{
	{scai.Bootloader, "BOOTX64.EFI", 8},
	{scai.Kernel, "vmlinuz-6.6.30-buildenv", 9},
	{scai.BuildAgent, "build-agent", 10},
	{scai.RootFS, "rootfs.erofs", 11},
}

// componentBytes are the bytes of a component (invented, fixed).
func componentBytes(name string) []byte {
	return []byte("buildenvtest component " + name + ": the bytes of the genuine build image\n")
}

// genuineDigest is the SHA-256 of a component of the genuine image.
func genuineDigest(kind scai.Component) []byte {
	for _, c := range components {
		if c.kind == kind {
			return sum256(componentBytes(c.name))
		}
	}
	panic("buildenvtest: no component " + string(kind))
}

// quotedPCRs are the PCRs the TPM measured into and the quote covers.
var quotedPCRs = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}

// bootEvent is one measured-boot event with its SHA-256 digest.
type bootEvent struct {
	pcr    int
	typ    tpm.EventType
	data   []byte
	digest []byte
}

func sum256(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// bootEvents is the boot the TPM measures: firmware into PCR 0, separators
// into PCRs 0–7, then each component by its SHA-256 into PCRs 8–11. kernel
// is the kernel's measured digest.
func bootEvents(kernel []byte) []bootEvent {
	blob := make([]byte, 16) // UEFI_PLATFORM_FIRMWARE_BLOB: base, length
	binary.LittleEndian.PutUint64(blob, 0xffc00000)
	binary.LittleEndian.PutUint64(blob[8:], 0x400000)
	version := []byte("buildenvtest firmware 2024.01\x00")
	evs := []bootEvent{
		{0, tpm.EvSCRTMVersion, version, sum256(version)},
		{0, tpm.EvEFIPlatformFirmwareBlob, blob, sum256([]byte("buildenvtest firmware volume"))},
	}
	sep := []byte{0, 0, 0, 0}
	for pcr := 0; pcr <= 7; pcr++ {
		evs = append(evs, bootEvent{pcr, tpm.EvSeparator, sep, sum256(sep)})
	}
	for _, c := range components {
		d := genuineDigest(c.kind)
		if c.kind == scai.Kernel {
			d = kernel
		}
		evs = append(evs, bootEvent{c.pcr, tpm.EvIPL, []byte(c.name + "\x00"), d})
	}
	return evs
}

// expectedPCRs is what the image producer computes: the SHA-256 PCR values
// the boot leaves (every PCR starts at zero; locality 0).
func expectedPCRs(evs []bootEvent) map[int][]byte {
	pcrs := map[int][]byte{}
	for _, i := range quotedPCRs {
		pcrs[i] = make([]byte, sha256.Size)
	}
	for _, e := range evs {
		pcrs[e.pcr] = sum256(append(slices.Clone(pcrs[e.pcr]), e.digest...))
	}
	return pcrs
}

func digestSet(b []byte, algs ...string) buildtrust.DigestSet {
	d, _, err := buildtrust.Digest(bytes.NewReader(b), algs...)
	if err != nil { // only for an unknown algorithm
		panic("buildenvtest: " + err.Error())
	}
	return d
}

func marshal(env *buildtrust.Envelope) ([]byte, error) { return json.Marshal(env) }

func signStatement(st *buildtrust.Statement, s buildtrust.Signer) ([]byte, error) {
	env, err := buildtrust.SignStatement(context.Background(), st, s)
	if err != nil {
		return nil, err
	}
	return marshal(env)
}

// pick returns the trusted key's signer, or Other's when tampered.
func (w *World) pick(k *Key, untrusted bool) buildtrust.Signer {
	if untrusted {
		return w.Other.Signer
	}
	return k.Signer
}

// envDescriptor describes an attestation envelope by the SHA-256 of its
// exact bytes.
func envDescriptor(name string, env []byte, location string) buildtrust.ResourceDescriptor {
	return buildtrust.ResourceDescriptor{Name: name, Digest: digestSet(env, buildtrust.SHA256), MediaType: scai.MediaTypeDSSE, DownloadLocation: location}
}

// environment is one launched build environment: its launch and dispatch
// attestations and the evidence they reference.
type environment struct {
	identity buildtrust.ResourceDescriptor
	launch   []byte
	dispatch []byte
	evidence [][]byte
}

// envInput is what the environment boots and attests.
type envInput struct {
	platform    string
	key         ed25519.PrivateKey // the identity key, generated inside
	image       buildtrust.ResourceDescriptor
	imageAtt    buildtrust.ResourceDescriptor
	measurement [48]byte // the reference MEASUREMENT / MRTD
	tampers     tamperSet
}

// launchBinding is tee.Bind(launch, SHA-256 of the identity key's SPKI).
func launchBinding(pub crypto.PublicKey) ([64]byte, error) {
	id, err := scai.IdentityDescriptor(pub)
	if err != nil {
		return [64]byte{}, err
	}
	raw, err := hex.DecodeString(id.Digest[buildtrust.SHA256])
	if err != nil {
		return [64]byte{}, err
	}
	return tee.Bind(tee.PurposeLaunch, raw)
}

// foreignIdentity is another environment's identity key, which replayed
// evidence binds.
func foreignIdentity() ed25519.PrivateKey { return edKey("environment-identity/foreign") }

// teeEvidence makes a report (SEV-SNP) or quote (TDX) of the environment's
// guest with the given report data, and its endorsements. The guest's
// properties — debug, measurement — follow the tampers.
func (w *World) teeEvidence(platform string, ts tamperSet, measurement [48]byte, reportData [64]byte) (report, endorsements []byte, err error) {
	if ts["tee-measurement"] {
		measurement[0] ^= 0xff
	}
	switch platform {
	case PlatformSEVSNP:
		r := w.SNP.Report()
		r.Measurement, r.ReportData = measurement, reportData
		if ts["debug-tee"] {
			r.Policy |= sevsnptest.PolicyDebug
		}
		if report, err = w.SNP.Sign(r); err != nil {
			return nil, nil, err
		}
		return report, w.SNP.CertTable(), nil
	case PlatformTDX:
		q := w.TDX.Quote()
		q.MRTD, q.ReportData = measurement, reportData
		if ts["debug-tee"] {
			q.TDAttributes |= 1 // TD_ATTRIBUTES.DEBUG
		}
		if report, err = w.TDX.Sign(q); err != nil {
			return nil, nil, err
		}
		return report, slices.Clone(w.collateral), nil
	}
	return nil, nil, fmt.Errorf("buildenvtest: unknown platform %q", platform)
}

// environment boots a build environment on a software TPM and the TEE,
// and makes its launch and dispatch attestations.
func (w *World) environment(in envInput) (*environment, error) {
	ts := in.tampers
	id, err := scai.IdentityDescriptor(in.key.Public())
	if err != nil {
		return nil, err
	}
	e := &environment{identity: id}
	base := EvidenceBase + id.Digest[buildtrust.SHA256][:16] + "/"
	blob := func(name string, data []byte) scai.Blob {
		b := scai.Blob{Data: data}
		if len(data) > scai.InlineMaxBytes {
			b.Location = base + name
			e.evidence = append(e.evidence, data)
		}
		return b
	}
	bind, err := launchBinding(in.key.Public())
	if err != nil {
		return nil, err
	}
	foreign, err := launchBinding(foreignIdentity().Public())
	if err != nil {
		return nil, err
	}

	// Measured boot.
	sim, err := tpmtest.New(tpmtest.Options{Key: w.akKey, Banks: []crypto.Hash{crypto.SHA256}})
	if err != nil {
		return nil, err
	}
	kernel := genuineDigest(scai.Kernel)
	if ts["kernel"] {
		kernel = sum256([]byte("a kernel with a backdoor"))
	}
	for _, ev := range bootEvents(kernel) {
		sim.MeasureDigests(ev.pcr, uint32(ev.typ), ev.data, map[crypto.Hash][]byte{crypto.SHA256: ev.digest})
	}
	if ts["pcr-unlogged"] {
		if err := sim.Extend(crypto.SHA256, 9, sum256([]byte("an unlogged measurement"))); err != nil {
			return nil, err
		}
	}
	qualifying := bind
	if ts["quote-replay"] {
		qualifying = foreign
	}
	q, err := sim.Quote(qualifying[:32], tpmtest.Selection{Hash: crypto.SHA256, PCRs: quotedPCRs})
	if err != nil {
		return nil, err
	}
	launch := scai.LaunchInput{
		IdentityKey:      in.key.Public(),
		Image:            &in.image,
		ImageAttestation: &in.imageAtt,
		TPM: &scai.TPMEvidence{
			Quote:         blob("tpm-quote", q.Attest),
			Signature:     blob("tpm-quote-signature", q.Signature),
			EventLog:      blob("tpm-event-log", sim.EventLog()),
			AKCertificate: blob("tpm-ak-certificate", w.akCert),
		},
		Producer: &buildtrust.ResourceDescriptor{URI: "https://build.example.com/host-interface"},
	}

	// Hardware TEE.
	if !ts["no-tee"] {
		reportData := bind
		if ts["report-data-other-key"] {
			reportData = foreign
		}
		report, endorsements, err := w.teeEvidence(in.platform, ts, in.measurement, reportData)
		if err != nil {
			return nil, err
		}
		launch.TEE = &scai.TEEEvidence{Platform: in.platform,
			Report:       blob(in.platform+"-report", report),
			Endorsements: blob(in.platform+"-endorsements", endorsements)}
	}
	st, err := scai.NewLaunch(launch)
	if err != nil {
		return nil, fmt.Errorf("buildenvtest: launch: %w", err)
	}
	if e.launch, err = signStatement(st, w.pick(w.LaunchSigner, ts["launch-untrusted"])); err != nil {
		return nil, fmt.Errorf("buildenvtest: launch: %w", err)
	}

	// Dispatch, signed inside the environment with the identity key.
	buildID := BuildID
	if ts["dispatch-other-build"] {
		buildID = "https://build.example.com/runs/1041"
	}
	named := e.launch
	if ts["dispatch-other-launch"] {
		named = append(slices.Clone(e.launch), '\n')
	}
	if st, err = scai.NewDispatch(scai.DispatchInput{IdentityKey: in.key.Public(), BuildID: buildID,
		LaunchEnvelope: named, LaunchLocation: base + "launch.intoto.json"}); err != nil {
		return nil, fmt.Errorf("buildenvtest: dispatch: %w", err)
	}
	dispatchKey := in.key
	if ts["dispatch-wrong-key"] {
		dispatchKey = edKey("environment-identity/impostor")
	}
	ds, err := buildtrust.NewSigner(dispatchKey, buildtrust.KeyOptions{})
	if err != nil {
		return nil, err
	}
	if e.dispatch, err = signStatement(st, ds); err != nil {
		return nil, fmt.Errorf("buildenvtest: dispatch: %w", err)
	}
	return e, nil
}

// provenanceSource is the source URI of externalParameters.source.
func provenanceSource(repo, ref string) string { return "git+https://" + repo + "@" + ref }

// Build makes the bundle of one artifact: genuine, or with the tampers of
// o applied together.
func (w *World) Build(o Options) (*Bundle, error) {
	platform := o.Platform
	if platform == "" {
		platform = PlatformSEVSNP
	}
	if platform != PlatformSEVSNP && platform != PlatformTDX {
		return nil, fmt.Errorf("buildenvtest: unknown platform %q", platform)
	}
	ts, err := newTamperSet(o.Tampers)
	if err != nil {
		return nil, err
	}
	response := o.Response || ts["response-other"]
	ctx := context.Background()

	b := &Bundle{Platform: platform}
	b.Artifact = []byte("app 1.0.0 for linux/amd64: the bytes the attested build produced\n")
	b.ArtifactDigest = digestSet(b.Artifact, buildtrust.SHA256, buildtrust.SHA512)

	// The build image, its provenance and its reference values.
	var image bytes.Buffer
	image.WriteString("QFI\xfb buildenvtest builder image\n")
	for _, c := range components {
		image.Write(componentBytes(c.name))
	}
	b.ImageDigest = digestSet(image.Bytes(), buildtrust.SHA256)
	imageDesc := buildtrust.ResourceDescriptor{Name: ImageName, Digest: b.ImageDigest}
	imageBuilt := w.Now.Add(-24 * time.Hour)
	imageDone := imageBuilt.Add(40 * time.Minute)
	imgEnv, err := provenance.Sign(ctx, provenance.Provenance{
		BuildDefinition: provenance.BuildDefinition{
			BuildType:          ImageBuildType,
			ExternalParameters: map[string]any{"source": provenanceSource(ImageSourceRepo, ImageSourceRef), "config": ImageConfigPath},
			ResolvedDependencies: []buildtrust.ResourceDescriptor{{URI: provenanceSource(ImageSourceRepo, ImageSourceRef),
				Digest: buildtrust.DigestSet{buildtrust.GitCommit: "0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b"}}},
		},
		RunDetails: provenance.RunDetails{
			Builder:  provenance.Builder{ID: ImageBuilderID},
			Metadata: &provenance.BuildMetadata{InvocationID: "https://images.example.com/builds/311", StartedOn: &imageBuilt, FinishedOn: &imageDone},
		},
	}, []buildtrust.ResourceDescriptor{imageDesc}, w.pick(w.ImageBuilder, ts["image-untrusted"]))
	if err != nil {
		return nil, fmt.Errorf("buildenvtest: image provenance: %w", err)
	}
	if b.ImageProvenance, err = marshal(imgEnv); err != nil {
		return nil, err
	}

	measurement := sha512.Sum384([]byte("buildenvtest launch measurement: " + platform + " firmware and " + ImageName))
	b.Measurement = measurement[:]
	rv := scai.ImageReferenceValues{Image: imageDesc, Producer: &buildtrust.ResourceDescriptor{URI: ProducerURI}}
	for _, c := range components {
		rv.Values = append(rv.Values, scai.ReferenceValue{Component: c.kind, Name: c.name,
			Digest: digestSet(componentBytes(c.name), buildtrust.SHA256)})
	}
	pcrs := expectedPCRs(bootEvents(genuineDigest(scai.Kernel)))
	for _, i := range quotedPCRs {
		rv.Values = append(rv.Values, scai.ReferenceValue{Component: scai.PCR, Name: fmt.Sprintf("PCR%d", i), PCR: i,
			Digest: buildtrust.DigestSet{buildtrust.SHA256: hex.EncodeToString(pcrs[i])}})
	}
	register := "MEASUREMENT"
	if platform == PlatformTDX {
		register = "MRTD"
	}
	rv.Values = append(rv.Values, scai.ReferenceValue{Component: scai.TEELaunch, Name: register, Platform: platform,
		Digest: buildtrust.DigestSet{buildtrust.SHA384: hex.EncodeToString(b.Measurement)}})
	st, err := scai.NewImageReferenceValues(rv)
	if err != nil {
		return nil, fmt.Errorf("buildenvtest: reference values: %w", err)
	}
	if b.ReferenceValues, err = signStatement(st, w.pick(w.ImageProducer, ts["refvalues-untrusted"])); err != nil {
		return nil, fmt.Errorf("buildenvtest: reference values: %w", err)
	}

	// The environment.
	launchImage := imageDesc
	if ts["wrong-image"] {
		launchImage.Digest = digestSet([]byte("another build image, which nobody attested"), buildtrust.SHA256)
	}
	in := envInput{
		platform:    platform,
		key:         edKey("environment-identity"),
		image:       launchImage,
		imageAtt:    envDescriptor("builder-image.intoto.json", b.ImageProvenance, "https://images.example.com/"+ImageName+".intoto.json"),
		measurement: measurement,
		tampers:     ts,
	}
	env, err := w.environment(in)
	if err != nil {
		return nil, err
	}
	b.Identity, b.Launch, b.Dispatch = env.identity, env.launch, env.dispatch
	b.Evidence = env.evidence
	named := env // the environment the provenance names
	if ts["provenance-other-env"] {
		in.key, in.tampers = edKey("environment-identity/second"), tamperSet{}
		in.image = imageDesc
		if named, err = w.environment(in); err != nil {
			return nil, err
		}
	}

	// The provenance.
	started := w.Now.Add(-2 * time.Hour)
	finished := started.Add(20 * time.Minute)
	provEnv, err := provenance.Sign(ctx, provenance.Provenance{
		BuildDefinition: provenance.BuildDefinition{
			BuildType:          BuildType,
			ExternalParameters: map[string]any{"source": provenanceSource(SourceRepo, SourceRef), "config": ConfigPath},
			ResolvedDependencies: []buildtrust.ResourceDescriptor{{URI: provenanceSource(SourceRepo, SourceRef),
				Digest: buildtrust.DigestSet{buildtrust.GitCommit: SourceCommit}}},
		},
		RunDetails: provenance.RunDetails{
			Builder:  provenance.Builder{ID: BuilderID},
			Metadata: &provenance.BuildMetadata{InvocationID: BuildID, StartedOn: &started, FinishedOn: &finished},
			Byproducts: []buildtrust.ResourceDescriptor{
				envDescriptor("launch-attestation", named.launch, ""),
				envDescriptor("dispatch-attestation", named.dispatch, ""),
			},
		},
	}, []buildtrust.ResourceDescriptor{{Name: ArtifactName, Digest: b.ArtifactDigest}}, w.Builder.Signer)
	if err != nil {
		return nil, fmt.Errorf("buildenvtest: provenance: %w", err)
	}
	if b.Provenance, err = marshal(provEnv); err != nil {
		return nil, err
	}

	// The response-time report over the provenance statement.
	if response {
		statement := sha256.Sum256(provEnv.Payload)
		if ts["response-other"] {
			statement = sha256.Sum256([]byte("another statement"))
		}
		rd, err := tee.Bind(PurposeProvenance, statement[:])
		if err != nil {
			return nil, err
		}
		report, endorsements, err := w.teeEvidence(platform, ts, measurement, rd)
		if err != nil {
			return nil, err
		}
		b.Response = &tee.Evidence{Platform: tee.Platform(platform), Report: report}
		if platform == PlatformSEVSNP {
			b.Response.Certificates = endorsements
		} else {
			b.Response.Collateral = endorsements
		}
		for _, blob := range [][]byte{report, endorsements} {
			if !slices.ContainsFunc(b.Evidence, func(e []byte) bool { return bytes.Equal(e, blob) }) {
				b.Evidence = append(b.Evidence, blob)
			}
		}
	}

	b.Attestations = [][]byte{b.Provenance, b.ImageProvenance, b.ReferenceValues, b.Launch}
	if ts["no-dispatch"] {
		b.Dispatch = nil
	} else {
		b.Attestations = append(b.Attestations, b.Dispatch)
	}
	return b, nil
}
