package scai_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/threat"
)

func imageValues() scai.ImageReferenceValues {
	return scai.ImageReferenceValues{
		Image:    buildtrust.ResourceDescriptor{Name: "builder-image.qcow2", Digest: hexDigest("1")},
		Producer: &buildtrust.ResourceDescriptor{URI: "https://images.example/producer"},
		Values: []scai.ReferenceValue{
			{Component: scai.Bootloader, Name: "shimx64.efi", Digest: hexDigest("2")},
			{Component: scai.Kernel, Name: "vmlinuz", Digest: hexDigest("3")},
			{Component: scai.BuildAgent, Name: "agent", Digest: hexDigest("4")},
			{Component: scai.RootFS, Name: "dm-verity-root", Digest: hexDigest("5")},
			{Component: scai.PCR, Name: "PCR0", PCR: 0, Digest: hexDigest("6")},
			{Component: scai.PCR, Name: "PCR7", PCR: 7, Digest: hexDigest("7")},
			{Component: scai.TEELaunch, Name: "MEASUREMENT", Platform: scai.PlatformSEVSNP, Digest: buildtrust.DigestSet{buildtrust.SHA384: strings.Repeat("8", 96)}},
		},
	}
}

// BENV-L2-2: image reference values round trip, lookups and completeness.
func TestImageReferenceValuesRoundTrip(t *testing.T) {
	s, pub := signer(t, seedKey(3))
	in := imageValues()
	st, err := scai.NewImageReferenceValues(in)
	if err != nil {
		t.Fatal(err)
	}
	v, err := scai.Verify(sign(t, st, s), scai.VerifyOptions{Keys: []*buildtrust.PublicKey{pub}, Subject: in.Image.Digest})
	if err != nil {
		t.Fatal(err)
	}
	got, err := scai.ParseImageReferenceValues(v.Statement)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Values) != len(in.Values) {
		t.Fatalf("got %d values", len(got.Values))
	}
	for i := range in.Values {
		w, g := in.Values[i], got.Values[i]
		if w.Component != g.Component || w.Name != g.Name || w.PCR != g.PCR || w.Platform != g.Platform || (buildtrust.DigestPolicy{}).Match(w.Digest, g.Digest) != nil {
			t.Errorf("value %d: got %+v, want %+v", i, g, w)
		}
	}
	if pcrs := got.Lookup(scai.PCR); len(pcrs) != 2 || pcrs[1].PCR != 7 {
		t.Errorf("Lookup(PCR) = %+v", pcrs)
	}
	if err := got.Complete(); err != nil {
		t.Errorf("Complete: %v", err)
	}
	// A producer that forgets the build agent fails completeness (E9).
	in.Values = slicesDelete(in.Values, 2)
	st, _ = scai.NewImageReferenceValues(in)
	got, _ = scai.ParseImageReferenceValues(st)
	if err := got.Complete(); !errors.Is(err, scai.ErrAttribute) || !errors.Is(err, threat.E9) {
		t.Errorf("incomplete accepted: %v", err)
	}
	if err := got.Complete(scai.Kernel); err != nil {
		t.Errorf("Complete(kernel): %v", err)
	}
}

func slicesDelete[T any](s []T, i int) []T { return append(s[:i:i], s[i+1:]...) }

