package scai_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/scai"
)

// FuzzParsePredicate: no input panics; whatever parses validates, and
// re-encodes to something that parses again (SCAI-2…8).
func FuzzParsePredicate(f *testing.F) {
	f.Add([]byte(`{"attributes":[{"attribute":"A","conditions":{"k":1},"target":{"uri":"https://t"}}],"producer":{"uri":"https://p"}}`))
	f.Add([]byte(`{"attributes":[{"attribute":"A","evidence":{"content":"AAEC","digest":{"sha256":"` + string(bytes.Repeat([]byte("a"), 64)) + `"}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := scai.ParsePredicate(data)
		if err != nil {
			return
		}
		if err := rep.Validate(); err != nil {
			t.Fatalf("parsed but invalid: %v", err)
		}
		_ = rep.Names()
		st, err := scai.New(*rep, buildtrust.ResourceDescriptor{Digest: buildtrust.DigestSet{buildtrust.SHA256: string(bytes.Repeat([]byte("a"), 64))}})
		if err != nil {
			t.Fatalf("valid report rejected by New: %v", err)
		}
		if _, err := scai.ParsePredicate(st.Predicate); err != nil {
			t.Fatalf("re-encoded report does not parse: %v\n%s", err, st.Predicate)
		}
		for i := range rep.Attributes {
			if ev := rep.Attributes[i].Evidence; ev != nil {
				_, _ = scai.CheckEvidence(ev, nil, buildtrust.DigestPolicy{})
			}
		}
	})
}

// FuzzParseBuildEnv: statements fed to the three BuildEnv parsers never
// panic, and what they accept has the invariants they promise.
func FuzzParseBuildEnv(f *testing.F) {
	id := seedKey(9).Public()
	if st, err := scai.NewLaunch(scai.LaunchInput{IdentityKey: id,
		TPM: &scai.TPMEvidence{Quote: scai.Blob{Data: []byte("q")}, Signature: scai.Blob{Data: []byte("s")}},
		TEE: &scai.TEEEvidence{Platform: scai.PlatformTDX, Report: scai.Blob{Data: []byte("r")}}}); err == nil {
		raw, _ := st.Marshal()
		f.Add(raw)
	}
	if st, err := scai.NewDispatch(scai.DispatchInput{IdentityKey: id, BuildID: "run-1", LaunchEnvelope: []byte("{}"),
		TEE: &scai.TEEEvidence{Platform: scai.PlatformSEVSNP, Report: scai.Blob{Data: []byte("r")}}}); err == nil {
		raw, _ := st.Marshal()
		f.Add(raw)
	}
	if st, err := scai.NewImageReferenceValues(imageValues()); err == nil {
		raw, _ := st.Marshal()
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := buildtrust.ParseStatement(data)
		if err != nil {
			return
		}
		if l, err := scai.ParseLaunch(st); err == nil {
			if l.MeasuredBoot == nil && l.TEE == nil {
				t.Fatal("launch without evidence accepted")
			}
			if _, err := l.IdentityKey(buildtrust.KeyOptions{}); err != nil && !errors.Is(err, buildtrust.ErrUnsupportedKey) {
				t.Fatalf("identity key: %v", err)
			}
		}
		if d, err := scai.ParseDispatch(st); err == nil {
			if d.BuildID == "" || d.CheckBuildID(d.BuildID) != nil {
				t.Fatal("dispatch build ID check inconsistent")
			}
		}
		if v, err := scai.ParseImageReferenceValues(st); err == nil {
			if len(v.Values) == 0 {
				t.Fatal("no reference values accepted")
			}
			_ = v.Complete()
		}
	})
}
