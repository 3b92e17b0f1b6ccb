package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	slsa1 "github.com/in-toto/attestation/go/predicates/provenance/v1"
	ita1 "github.com/in-toto/attestation/go/v1"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
)

// provenanceExpectations is what the consumer expects; the peer checks the
// same facts by hand.
func provenanceExpectations() provenance.Expectations {
	return provenance.Expectations{
		Artifact:         buildtrust.DigestSet{buildtrust.SHA256: artifact},
		BuilderIDs:       []string{builderID},
		SourceRepository: sourceRepo,
		SourceTag:        "v1.2.3",
		SourceCommit:     commit,
		ConfigPath:       configPath,
		BuildTypes:       []string{buildType},
		Parameters: map[string]provenance.ParameterRule{
			"/inputs/release": {Values: []any{true}},
			"/inputs/target":  {Values: []any{"linux"}},
		},
		MinBuildLevel: 3,
	}
}

// provenancePair: our provenance.Verify (DSSE verify, strict statement and
// predicate parse, every named check) against the closest peer path in Go.
//
// No Go library does the equivalent for key-signed provenance:
// slsa-verifier verifies only Sigstore-signed provenance (and GCB's) and is
// not a library for arbitrary keys; in-toto's attestation-verifier is a
// prototype. So the peer is what a Go user writes with the libraries
// everybody uses: go-securesystemslib's DSSE verifier, the in-toto
// attestation Go bindings (protojson into Statement, Validate, the
// predicate re-marshalled into the typed slsa1.Provenance, Validate — the
// bindings' documented route), and then the same expectations as ours,
// checked by hand in the fewest lines (peerChecks). The hand checks are
// cheaper than ours by construction: no check list, no threat IDs, no
// profile lookup, no semver or JSON-pointer machinery.
func provenancePair(tb testing.TB) pair[[]byte] {
	in := signProvenance(tb, "P256")
	exp := provenanceExpectations()
	opts := provenance.Options{
		TrustRoot: []provenance.TrustedBuilder{{ID: builderID, Signers: []provenance.SignerRule{provenance.SignedBy(in.ours)}, MaxLevel: 3}},
		Now:       finishedOn.Add(time.Hour),
	}
	ev, err := dsse.NewEnvelopeVerifier(in.peer)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	lenient := protojson.UnmarshalOptions{DiscardUnknown: true}
	return pair[[]byte]{
		peer:     "go-securesystemslib dsse + in-toto attestation Go bindings",
		genuine:  in.envelope,
		tampered: tamperedEnvelope(tb, in.envelope),
		ours: func(data []byte) error {
			_, err := provenance.Verify(data, exp, opts)
			return err
		},
		theirs: func(data []byte) error {
			var e dsse.Envelope
			if err := json.Unmarshal(data, &e); err != nil {
				return err
			}
			_, payload, err := ev.VerifyAndDecode(ctx, &e)
			if err != nil {
				return err
			}
			if e.PayloadType != inToto {
				return fmt.Errorf("payload type %q", e.PayloadType)
			}
			var st ita1.Statement
			if err := lenient.Unmarshal(payload, &st); err != nil {
				return err
			}
			if err := st.Validate(); err != nil {
				return err
			}
			if st.GetPredicateType() != provenance.PredicateTypeV1 {
				return fmt.Errorf("predicate type %q", st.GetPredicateType())
			}
			pj, err := protojson.Marshal(st.GetPredicate())
			if err != nil {
				return err
			}
			var p slsa1.Provenance
			if err := lenient.Unmarshal(pj, &p); err != nil {
				return err
			}
			if err := p.Validate(); err != nil {
				return err
			}
			return peerChecks(&st, &p)
		},
		floor: floorFor(in),
	}
}

// peerChecks are the expectations of provenanceExpectations, written the
// way a user of the in-toto bindings would: subject digest, builder ID
// (bare or with a version), build type, workflow repository, tag and path,
// the source commit among the resolved dependencies, and the two inputs.
func peerChecks(st *ita1.Statement, p *slsa1.Provenance) error {
	found := false
	for _, s := range st.GetSubject() {
		if s.GetDigest()["sha256"] == artifact {
			found = true
			break
		}
	}
	if !found {
		return errors.New("no subject matches the artifact")
	}
	id := p.GetRunDetails().GetBuilder().GetId()
	if id != builderID && !strings.HasPrefix(id, builderID+"@") {
		return fmt.Errorf("builder %q", id)
	}
	if p.GetBuildDefinition().GetBuildType() != buildType {
		return fmt.Errorf("build type %q", p.GetBuildDefinition().GetBuildType())
	}
	ext := p.GetBuildDefinition().GetExternalParameters().AsMap()
	wf, _ := ext["workflow"].(map[string]any)
	if wf["repository"] != "https://"+sourceRepo || wf["ref"] != "refs/tags/v1.2.3" || wf["path"] != configPath {
		return fmt.Errorf("workflow %v", wf)
	}
	inputs, _ := ext["inputs"].(map[string]any)
	if len(ext) != 2 || len(inputs) != 2 || inputs["release"] != true || inputs["target"] != "linux" {
		return fmt.Errorf("parameters %v", ext)
	}
	found = false
	for _, rd := range p.GetBuildDefinition().GetResolvedDependencies() {
		if strings.HasPrefix(rd.GetUri(), "git+https://"+sourceRepo+"@") && rd.GetDigest()["gitCommit"] == commit {
			found = true
			break
		}
	}
	if !found {
		return errors.New("source commit not among the resolved dependencies")
	}
	return nil
}

func BenchmarkProvenance(b *testing.B) {
	b.Run("input=slsa1-3KB-P256", func(b *testing.B) { provenancePair(b).bench(b) })
}