func TestImageReferenceValuesRejects(t *testing.T) {
	bad := []struct {
		name string
		rv   scai.ReferenceValue
	}{
		{"no component", scai.ReferenceValue{Name: "x", Digest: hexDigest("1")}},
		{"no name", scai.ReferenceValue{Component: scai.Kernel, Digest: hexDigest("1")}},
		{"bad digest", scai.ReferenceValue{Component: scai.Kernel, Name: "k", Digest: buildtrust.DigestSet{"sha256": "abc"}}},
		{"PCR out of range", scai.ReferenceValue{Component: scai.PCR, Name: "PCR24", PCR: 24, Digest: hexDigest("1")}},
		{"TEE without platform", scai.ReferenceValue{Component: scai.TEELaunch, Name: "MRTD", Digest: hexDigest("1")}},
	}
	for _, tc := range bad {
		in := imageValues()
		in.Values = []scai.ReferenceValue{tc.rv}
		if _, err := scai.NewImageReferenceValues(in); !errors.Is(err, buildtrust.ErrMalformed) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// Parsed from third-party bytes: a PCR value without index, no values.
	for name, pred := range map[string]string{
		"PCR without index": `{"attributes":[{"attribute":"BUILDENV_REFERENCE_VALUE","target":{"name":"PCR1","digest":{"sha256":"` + strings.Repeat("a", 64) + `"}},"conditions":{"component":"pcr"}}]}`,
		"no values":         `{"attributes":[{"attribute":"OTHER"}]}`,
		"no conditions":     `{"attributes":[{"attribute":"BUILDENV_REFERENCE_VALUE","target":{"name":"k","digest":{"sha256":"` + strings.Repeat("a", 64) + `"}}}]}`,
	} {
		st := &buildtrust.Statement{Type: buildtrust.StatementTypeV1, PredicateType: scai.PredicateTypeV03,
			Subject: []buildtrust.ResourceDescriptor{{Digest: hexDigest("1")}}, Predicate: json.RawMessage(pred)}
		if _, err := scai.ParseImageReferenceValues(st); !errors.Is(err, scai.ErrAttribute) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

type launchFixture struct {
	identity ed25519.PrivateKey
	env      []byte
	launch   *scai.Launch
	quote    []byte
	log      []byte
	report   []byte
}

func newLaunch(t *testing.T) launchFixture {
	t.Helper()
	platform, platformPub := signer(t, seedKey(4))
	idKey := seedKey(5)
	quote := bytes.Repeat([]byte{0xff, 0x54, 0x43, 0x47}, 32) // 128 bytes: inline
	log := bytes.Repeat([]byte{0x01}, 40_000)                 // by reference
	report := bytes.Repeat([]byte{0x02}, 1184)                // SEV-SNP report size: by reference
	st, err := scai.NewLaunch(scai.LaunchInput{
		IdentityKey: idKey.Public(),
		Image:       &buildtrust.ResourceDescriptor{Name: "builder-image.qcow2", Digest: hexDigest("1")},
		ImageAttestation: &buildtrust.ResourceDescriptor{Name: "builder-image.intoto.jsonl", Digest: hexDigest("9"),
			MediaType: "application/vnd.in-toto.provenance+dsse", DownloadLocation: "https://images.example/builder-image.intoto.jsonl"},
		TPM: &scai.TPMEvidence{
			Quote:     scai.Blob{Data: quote},
			Signature: scai.Blob{Data: bytes.Repeat([]byte{3}, 256)},
			EventLog:  scai.Blob{Data: log, Location: "https://evidence.example/env-1/eventlog"},
		},
		TEE: &scai.TEEEvidence{Platform: scai.PlatformSEVSNP, Report: scai.Blob{Data: report, Location: "https://evidence.example/env-1/report"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	env := sign(t, st, platform)
	v, err := scai.Verify(env, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{platformPub}, InsecureSkipSubject: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := scai.ParseLaunch(v.Statement)
	if err != nil {
		t.Fatal(err)
	}
	return launchFixture{identity: idKey, env: env, launch: l, quote: quote, log: log, report: report}
}

// BENV-H-4, BENV-L2-3, BENV-L3-1: the launch attestation round trip.
func TestLaunchRoundTrip(t *testing.T) {
	f := newLaunch(t)
	l := f.launch
	if l.Image == nil || l.Image.Image.Name != "builder-image.qcow2" || l.Image.Attestation == nil {
		t.Errorf("image claim lost: %+v", l.Image)
	}
	if l.MeasuredBoot == nil || l.MeasuredBoot.EventLog == nil || l.MeasuredBoot.AKCertificate != nil || len(l.MeasuredBoot.Pieces()) != 3 {
		t.Fatalf("measured boot: %+v", l.MeasuredBoot)
	}
	if l.TEE == nil || l.TEE.Platform != scai.PlatformSEVSNP || l.TEE.Report.MediaType != scai.MediaTypeSEVSNPReport || len(l.TEE.Pieces()) != 1 {
		t.Fatalf("TEE: %+v", l.TEE)
	}
	// Evidence: the quote is inline, the log and report by reference; each
	// checks against its bytes.
	if _, err := scai.CheckEvidence(l.MeasuredBoot.Quote, nil, buildtrust.DigestPolicy{}); err != nil {
		t.Errorf("inline quote: %v", err)
	}
	if _, err := scai.CheckEvidence(l.MeasuredBoot.EventLog, f.log, buildtrust.DigestPolicy{}); err != nil {
		t.Errorf("event log: %v", err)
	}
	if _, err := scai.CheckEvidence(l.TEE.Report, f.report, buildtrust.DigestPolicy{}); err != nil {
		t.Errorf("report: %v", err)
	}
	if _, err := scai.CheckEvidence(l.TEE.Report, f.log, buildtrust.DigestPolicy{}); !errors.Is(err, threat.E10) {
		t.Errorf("swapped report accepted: %v", err)
	}
	// The binding commits to the identity key: payload = SHA-256(SPKI).
	id, _ := scai.IdentityDescriptor(f.identity.Public())
	if !reflect.DeepEqual(l.TEE.Binding, l.MeasuredBoot.Binding) || l.TEE.Binding.Purpose != scai.PurposeLaunch || l.TEE.Binding.Payload[buildtrust.SHA256] != id.Digest[buildtrust.SHA256] {
		t.Errorf("binding: %+v", l.TEE.Binding)
	}
	if p, err := l.TEE.Binding.PayloadBytes(); err != nil || len(p) != 32 {
		t.Errorf("payload bytes: %v", err)
	}
	key, err := l.IdentityKey(buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := buildtrust.NewPublicKey(f.identity.Public(), buildtrust.KeyOptions{})
	if key.ID() != want.ID() {
		t.Error("identity key differs")
	}
}

// A launch whose evidence is bound to another key, or whose identity content
// is swapped, is rejected (BENV-H-4: the identity must be bound by the
// evidence).
func TestLaunchBindingRejects(t *testing.T) {
	f := newLaunch(t)
	other, _ := scai.IdentityDescriptor(seedKey(6).Public())
	mutate := func(edit func(m map[string]any)) *buildtrust.Statement {
		st, err := scai.NewLaunch(scai.LaunchInput{IdentityKey: f.identity.Public(),
			TEE: &scai.TEEEvidence{Platform: scai.PlatformTDX, Report: scai.Blob{Data: []byte("quote")}}})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := st.Marshal()
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		edit(m)
		out, _ := json.Marshal(m)
		st, err = buildtrust.ParseStatement(out)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	attr0 := func(m map[string]any) map[string]any {
		return m["predicate"].(map[string]any)["attributes"].([]any)[0].(map[string]any)
	}
	tests := []struct {
		name    string
		st      *buildtrust.Statement
		wantErr error
		wantThr threat.ID
	}{
		{"binding payload of another key", mutate(func(m map[string]any) {
			attr0(m)["conditions"].(map[string]any)["binding"].(map[string]any)["payload"] = map[string]any{"sha256": other.Digest["sha256"]}
		}), scai.ErrBinding, threat.E10},
		{"dispatch purpose in a launch", mutate(func(m map[string]any) {
			attr0(m)["conditions"].(map[string]any)["binding"].(map[string]any)["purpose"] = "dispatch"
		}), scai.ErrBinding, threat.E10},
		{"identity content swapped", mutate(func(m map[string]any) {
			m["subject"].([]any)[0].(map[string]any)["content"] = other.Content
		}), scai.ErrBinding, threat.E10},
		{"platform and media type disagree", mutate(func(m map[string]any) {
			attr0(m)["conditions"].(map[string]any)["platform"] = "sev-snp"
		}), scai.ErrAttribute, ""},
		{"no hardware evidence", mutate(func(m map[string]any) {
			attr0(m)["attribute"] = "SOMETHING_ELSE"
		}), scai.ErrAttribute, threat.E10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scai.ParseLaunch(tc.st)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantThr != "" && !errors.Is(err, tc.wantThr) {
				t.Errorf("err %v does not name %s", err, tc.wantThr)
			}
		})
	}
	// NewLaunch input errors.
	for name, in := range map[string]scai.LaunchInput{
		"no identity": {TEE: &scai.TEEEvidence{Platform: scai.PlatformTDX, Report: scai.Blob{Data: []byte("q")}}},
		"no evidence": {IdentityKey: f.identity.Public()},
		"bad platform": {IdentityKey: f.identity.Public(),
			TEE: &scai.TEEEvidence{Platform: "sgx", Report: scai.Blob{Data: []byte("q")}}},
		"TPM without signature": {IdentityKey: f.identity.Public(), TPM: &scai.TPMEvidence{Quote: scai.Blob{Data: []byte("q")}}},
	} {
		if _, err := scai.NewLaunch(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// BENV-L2-4, BENV-H-5, BENV-L3-2: dispatch round trip, signed by the
// identity key taken from the verified launch; build ID and launch checks.
func TestDispatchRoundTrip(t *testing.T) {
	f := newLaunch(t)
	idSigner, _ := signer(t, f.identity)
	freshQuote := []byte("fresh TPM quote over the dispatch binding")
	st, err := scai.NewDispatch(scai.DispatchInput{
		IdentityKey:    f.identity.Public(),
		BuildID:        "https://ci.example/runs/42",
		LaunchEnvelope: f.env,
		LaunchLocation: "https://evidence.example/env-1/launch.json",
		TPM:            &scai.TPMEvidence{Quote: scai.Blob{Data: freshQuote}, Signature: scai.Blob{Data: []byte("sig")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	idKey, err := f.launch.IdentityKey(buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := scai.Verify(sign(t, st, idSigner), scai.VerifyOptions{Keys: []*buildtrust.PublicKey{idKey}, Subject: f.launch.Identity.Digest})
	if err != nil {
		t.Fatal(err)
	}
	d, err := scai.ParseDispatch(v.Statement)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CheckBuildID("https://ci.example/runs/42"); err != nil {
		t.Error(err)
	}
	if err := d.CheckLaunch(f.launch, f.env); err != nil {
		t.Error(err)
	}
	if d.MeasuredBoot == nil || d.MeasuredBoot.Binding.Purpose != scai.PurposeDispatch ||
		d.MeasuredBoot.Binding.Payload[buildtrust.SHA256] != scai.DispatchPayload(f.launch.Identity, d.BuildID)[buildtrust.SHA256] {
		t.Errorf("dispatch binding: %+v", d.MeasuredBoot)
	}

	sum := sha256.Sum256(f.env)
	envDigest := buildtrust.DigestSet{buildtrust.SHA256: hex.EncodeToString(sum[:])}
	if err := d.CheckLaunchDigest(f.launch, envDigest); err != nil {
		t.Error(err)
	}

	// Rejections, each naming E9 and E10.
	other := newLaunchOther(t)
	tampered := bytes.Clone(f.env)
	tampered[len(tampered)/2] ^= 1
	tamperedSum := sha256.Sum256(tampered)
	for name, err := range map[string]error{
		"another build":                   d.CheckBuildID("https://ci.example/runs/43"),
		"empty expected build":            d.CheckBuildID(""),
		"another environment":             d.CheckLaunch(other, f.env),
		"launch envelope swapped":         d.CheckLaunch(f.launch, tampered),
		"launch envelope not given":       d.CheckLaunch(f.launch, nil),
		"nil launch":                      d.CheckLaunch(nil, f.env),
		"digest: another environment":     d.CheckLaunchDigest(other, envDigest),
		"digest: launch envelope swapped": d.CheckLaunchDigest(f.launch, buildtrust.DigestSet{buildtrust.SHA256: hex.EncodeToString(tamperedSum[:])}),
		"digest: no digest":               d.CheckLaunchDigest(f.launch, nil),
		"digest: only a weak digest":      d.CheckLaunchDigest(f.launch, buildtrust.DigestSet{"md5": "d41d8cd98f00b204e9800998ecf8427e"}),
		"digest: nil launch":              d.CheckLaunchDigest(nil, envDigest),
	} {
		if !errors.Is(err, scai.ErrBinding) || !errors.Is(err, threat.E9) || !errors.Is(err, threat.E10) {
			t.Errorf("%s: %v", name, err)
		}
	}

	// A dispatch signed by someone else than the identity key fails.
	platform, _ := signer(t, seedKey(4))
	if _, err := scai.Verify(sign(t, st, platform), scai.VerifyOptions{Keys: []*buildtrust.PublicKey{idKey}, Subject: f.launch.Identity.Digest}); !errors.Is(err, buildtrust.ErrSignature) {
		t.Errorf("dispatch signed by the platform accepted: %v", err)
	}
	// Fresh evidence bound to another build ID is rejected at parse time.
	st2, _ := scai.NewDispatch(scai.DispatchInput{IdentityKey: f.identity.Public(), BuildID: "run-1",
		TEE: &scai.TEEEvidence{Platform: scai.PlatformTDX, Report: scai.Blob{Data: []byte("q")}}})
	raw, _ := st2.Marshal()
	raw = bytes.Replace(raw, []byte(`"buildId":"run-1"`), []byte(`"buildId":"run-2"`), 1)
	st3, err := buildtrust.ParseStatement(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scai.ParseDispatch(st3); !errors.Is(err, scai.ErrBinding) || !errors.Is(err, threat.E10) {
		t.Errorf("rebound build ID accepted: %v", err)
	}
	for name, in := range map[string]scai.DispatchInput{
		"no build ID":     {IdentityKey: f.identity.Public()},
		"control char ID": {IdentityKey: f.identity.Public(), BuildID: "a\nb"},
		"huge build ID":   {IdentityKey: f.identity.Public(), BuildID: strings.Repeat("x", 1025)},
		"no identity":     {BuildID: "x"},
	} {
		if _, err := scai.NewDispatch(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func newLaunchOther(t *testing.T) *scai.Launch {
	st, err := scai.NewLaunch(scai.LaunchInput{IdentityKey: seedKey(7).Public(),
		TEE: &scai.TEEEvidence{Platform: scai.PlatformTDX, Report: scai.Blob{Data: []byte("q")}}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := scai.ParseLaunch(st)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
