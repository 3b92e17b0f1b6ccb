package buildenvtest_test

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/sevsnp"
	"github.com/buildtrust/buildtrust/tee/tdx"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/tpm"
)

var sharedWorld = sync.OnceValues(buildenvtest.NewWorld)

func world(t testing.TB) *buildenvtest.World {
	t.Helper()
	w, err := sharedWorld()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func build(t testing.TB, w *buildenvtest.World, o buildenvtest.Options) *buildenvtest.Bundle {
	t.Helper()
	b, err := w.Build(o)
	if err != nil {
		t.Fatalf("Build(%+v): %v", o, err)
	}
	return b
}

// The links of the chain, in the order DESIGN.md's "BuildEnv chain" checks
// them.
const (
	linkProvenance = "provenance"       // the artifact's provenance, Build L3
	linkImage      = "image.provenance" // the launched image's provenance
	linkRefValues  = "image.refvalues"  // the image's signed reference values
	linkLaunch     = "launch"           // the launch attestation and its evidence bytes
	linkQuote      = "boot.quote"       // TPM quote and event log replay
	linkBootRef    = "boot.refvalues"   // measured components and PCRs against the reference values
	linkTEE        = "tee"              // SEV-SNP report / TDX quote
	linkDispatch   = "dispatch"         // dispatch signed by the identity, same launch and build
	linkByproducts = "byproducts"       // the provenance names this launch and dispatch
	linkResponse   = "response"         // the response-time report binds the provenance
)

var (
	// errMissing: the attestation or evidence a link needs is absent.
	errMissing = errors.New("missing")
	// errSkipped: a link could not run because one it depends on failed
	// in a way that leaves it no input.
	errSkipped = errors.New("skipped")
)

func publicKey(t testing.TB, pemText string) *buildtrust.PublicKey {
	t.Helper()
	k, err := buildtrust.ParsePublicKey([]byte(pemText), buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// unverified reads the statement of an envelope without checking its
// signature. The chain verifier uses it only to keep checking the links
// after a failed one, so that a test can see that a tamper breaks exactly
// the links it targets; a real verifier stops there.
func unverified(t testing.TB, envelope []byte) *buildtrust.Statement {
	t.Helper()
	st, err := buildenvtest.Unverified(envelope)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// roles sorts the bundle's attestations as a verifier does, by what they
// say: provenance of the artifact, other provenance (image candidates),
// reference values, launch and dispatch.
type roles struct {
	provenance, refValues, launch, dispatch []byte
	otherProvenance                         [][]byte
}

func classify(t testing.TB, b *buildenvtest.Bundle) roles {
	t.Helper()
	var r roles
	set := func(dst *[]byte, env []byte, role string) {
		if *dst != nil {
			t.Fatalf("two %s attestations", role)
		}
		*dst = env
	}
	for _, env := range b.Attestations {
		st := unverified(t, env)
		switch {
		case st.PredicateType == provenance.PredicateTypeV1:
			if _, err := st.MatchSubjects(b.ArtifactDigest, buildtrust.DigestPolicy{}); err == nil {
				set(&r.provenance, env, "artifact provenance")
			} else {
				r.otherProvenance = append(r.otherProvenance, env)
			}
		case scai.IsPredicateType(st.PredicateType):
			rep, err := scai.Parse(st)
			if err != nil {
				t.Fatal(err)
			}
			switch p := rep.Predicate; {
			case p.Has(scai.AttrReferenceValue):
				set(&r.refValues, env, "reference values")
			case p.Has(scai.AttrDispatch):
				set(&r.dispatch, env, "dispatch")
			case p.Has(scai.AttrMeasuredBoot) || p.Has(scai.AttrHardwareTEE):
				set(&r.launch, env, "launch")
			default:
				t.Fatalf("unknown SCAI attestation %v", p.Names())
			}
		default:
			t.Fatalf("unknown predicate type %s", st.PredicateType)
		}
	}
	return r
}

// verifyTEE verifies a report or quote as a verifier holding the World's
// test roots and the signed reference measurement would.
func verifyTEE(w *buildenvtest.World, platform string, measurements [][]byte, ev tee.Evidence, reportData [64]byte) (*tee.Claims, error) {
	var v tee.Verifier
	switch platform {
	case scai.PlatformSEVSNP:
		roots, err := sevsnp.ParseRoots(w.SNPRootBundles...)
		if err != nil {
			return nil, err
		}
		if v, err = sevsnp.NewVerifier(sevsnp.Options{Roots: roots, Measurements: measurements}); err != nil {
			return nil, err
		}
	case scai.PlatformTDX:
		roots, err := tdx.ParseRoots(w.TDXRootsPEM)
		if err != nil {
			return nil, err
		}
		if v, err = tdx.NewVerifier(tdx.Options{Roots: roots, MRTDs: measurements}); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("platform %q", platform)
	}
	return v.Verify(tee.Request{Evidence: ev, Now: w.Now, ReportData: reportData[:]})
}

func teeEvidence(platform string, report, endorsements []byte) tee.Evidence {
	ev := tee.Evidence{Platform: tee.Platform(platform), Report: report}
	if platform == scai.PlatformTDX {
		ev.Collateral = endorsements
	} else {
		ev.Certificates = endorsements
	}
	return ev
}

// verifyChain checks every link of the bundle with the existing packages,
// as a verifier trusting the World's keys and roots does, and returns each
// link's outcome: nil (passed), an error (failed), errSkipped.
func verifyChain(t *testing.T, w *buildenvtest.World, b *buildenvtest.Bundle) map[string]error {
	t.Helper()
	res := map[string]error{}
	r := classify(t, b)

	// Evidence published beside the bundle, found by digest.
	published := map[string][]byte{}
	for _, e := range b.Evidence {
		published[hex.EncodeToString(sum(e))] = e
	}
	fetch := func(rd *buildtrust.ResourceDescriptor) ([]byte, error) {
		return scai.CheckEvidence(rd, published[rd.Digest[buildtrust.SHA256]], buildtrust.DigestPolicy{})
	}

	// 5. Build: the artifact's provenance.
	artifact, _, err := buildtrust.Digest(bytes.NewReader(b.Artifact), buildtrust.SHA256, buildtrust.SHA512)
	if err != nil {
		t.Fatal(err)
	}
	builder := publicKey(t, w.Builder.PEM)
	pr, err := provenance.Verify(r.provenance, provenance.Expectations{
		Artifact: artifact, BuilderIDs: []string{w.BuilderID}, BuildTypes: []string{w.BuildType},
		SourceRepository: w.SourceRepo, SourceTag: w.SourceTag, SourceCommit: w.SourceCommit,
		ConfigPath: buildenvtest.ConfigPath, MinBuildLevel: 3,
	}, provenance.Options{
		TrustRoot: []provenance.TrustedBuilder{{ID: w.BuilderID, Signers: []provenance.SignerRule{provenance.SignedBy(builder)}, MaxLevel: 3}},
		Profiles:  []provenance.Profile{buildenvtest.Profile}, Now: w.Now,
	})
	res[linkProvenance] = err
	if pr == nil || pr.Provenance.RunDetails.Metadata == nil {
		t.Fatalf("provenance unusable: %v", err)
	}
	prov := pr.Provenance

	// The launch attestation, signed by the launch signer; its subject is
	// bound by the evidence, checked below.
	if r.launch == nil {
		t.Fatal("no launch attestation")
	}
	st := unverified(t, r.launch)
	vl, err := scai.Verify(r.launch, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{publicKey(t, w.LaunchSigner.PEM)}, InsecureSkipSubject: true})
	if err == nil {
		st = vl.Statement
	}
	launch, perr := scai.ParseLaunch(st)
	if perr != nil {
		t.Fatalf("ParseLaunch: %v", perr)
	}
	pieces := map[string][]byte{}
	var all []*buildtrust.ResourceDescriptor
	if launch.MeasuredBoot != nil {
		all = append(all, launch.MeasuredBoot.Pieces()...)
	}
	if launch.TEE != nil {
		all = append(all, launch.TEE.Pieces()...)
	}
	for _, rd := range all {
		data, cerr := fetch(rd)
		err = errors.Join(err, cerr)
		pieces[rd.MediaType] = data
		if rd.Content == nil && rd.DownloadLocation == "" {
			err = errors.Join(err, fmt.Errorf("%s: referenced without a location", rd.Name))
		}
	}
	res[linkLaunch] = err
	identity, err := hex.DecodeString(launch.Identity.Digest[buildtrust.SHA256])
	if err != nil {
		t.Fatal(err)
	}
	launchBind, err := tee.Bind(tee.PurposeLaunch, identity)
	if err != nil {
		t.Fatal(err)
	}

	// 1. Image: the launched image's provenance, from the trusted image
	// builder, is the attestation the launch names.
	res[linkImage] = errMissing
	if launch.Image != nil && launch.Image.Attestation != nil {
		for _, env := range r.otherProvenance {
			if _, err := scai.CheckEvidence(launch.Image.Attestation, env, buildtrust.DigestPolicy{}); err != nil {
				continue
			}
			_, res[linkImage] = provenance.Verify(env, provenance.Expectations{
				Artifact: launch.Image.Image.Digest, BuilderIDs: []string{w.ImageBuilderID}, BuildTypes: []string{w.ImageBuildType},
				SourceRepository: w.ImageSourceRepo, ConfigPath: buildenvtest.ImageConfigPath, MinBuildLevel: 3,
			}, provenance.Options{
				TrustRoot: []provenance.TrustedBuilder{{ID: w.ImageBuilderID, Signers: []provenance.SignerRule{provenance.SignedBy(publicKey(t, w.ImageBuilder.PEM))}, MaxLevel: 3}},
				Profiles:  []provenance.Profile{buildenvtest.Profile}, Now: w.Now,
			})
		}
	}

	// 1. Image: its reference values, from the image producer, about the
	// launched image, complete.
	if r.refValues == nil || launch.Image == nil {
		t.Fatal("no reference values or no launched image")
	}
	st = unverified(t, r.refValues)
	vr, err := scai.Verify(r.refValues, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{publicKey(t, w.ImageProducer.PEM)}, Subject: launch.Image.Image.Digest})
	if err == nil {
		st = vr.Statement
	}
	rv, perr := scai.ParseImageReferenceValues(st)
	if perr != nil {
		t.Fatal(perr)
	}
	if err == nil {
		err = rv.Complete()
	}
	res[linkRefValues] = err

	// 2. Boot: the quote, signed by the pinned AK, bound to the identity,
	// over the PCR values the event log replays to.
	res[linkQuote], res[linkBootRef] = errMissing, errSkipped
	if mb := launch.MeasuredBoot; mb != nil {
		log := pieces[scai.MediaTypeTCGEventLog]
		el, err := tpm.ParseEventLog(log)
		if err != nil {
			t.Fatal(err)
		}
		bank, err := el.Replay(crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		ak, err := tpm.ParseAKPublic(pemBlock(t, w.AKPEM, "PUBLIC KEY"))
		if err != nil {
			t.Fatal(err)
		}
		quoted, err := tpm.Verify(tpm.Evidence{
			Attest: pieces[scai.MediaTypeTPMQuote], Signature: pieces[scai.MediaTypeTPMSignature],
			PCRs: []tpm.PCRBank{bank}, EventLog: log,
		}, tpm.Options{AK: tpm.AKTrust{Keys: []crypto.PublicKey{ak}}, QualifyingData: launchBind[:32], RequiredPCRs: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}})
		if err == nil {
			for _, c := range quoted.Checks {
				if c.Outcome == buildtrust.Fail {
					err = errors.Join(err, fmt.Errorf("check %s failed: %s", c.ID, c.Message))
				}
			}
		}
		res[linkQuote] = err
		if err == nil {
			res[linkBootRef] = checkBoot(rv, quoted)
		}
	}

	// 3. Hardware: the report or quote, under the test roots, with the
	// signed launch measurement, bound to the identity.
	// The signed launch measurements of a platform.
	measurements := func(platform string) [][]byte {
		var ms [][]byte
		for _, v := range rv.Lookup(scai.TEELaunch) {
			if v.Platform == platform {
				m, err := hex.DecodeString(v.Digest[buildtrust.SHA384])
				if err != nil {
					t.Fatal(err)
				}
				ms = append(ms, m)
			}
		}
		return ms
	}
	res[linkTEE] = errMissing
	if launch.TEE != nil {
		var endorsements []byte
		if launch.TEE.Endorsements != nil {
			endorsements = pieces[launch.TEE.Endorsements.MediaType]
		}
		c, err := verifyTEE(w, launch.TEE.Platform, measurements(launch.TEE.Platform), teeEvidence(launch.TEE.Platform, pieces[launch.TEE.Report.MediaType], endorsements), launchBind)
		if err == nil && !bytes.Equal(c.Measurement, b.Measurement) {
			err = fmt.Errorf("measurement %x, want %x", c.Measurement, b.Measurement)
		}
		res[linkTEE] = err
	}

	// 4. Dispatch: signed by the identity key of the launch, for this
	// launch and this build.
	res[linkDispatch] = errMissing
	if r.dispatch != nil {
		id, err := launch.IdentityKey(buildtrust.KeyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		vd, err := scai.Verify(r.dispatch, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{id}, Subject: launch.Identity.Digest})
		if err == nil {
			var d *scai.Dispatch
			if d, err = scai.ParseDispatch(vd.Statement); err == nil {
				err = errors.Join(d.CheckLaunch(launch, r.launch), d.CheckBuildID(prov.RunDetails.Metadata.InvocationID))
			}
		}
		res[linkDispatch] = err
	}

	// 5. Build: the provenance names the launch and dispatch the chain
	// used, by the digest of their envelopes.
	byName := map[string]buildtrust.ResourceDescriptor{}
	for _, bp := range prov.RunDetails.Byproducts {
		byName[bp.Name] = bp
	}
	err = nil
	for name, env := range map[string][]byte{"launch-attestation": r.launch, "dispatch-attestation": r.dispatch} {
		if env == nil {
			continue // the dispatch link fails for it
		}
		bp, ok := byName[name]
		if !ok || bp.MediaType != scai.MediaTypeDSSE {
			err = errors.Join(err, fmt.Errorf("%w: byproduct %s", errMissing, name))
			continue
		}
		err = errors.Join(err, buildtrust.DigestPolicy{}.Match(bp.Digest, buildtrust.DigestSet{buildtrust.SHA256: hex.EncodeToString(sum(env))}))
	}
	res[linkByproducts] = err

	// Response: a report of the same TEE over the provenance statement.
	if b.Response != nil {
		for _, blob := range [][]byte{b.Response.Report, b.Response.Certificates, b.Response.Collateral} {
			if blob != nil && published[hex.EncodeToString(sum(blob))] == nil {
				t.Error("response evidence not in Bundle.Evidence")
			}
		}
		vs, err := buildtrust.VerifyStatement(r.provenance, buildtrust.VerifyOptions{Keys: []*buildtrust.PublicKey{builder}})
		if err != nil {
			t.Fatal(err)
		}
		bind, err := tee.Bind(buildenvtest.PurposeProvenance, sum(vs.Payload))
		if err != nil {
			t.Fatal(err)
		}
		_, res[linkResponse] = verifyTEE(w, string(b.Response.Platform), measurements(string(b.Response.Platform)), *b.Response, bind)
	}
	return res
}

// checkBoot compares the verified boot with the reference values: each
// component's digest was measured by some verified event, and each PCR
// reference value is the quoted value (tpm.ReferenceValues.Check).
func checkBoot(rv *scai.ImageReferenceValues, quoted *tpm.Result) error {
	var err error
	for _, c := range scai.RequiredComponents {
		for _, v := range rv.Lookup(c) {
			want, _ := hex.DecodeString(v.Digest[buildtrust.SHA256])
			if !slices.ContainsFunc(quoted.Boot.Events, func(e tpm.Event) bool { return bytes.Equal(e.Digest(crypto.SHA256), want) }) {
				err = errors.Join(err, fmt.Errorf("%w: %s %s was not measured", tpm.ErrReferenceValue, c, v.Name))
			}
		}
	}
	refs := tpm.ReferenceValues{Type: tpm.ReferenceValuesType}
	for _, v := range rv.Lookup(scai.PCR) {
		refs.PCRs = append(refs.PCRs, tpm.PCRReference{Bank: buildtrust.SHA256, Index: v.PCR, Values: []string{v.Digest[buildtrust.SHA256]}})
	}
	if len(refs.PCRs) == 0 {
		return errors.Join(err, fmt.Errorf("%w: no PCR reference values", errMissing))
	}
	_, perr := refs.Check(quoted.Quote, quoted.Boot)
	return errors.Join(err, perr)
}

func sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

func pemBlock(t testing.TB, text, typ string) []byte {
	t.Helper()
	blk, _ := pem.Decode([]byte(text))
	if blk == nil || blk.Type != typ {
		t.Fatalf("not a %s PEM block", typ)
	}
	return blk.Bytes
}

var platforms = []string{buildenvtest.PlatformSEVSNP, buildenvtest.PlatformTDX}

// TestGenuine: on both platforms, with and without the response-time
// report, every link of the chain verifies with the existing packages.
func TestGenuine(t *testing.T) {
	w := world(t)
	for _, platform := range platforms {
		for _, response := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/response=%t", platform, response), func(t *testing.T) {
				t.Parallel()
				b := build(t, w, buildenvtest.Options{Platform: platform, Response: response})
				res := verifyChain(t, w, b)
				want := []string{linkProvenance, linkImage, linkRefValues, linkLaunch, linkQuote, linkBootRef, linkTEE, linkDispatch, linkByproducts}
				if response {
					want = append(want, linkResponse)
				}
				if got := slices.Sorted(maps.Keys(res)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
					t.Errorf("links %v, want %v", got, want)
				}
				for _, l := range want {
					if err := res[l]; err != nil {
						t.Errorf("%s: %v", l, err)
					}
				}
				checkShape(t, w, b, platform, response)
			})
		}
	}
}

