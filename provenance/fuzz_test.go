package provenance

import (
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/corpustest"
)

// fuzzPredicate parses data as a predicate of each supported version and,
// when it parses, runs every check on it: nothing may panic.
func fuzzPredicate(t *testing.T, predicateType string, data []byte) {
	st := &buildtrust.Statement{Type: buildtrust.StatementTypeV1, PredicateType: predicateType, Predicate: data,
		Subject: []buildtrust.ResourceDescriptor{{Digest: buildtrust.DigestSet{buildtrust.SHA256: artifactSHA256}}}}
	p, err := Parse(st)
	if err != nil {
		return
	}
	if p.RunDetails.Builder.ID == "" || p.BuildDefinition.BuildType == "" {
		t.Fatal("parsed provenance lacks a required field")
	}
	_, _ = p.ToProto()
	key := newKey(t).PublicKey()
	_, _ = Check(Attestation{Statement: st, Signers: []Identity{KeyIdentity(key)}}, Expectations{
		Artifact: buildtrust.DigestSet{buildtrust.SHA256: artifactSHA256}, BuilderIDs: []string{p.RunDetails.Builder.ID},
		SourceRepository: "github.com/example/app", SourceVersionedTag: "v1", SourceCommit: testCommit, ConfigPath: "x",
		Parameters: map[string]ParameterRule{"/a/b": {Values: []any{"x"}}}, IgnoreParameters: []string{"/c"},
	}, Options{TrustRoot: []TrustedBuilder{{ID: p.RunDetails.Builder.ID, Signers: []SignerRule{SignedBy(key)}, MaxLevel: 3}}})
}

func addCorpusPredicates(f *testing.F, patterns ...string) {
	for _, pat := range patterns {
		for _, file := range corpustest.Glob(pat) {
			if data, err := os.ReadFile(file); err == nil {
				if st, err := buildtrust.ParseStatement(data); err == nil {
					f.Add(string(st.Predicate))
				}
			}
		}
	}
}

func FuzzParseV1(f *testing.F) {
	addCorpusPredicates(f, "slsa-spec/docs/*/examples/v1/example.json")
	f.Fuzz(func(t *testing.T, data string) {
		checkV1DecodersAgree(t, []byte(data))
		fuzzPredicate(t, PredicateTypeV1, []byte(data))
	})
}

// checkV1DecodersAgree holds the one-pass decoder to the reflection-based
// one (strictjson.Unmarshal): same verdict, same value.
func checkV1DecodersAgree(t *testing.T, data []byte) {
	fast, fastErr := readV1(data)
	var ref Provenance
	refErr := decode(data, &ref)
	if errors.Is(fastErr, buildtrust.ErrTooLarge) {
		return // the one-pass decoder stops at the limit; the reference reads on
	}
	if (fastErr == nil) != (refErr == nil) {
		t.Fatalf("decoders disagree on %q: fast %v, reference %v", data, fastErr, refErr)
	}
	if fastErr == nil && !reflect.DeepEqual(normalizeEmpty(fast), normalizeEmpty(ref)) {
		t.Fatalf("decoders disagree on %q:\nfast %#v\nref  %#v", data, fast, ref)
	}
}

// normalizeEmpty maps empty descriptor lists to nil: "[]" and absence mean
// the same (PROV-2) and the two decoders differ only there.
func normalizeEmpty(p Provenance) Provenance {
	for _, l := range []*[]buildtrust.ResourceDescriptor{&p.BuildDefinition.ResolvedDependencies, &p.RunDetails.Byproducts, &p.RunDetails.Builder.BuilderDependencies} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	return p
}

func TestV1DecodersAgreeOnSeeds(t *testing.T) {
	for _, in := range []string{
		`{"buildDefinition":{"buildType":"a:b","externalParameters":{"x":[1,{"y":null}],"n":1e400},"resolvedDependencies":[]},"runDetails":{"builder":{"id":"i","version":{}},"metadata":{"startedOn":"2026-11-01T10:00:00Z","finishedOn":null}}}`,
		`{"buildDefinition":{"buildType":"a:b","externalParameters":{},"BuildType":"evil"},"runDetails":null}`,
		`{"buildDefinition":{"buildType":1}}`,
		`{"runDetails":{"metadata":{"startedOn":"2026-11-01T10:00:00+0000"}}}`,
		`{"runDetails":{"metadata":{"startedOn":"2026-11-01 10:00:00Z"}}}`,
		`{"runDetails":{"builder":{"version":{"a":1}}}}`,
		`{"buildDefinition":{"resolvedDependencies":[{"uri":"x","URI":"y"}]}}`,
		`{"buildDefinition":{"externalParameters":[1]}}`,
	} {
		checkV1DecodersAgree(t, []byte(in))
	}
}

func FuzzParseV02(f *testing.F) {
	addCorpusPredicates(f, "scai-demos/examples/*/metadata/*.provenance.json", "scai-demos/examples/sbom+slsa/metadata/slsa-provenance.json")
	f.Fuzz(func(t *testing.T, data string) {
		fuzzPredicate(t, PredicateTypeV02, []byte(data))
		fuzzPredicate(t, PredicateTypeV01, []byte(data))
	})
}

func FuzzParseGCloud(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseGCloud(data)
		if err != nil {
			return
		}
		for _, e := range entries {
			if _, err := VerifyGCloudEntry(e, GCBKeys{PAE: []*buildtrust.PublicKey{newKey(t).PublicKey()}}); err == nil {
				t.Fatal("verified with a random key")
			}
		}
	})
}