// checkShape checks what the bundle holds besides the chain: roles, bundle
// form, evidence references, the measurement and the identity.
func checkShape(t *testing.T, w *buildenvtest.World, b *buildenvtest.Bundle, platform string, response bool) {
	r := classify(t, b)
	if !bytes.Equal(r.provenance, b.Provenance) || !bytes.Equal(r.refValues, b.ReferenceValues) || !bytes.Equal(r.launch, b.Launch) ||
		!bytes.Equal(r.dispatch, b.Dispatch) || len(r.otherProvenance) != 1 || !bytes.Equal(r.otherProvenance[0], b.ImageProvenance) {
		t.Error("attestations by role differ from Attestations")
	}
	if b.Platform != platform || len(b.Measurement) != 48 || b.ArtifactDigest[buildtrust.SHA512] == "" || (b.Response != nil) != response {
		t.Errorf("bundle: platform %s, measurement %d bytes, digest %v, response %v", b.Platform, len(b.Measurement), b.ArtifactDigest, b.Response != nil)
	}
	if p, err := provenance.Parse(unverified(t, b.Provenance)); err != nil || p.RunDetails.Metadata.InvocationID != w.BuildID {
		t.Errorf("provenance invocation ID: %v", err)
	}
	if b.Identity.Digest[buildtrust.SHA256] == "" || b.Identity.MediaType != scai.MediaTypePublicKey || b.Identity.Content == nil {
		t.Errorf("identity %+v", b.Identity)
	}

	// The JSON Lines bundle: one line per attestation, each verifying
	// under the key of its role (the dispatch under the identity key).
	jb, err := buildtrust.ParseBundle(b.JSONL())
	if err != nil || jb.Len() != len(b.Attestations) || len(b.Attestations) != 5 {
		t.Fatalf("JSONL: %v, %d lines", err, len(b.Attestations))
	}
	idKey, err := buildtrust.ParsePublicKey(b.Identity.Content, buildtrust.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	keys := []*buildtrust.PublicKey{w.Builder.Public, w.ImageBuilder.Public, w.ImageProducer.Public, w.LaunchSigner.Public, idKey}
	if vr := jb.Verify(buildtrust.VerifyOptions{Keys: keys}); len(vr.Verified) != 5 || len(vr.Ignored) != 0 {
		t.Errorf("JSONL verification: %d verified, ignored %v", len(vr.Verified), vr.Ignored)
	}

	// Every evidence blob is referenced, by digest and location, by the
	// launch or is the response evidence; nothing large is inline.
	l, err := b.LaunchAttestation()
	if err != nil {
		t.Fatal(err)
	}
	referenced := map[string]bool{}
	for _, rd := range append(l.MeasuredBoot.Pieces(), l.TEE.Pieces()...) {
		if rd.Content == nil {
			referenced[rd.Digest[buildtrust.SHA256]] = true
		} else if len(rd.Content) > scai.InlineMaxBytes {
			t.Errorf("%s inline with %d bytes", rd.Name, len(rd.Content))
		}
	}
	if b.Response != nil {
		for _, blob := range [][]byte{b.Response.Report, b.Response.Certificates, b.Response.Collateral} {
			if blob != nil {
				referenced[hex.EncodeToString(sum(blob))] = true
			}
		}
	}
	for i, e := range b.Evidence {
		if !referenced[hex.EncodeToString(sum(e))] {
			t.Errorf("evidence %d (%d bytes) is referenced by nothing", i, len(e))
		}
	}
	if len(b.Evidence) != len(referenced) {
		t.Errorf("%d evidence blobs, %d referenced", len(b.Evidence), len(referenced))
	}

	// The AK certificate the launch carries chains to AKRootPEM (the
	// alternative to pinning).
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(w.AKRootPEM) {
		t.Fatal("AKRootPEM")
	}
	if l.MeasuredBoot.AKCertificate == nil {
		t.Fatal("no AK certificate")
	}
	evidence := func(rd *buildtrust.ResourceDescriptor) []byte {
		t.Helper()
		var supplied []byte
		for _, e := range b.Evidence {
			if hex.EncodeToString(sum(e)) == rd.Digest[buildtrust.SHA256] {
				supplied = e
			}
		}
		data, err := scai.CheckEvidence(rd, supplied, buildtrust.DigestPolicy{})
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	el, err := tpm.ParseEventLog(evidence(l.MeasuredBoot.EventLog))
	if err != nil {
		t.Fatal(err)
	}
	bank, err := el.Replay(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	identity, _ := hex.DecodeString(b.Identity.Digest[buildtrust.SHA256])
	bind, _ := tee.Bind(tee.PurposeLaunch, identity)
	if _, err := tpm.VerifyQuote(tpm.Evidence{Attest: evidence(l.MeasuredBoot.Quote), Signature: evidence(l.MeasuredBoot.Signature),
		PCRs: []tpm.PCRBank{bank}, AKCertificates: [][]byte{evidence(l.MeasuredBoot.AKCertificate)}},
		tpm.Options{AK: tpm.AKTrust{Roots: roots}, Time: w.Now, QualifyingData: bind[:32]}); err != nil {
		t.Errorf("quote under the AK certificate: %v", err)
	}
}

// tamperWant is what a tamper breaks: exactly these links fail, each with
// an error that wraps err (and threat, when set).
type tamperWant struct {
	links  []string
	err    error
	threat threat.ID
}

var tamperWants = map[string]tamperWant{
	"wrong-image":           {[]string{linkImage, linkRefValues}, buildtrust.ErrSubjectMismatch, threat.F3},
	"image-untrusted":       {[]string{linkImage}, buildtrust.ErrSignature, threat.F4},
	"refvalues-untrusted":   {[]string{linkRefValues}, buildtrust.ErrSignature, threat.F4},
	"kernel":                {[]string{linkBootRef}, tpm.ErrReferenceValue, ""},
	"pcr-unlogged":          {[]string{linkQuote}, tpm.ErrPCRDigest, threat.E9},
	"quote-replay":          {[]string{linkQuote}, tpm.ErrQualifyingData, threat.E9},
	"debug-tee":             {[]string{linkTEE, linkResponse}, tee.ErrDebug, threat.E10},
	"tee-measurement":       {[]string{linkTEE, linkResponse}, tee.ErrMeasurement, threat.E10},
	"report-data-other-key": {[]string{linkTEE}, tee.ErrReportData, threat.E10},
	"launch-untrusted":      {[]string{linkLaunch}, buildtrust.ErrSignature, threat.F4},
	"dispatch-other-build":  {[]string{linkDispatch}, scai.ErrBinding, threat.E10},
	"dispatch-wrong-key":    {[]string{linkDispatch}, buildtrust.ErrSignature, threat.F4},
	"dispatch-other-launch": {[]string{linkDispatch}, scai.ErrBinding, threat.E10},
	"provenance-other-env":  {[]string{linkByproducts}, buildtrust.ErrSubjectMismatch, ""},
	"no-tee":                {[]string{linkTEE}, errMissing, ""},
	"no-dispatch":           {[]string{linkDispatch}, errMissing, ""},
	"response-other":        {[]string{linkResponse}, tee.ErrReportData, threat.E10},
}

// TestTampers: each tamper, on both platforms and with the response-time
// report, breaks exactly the links it targets, with the sentinel of that
// check; every other link still verifies. That proves the tamper is real
// and minimal.
func TestTampers(t *testing.T) {
	w := world(t)
	if got, want := slices.Sorted(maps.Keys(buildenvtest.Tampers())), slices.Sorted(maps.Keys(tamperWants)); !slices.Equal(got, want) {
		t.Fatalf("Tampers() = %v, tested %v", got, want)
	}
	for name, desc := range buildenvtest.Tampers() {
		if desc == "" {
			t.Errorf("%s: no description", name)
		}
	}
	for _, platform := range platforms {
		for name, want := range tamperWants {
			t.Run(platform+"/"+name, func(t *testing.T) {
				t.Parallel()
				b := build(t, w, buildenvtest.Options{Platform: platform, Tampers: []string{name}, Response: true})
				res := verifyChain(t, w, b)
				var failed []string
				for l, err := range res {
					if err != nil && !errors.Is(err, errSkipped) {
						failed = append(failed, l)
					}
				}
				sort.Strings(failed)
				if !slices.Equal(failed, slices.Sorted(slices.Values(want.links))) {
					t.Errorf("failed links %v, want %v", failed, want.links)
					for l, err := range res {
						t.Logf("  %s: %v", l, err)
					}
				}
				for _, l := range want.links {
					if err := res[l]; !errors.Is(err, want.err) || (want.threat != "" && !errors.Is(err, want.threat)) {
						t.Errorf("%s: %v, want %v (%s)", l, err, want.err, want.threat)
					}
				}
				for l, err := range res {
					if errors.Is(err, errSkipped) && !(name == "pcr-unlogged" || name == "quote-replay") {
						t.Errorf("%s skipped", l)
					}
				}
			})
		}
	}
}

func TestBuildOptions(t *testing.T) {
	w := world(t)
	// All tampers at once still build.
	names := slices.Sorted(maps.Keys(buildenvtest.Tampers()))
	b := build(t, w, buildenvtest.Options{Platform: buildenvtest.PlatformTDX, Tampers: names})
	if b.Dispatch != nil || len(b.Attestations) != 4 || b.Response == nil {
		t.Errorf("all tampers: dispatch %v, %d attestations, response %v", b.Dispatch != nil, len(b.Attestations), b.Response != nil)
	}
	if _, err := w.Build(buildenvtest.Options{Tampers: []string{"nope"}}); err == nil {
		t.Error("unknown tamper accepted")
	}
	if _, err := w.Build(buildenvtest.Options{Platform: "sgx"}); err == nil {
		t.Error("unknown platform accepted")
	}
	// The default platform is SEV-SNP.
	if b := build(t, w, buildenvtest.Options{}); b.Platform != buildenvtest.PlatformSEVSNP {
		t.Errorf("default platform %s", b.Platform)
	}
	// Tampers() is a copy.
	m := buildenvtest.Tampers()
	delete(m, "kernel")
	if _, ok := buildenvtest.Tampers()["kernel"]; !ok {
		t.Error("Tampers() returned the package's map")
	}
}

// TestWorldDeterministic: the seeded keys and the AK are the same in every
// World, and each role has its own key.
func TestWorldDeterministic(t *testing.T) {
	w1 := world(t)
	w2, err := buildenvtest.NewWorld()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, pair := range [][2]*buildenvtest.Key{{w1.Builder, w2.Builder}, {w1.ImageBuilder, w2.ImageBuilder}, {w1.ImageProducer, w2.ImageProducer},
		{w1.LaunchSigner, w2.LaunchSigner}, {w1.Verifier, w2.Verifier}, {w1.Other, w2.Other}} {
		if pair[0].PEM != pair[1].PEM || pair[0].Public.ID() != pair[1].Public.ID() {
			t.Errorf("key %d differs between worlds", i)
		}
		if k := publicKey(t, pair[0].PEM); k.ID() != pair[0].Public.ID() {
			t.Errorf("key %d: PEM and Public differ", i)
		}
		if seen[pair[0].PEM] {
			t.Errorf("key %d reused", i)
		}
		seen[pair[0].PEM] = true
	}
	if w1.AKPEM != w2.AKPEM || !w1.Now.Equal(w2.Now) {
		t.Error("AK or time differs between worlds")
	}
	if w1.BuilderID != buildenvtest.BuilderID || w1.SourceRepo != buildenvtest.SourceRepo || w1.BuildID != buildenvtest.BuildID {
		t.Error("World names differ from the constants")
	}
}
