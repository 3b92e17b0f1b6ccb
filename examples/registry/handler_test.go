package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/vsa"
)

func testWorld(t testing.TB) *buildenvtest.World { return buildenvtest.Shared(t) }

// newTestHandler returns a handler over a fresh store, with edit applied to
// its options.
func newTestHandler(t testing.TB, edit func(*Options)) (*Handler, *MemoryStore) {
	t.Helper()
	store := &MemoryStore{}
	opts, err := demoOptions(testWorld(t), store)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&opts)
	}
	h, err := NewHandler(opts)
	if err != nil {
		t.Fatal(err)
	}
	return h, store
}

func build(t testing.TB, o buildenvtest.Options) *buildenvtest.Bundle {
	t.Helper()
	b, err := testWorld(t).Build(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// part is one part of a multipart form; file != "" makes it a file part.
type part struct {
	field, file string
	data        []byte
}

func form(t testing.TB, parts ...part) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.file != "" {
			w, err = mw.CreateFormFile(p.field, p.file)
		} else {
			w, err = mw.CreateFormField(p.field)
		}
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// uploadParts is the upload of a bundle: name, artifact, the attestations
// as one JSON Lines bundle, and the evidence.
func uploadParts(b *buildenvtest.Bundle) []part {
	parts := []part{
		{field: FieldName, data: []byte(buildenvtest.ArtifactName)},
		{field: FieldArtifact, file: buildenvtest.ArtifactName, data: b.Artifact},
		{field: FieldAttestations, file: buildenvtest.ArtifactName + ".intoto.jsonl", data: b.JSONL()},
	}
	for i, e := range b.Evidence {
		parts = append(parts, part{field: FieldEvidence, file: fmt.Sprintf("evidence-%d.bin", i), data: e})
	}
	return parts
}

func post(t testing.TB, h http.Handler, body []byte, contentType string) (int, Response) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/upload", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	return do(t, h, req)
}

func do(t testing.TB, h http.Handler, req *http.Request) (int, Response) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var resp Response
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("status %d, body not a Response: %v\n%s", rec.Code, err, rec.Body)
	}
	return rec.Code, resp
}

// assertNothingStored: no artifact published, and no staged upload left
// behind.
func assertNothingStored(t *testing.T, store *MemoryStore, resp Response) {
	t.Helper()
	if names := store.Names(); len(names) > 0 {
		t.Errorf("stored %v on a non-accept", names)
	}
	if n := store.Staging(); n != 0 {
		t.Errorf("%d staged uploads not discarded", n)
	}
	if resp.Accepted || resp.VSA != "" {
		t.Errorf("non-accept response claims acceptance: accepted=%v, vsa %d bytes", resp.Accepted, len(resp.VSA))
	}
}

func failureIDs(resp Response) []string {
	var ids []string
	for _, f := range resp.Failures {
		ids = append(ids, f.ID)
	}
	return ids
}

// A genuine BuildEnv L3 upload is admitted: stored byte for byte, with a
// VSA that a consumer verifies against the registry's key (VSA-VER-1…8).
func TestGenuineUploadAccepted(t *testing.T) {
	w := testWorld(t)
	h, store := newTestHandler(t, nil)
	b := build(t, buildenvtest.Options{})
	body, ct := form(t, uploadParts(b)...)

	code, resp := post(t, h, body, ct)
	if code != http.StatusOK || !resp.Accepted || resp.Verdict != "PASSED" {
		t.Fatalf("status %d, response %+v", code, resp)
	}
	if resp.Levels == nil || *resp.Levels != (Levels{Build: 3, BuildEnv: 3, RequiredBuild: 3, RequiredBuildEnv: 3}) {
		t.Errorf("levels %+v", resp.Levels)
	}
	if len(resp.Failures) != 0 || resp.Error != "" {
		t.Errorf("failures %v, error %q", resp.Failures, resp.Error)
	}
	wantURI := demoResourceBase + buildenvtest.ArtifactName
	if a := resp.Artifact; a == nil || a.ResourceURI != wantURI || a.Size != int64(len(b.Artifact)) ||
		a.Digest[buildtrust.SHA256] != b.ArtifactDigest[buildtrust.SHA256] {
		t.Errorf("artifact %+v", resp.Artifact)
	}

	meta, data, ok := store.Get(buildenvtest.ArtifactName)
	if !ok || !bytes.Equal(data, b.Artifact) {
		t.Fatalf("store: ok=%v, %d bytes", ok, len(data))
	}
	if store.Staging() != 0 {
		t.Errorf("%d staged uploads left", store.Staging())
	}

	raw, err := base64.StdEncoding.DecodeString(resp.VSA)
	if err != nil {
		t.Fatalf("VSA is not base64: %v", err)
	}
	if !bytes.Equal(raw, meta.VSA) {
		t.Error("the stored VSA differs from the returned one")
	}
	v, err := vsa.Verify(raw, vsa.Options{
		Verifiers:      map[string][]*buildtrust.PublicKey{demoVerifierID: {w.Verifier.Public}},
		Subject:        b.ArtifactDigest,
		ResourceURI:    wantURI,
		RequiredLevels: []string{"SLSA_BUILD_LEVEL_3", vsa.BuildEnvLevel(3)},
		PolicyURI:      "https://registry.example.com/policies/admission.yaml",
		PolicyDigest:   h.policy.Digest(),
		MaxAge:         time.Hour,
		Now:            w.Now,
	})
	if err != nil {
		t.Fatalf("vsa.Verify: %v", err)
	}
	if !v.Predicate.TimeVerified.Equal(w.Now) {
		t.Errorf("timeVerified %v, want the handler's clock %v", v.Predicate.TimeVerified, w.Now)
	}
	// A VSA signed by anyone else is not the registry's.
	if _, err := vsa.Verify(raw, vsa.Options{
		Verifiers: map[string][]*buildtrust.PublicKey{demoVerifierID: {w.Other.Public}},
		Subject:   b.ArtifactDigest, ResourceURI: wantURI, RequiredLevels: []string{"SLSA_BUILD_LEVEL_3"},
	}); !errors.Is(err, buildtrust.ErrSignature) {
		t.Errorf("VSA verified under another key: %v", err)
	}
}

// The same on TDX, with every envelope in a part of its own and the name
// taken from the artifact part's filename.
func TestGenuineTDXSeparateEnvelopes(t *testing.T) {
	h, store := newTestHandler(t, nil)
	b := build(t, buildenvtest.Options{Platform: buildenvtest.PlatformTDX})
	parts := []part{{field: FieldArtifact, file: buildenvtest.ArtifactName, data: b.Artifact}}
	for i, a := range b.Attestations {
		parts = append(parts, part{field: FieldAttestations, file: fmt.Sprintf("%d.dsse.json", i), data: a})
	}
	for i, e := range b.Evidence {
		parts = append(parts, part{field: FieldEvidence, file: fmt.Sprintf("evidence-%d.bin", i), data: e})
	}
	body, ct := form(t, parts...)
	code, resp := post(t, h, body, ct)
	if code != http.StatusOK || resp.Levels == nil || resp.Levels.BuildEnv != 3 {
		t.Fatalf("status %d, response %+v", code, resp)
	}
	if _, _, ok := store.Get(buildenvtest.ArtifactName); !ok {
		t.Error("not stored under the artifact's filename")
	}
}

// Broken bundles are rejected with 422 and the checks that caught them,
// and nothing is stored.
func TestTamperedUploadsRejected(t *testing.T) {
	for _, tc := range []struct {
		tamper string
		want   string // a failed check ID
	}{
		{"debug-tee", "tee.sevsnp.debug"},
		{"kernel", "buildenv.boot.component.kernel"},
		{"dispatch-other-build", "buildenv.dispatch.buildId"},
		{"launch-untrusted", "buildenv.launch"},
		{"image-untrusted", "buildenv.image"},
		{"tee-measurement", "buildenv.hardware.measurement"},
	} {
		t.Run(tc.tamper, func(t *testing.T) {
			h, store := newTestHandler(t, nil)
			b := build(t, buildenvtest.Options{Tampers: []string{tc.tamper}})
			body, ct := form(t, uploadParts(b)...)
			code, resp := post(t, h, body, ct)
			if code != http.StatusUnprocessableEntity || resp.Verdict != "FAILED" {
				t.Fatalf("status %d, response %+v", code, resp)
			}
			if !slices.Contains(failureIDs(resp), tc.want) {
				t.Errorf("failures %v lack %s", failureIDs(resp), tc.want)
			}
			for _, f := range resp.Failures {
				if len(f.Threats) == 0 {
					t.Errorf("failure %s names no threat", f.ID)
				}
			}
			assertNothingStored(t, store, resp)
		})
	}

	// An upload without the artifact's provenance (THREAT-F2).
	t.Run("no-provenance", func(t *testing.T) {
		h, store := newTestHandler(t, nil)
		b := build(t, buildenvtest.Options{})
		parts := []part{{field: FieldName, data: []byte(buildenvtest.ArtifactName)},
			{field: FieldArtifact, file: "a", data: b.Artifact}}
		for _, a := range b.Attestations {
			if !bytes.Equal(a, b.Provenance) {
				parts = append(parts, part{field: FieldAttestations, file: "x.json", data: a})
			}
		}
		body, ct := form(t, parts...)
		code, resp := post(t, h, body, ct)
		if code != http.StatusUnprocessableEntity || !slices.Contains(failureIDs(resp), "policy.provenance") {
			t.Fatalf("status %d, failures %v", code, failureIDs(resp))
		}
		assertNothingStored(t, store, resp)
	})
}

// Bytes other than the attested artifact, with genuine attestations: the
// trusted provenance is about another digest (THREAT-F3), so no provenance
// applies to these bytes.
func TestArtifactNotAttested(t *testing.T) {
	h, store := newTestHandler(t, nil)
	b := build(t, buildenvtest.Options{})
	parts := uploadParts(b)
	parts[1].data = []byte("app 1.0.0, with a backdoor\n")
	body, ct := form(t, parts...)
	code, resp := post(t, h, body, ct)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, response %+v", code, resp)
	}
	for _, want := range []string{"provenance.subject", "policy.provenance"} {
		if !slices.Contains(failureIDs(resp), want) {
			t.Errorf("failures %v lack %s", failureIDs(resp), want)
		}
	}
	for _, f := range resp.Failures {
		if f.ID == "provenance.subject" && (!slices.Contains(f.Threats, threat.F3) || f.Expected == "" || f.Actual == "") {
			t.Errorf("provenance.subject failure %+v: want threat F3 with the expected and actual digests", f)
		}
	}
	if resp.Artifact == nil || resp.Artifact.Digest[buildtrust.SHA256] == b.ArtifactDigest[buildtrust.SHA256] {
		t.Errorf("artifact %+v: the digest must be that of the bytes received", resp.Artifact)
	}
	assertNothingStored(t, store, resp)
}

// Every limit answers 413 before the policy is consulted, and nothing is
// stored.
func TestLimits(t *testing.T) {
	b := build(t, buildenvtest.Options{})
	genuine := uploadParts(b)
	big := bytes.Repeat([]byte("x"), 4096)
	for _, tc := range []struct {
		name   string
		limits Limits
		parts  []part
		// unknownLength sends the body without a Content-Length, so only
		// http.MaxBytesReader can stop it.
		unknownLength bool
	}{
		{name: "declared body", limits: Limits{MaxRequestBytes: 1024}, parts: genuine},
		{name: "streamed body", limits: Limits{MaxRequestBytes: 1024}, parts: genuine, unknownLength: true},
		{name: "artifact", limits: Limits{MaxArtifactBytes: 1024},
			parts: append([]part{{field: FieldArtifact, file: "app-1.tar.gz", data: big}}, genuine[2:]...)},
		{name: "attestation part", limits: Limits{MaxAttestationBytes: 1024}, parts: genuine},
		{name: "evidence part", limits: Limits{MaxEvidenceBytes: 1024}, parts: genuine},
		{name: "attached total", limits: Limits{MaxAttachedBytes: int64(len(b.JSONL())) + 10}, parts: genuine},
		{name: "field", limits: Limits{MaxFieldBytes: 8}, parts: genuine},
		{name: "parts", limits: Limits{MaxParts: 3}, parts: genuine},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, store := newTestHandler(t, func(o *Options) { o.Limits = tc.limits })
			body, ct := form(t, tc.parts...)
			req := httptest.NewRequest(http.MethodPost, "/upload", bytes.NewReader(body))
			req.Header.Set("Content-Type", ct)
			if tc.unknownLength {
				req.ContentLength = -1
			}
			code, resp := do(t, h, req)
			if code != http.StatusRequestEntityTooLarge || resp.Error == "" {
				t.Fatalf("status %d, response %+v", code, resp)
			}
			t.Log(resp.Error)
			if resp.Verdict != "" {
				t.Error("evaluated an oversized upload")
			}
			assertNothingStored(t, store, resp)
		})
	}
}

// The defaults are the library's limits where it has them, and every
// upload within the others fits the body limit.
func TestDefaultLimits(t *testing.T) {
	l := DefaultLimits()
	if l.MaxRequestBytes < l.MaxArtifactBytes+l.MaxAttachedBytes {
		t.Errorf("MaxRequestBytes %d below artifact + attached", l.MaxRequestBytes)
	}
	if l.MaxAttestationBytes != buildtrust.MaxBundleBytes {
		t.Errorf("MaxAttestationBytes %d, want the bundle limit", l.MaxAttestationBytes)
	}
	if (Limits{MaxParts: 7}).withDefaults().MaxParts != 7 {
		t.Error("a set limit was replaced")
	}
}

// Requests the handler cannot read are refused with 4xx before evaluation.
func TestMalformedUploads(t *testing.T) {
	b := build(t, buildenvtest.Options{})
	genuine := uploadParts(b)
	name, artifact, atts := genuine[0], genuine[1], genuine[2]
	valid, validCT := form(t, genuine...)
	without := func(field string) []part {
		var ps []part
		for _, p := range genuine {
			if p.field != field {
				ps = append(ps, p)
			}
		}
		return ps
	}
	type request struct {
		body []byte
		ct   string
	}
	of := func(parts ...part) request {
		body, ct := form(t, parts...)
		return request{body, ct}
	}
	for _, tc := range []struct {
		name string
		req  request
		want int
	}{
		{"not multipart", request{[]byte(`{"artifact":"x"}`), "application/json"}, http.StatusUnsupportedMediaType},
		{"no content type", request{valid, ""}, http.StatusUnsupportedMediaType},
		{"no boundary", request{valid, "multipart/form-data"}, http.StatusBadRequest},
		{"garbage", request{[]byte("this is not multipart"), validCT}, http.StatusBadRequest},
		{"truncated", request{valid[:len(valid)/2], validCT}, http.StatusBadRequest},
		{"other boundary", request{valid, "multipart/form-data; boundary=nope"}, http.StatusBadRequest},
		{"missing artifact", of(without(FieldArtifact)...), http.StatusBadRequest},
		{"no attestations", of(without(FieldAttestations)...), http.StatusBadRequest},
		{"two artifacts", of(append(genuine, artifact)...), http.StatusBadRequest},
		{"two names", of(append(genuine, name)...), http.StatusBadRequest},
		{"unknown field", of(append(genuine, part{field: "attestation", data: atts.data})...), http.StatusBadRequest},
		{"name with path", of(append([]part{{field: FieldName, data: []byte("../app-1.tar.gz")}}, genuine[1:]...)...), http.StatusBadRequest},
		{"name with control", of(append([]part{{field: FieldName, data: []byte("app\n.tar.gz")}}, genuine[1:]...)...), http.StatusBadRequest},
		{"bad purl", of(append(genuine, part{field: FieldPURL, data: []byte("npm/app@1")})...), http.StatusBadRequest},
		{"no name or purl", of(part{field: FieldArtifact, data: b.Artifact}, atts), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, store := newTestHandler(t, nil)
			code, resp := post(t, h, tc.req.body, tc.req.ct)
			if code != tc.want || resp.Error == "" || resp.Verdict != "" {
				t.Fatalf("status %d (want %d), response %+v", code, tc.want, resp)
			}
			t.Log(resp.Error)
			assertNothingStored(t, store, resp)
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	h, store := newTestHandler(t, nil)
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodHead} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(m, "/upload", nil))
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != http.MethodPost {
			t.Errorf("%s: status %d, Allow %q", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
	assertNothingStored(t, store, Response{})
}

// Published artifacts are immutable: the second upload of a name is 409,
// and the first stays.
func TestNameTaken(t *testing.T) {
	h, store := newTestHandler(t, nil)
	b := build(t, buildenvtest.Options{})
	body, ct := form(t, uploadParts(b)...)
	if code, resp := post(t, h, body, ct); code != http.StatusOK {
		t.Fatalf("first upload: %d %+v", code, resp)
	}
	code, resp := post(t, h, body, ct)
	if code != http.StatusConflict || resp.Accepted || resp.VSA != "" {
		t.Fatalf("second upload: %d %+v", code, resp)
	}
	if names := store.Names(); len(names) != 1 || store.Staging() != 0 {
		t.Errorf("store %v, %d staged", names, store.Staging())
	}
}

// The evaluation time is the injected clock's: the same upload is refused
// once the TDX collateral it relies on has expired (tdxtest collateral is
// valid for 30 days from World.Now).
func TestClockDecides(t *testing.T) {
	w := testWorld(t)
	var calls atomic.Int32
	h, store := newTestHandler(t, func(o *Options) {
		o.Clock = func() time.Time { calls.Add(1); return w.Now.Add(90 * 24 * time.Hour) }
	})
	b := build(t, buildenvtest.Options{Platform: buildenvtest.PlatformTDX})
	body, ct := form(t, uploadParts(b)...)
	code, resp := post(t, h, body, ct)
	if code != http.StatusUnprocessableEntity || !slices.Contains(failureIDs(resp), "tee.tdx.collateral.tcbInfo") {
		t.Fatalf("status %d, failures %v", code, failureIDs(resp))
	}
	if calls.Load() != 1 {
		t.Errorf("clock called %d times, want 1", calls.Load())
	}
	assertNothingStored(t, store, resp)
}

func TestNewHandlerNeedsTrustInputs(t *testing.T) {
	store := &MemoryStore{}
	base, err := demoOptions(testWorld(t), store)
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*Options){
		"policy":        func(o *Options) { o.Policy = nil },
		"store":         func(o *Options) { o.Store = nil },
		"signer":        func(o *Options) { o.Signer = nil },
		"clock":         func(o *Options) { o.Clock = nil },
		"resource base": func(o *Options) { o.ResourceBase = "" },
		"relative base": func(o *Options) { o.ResourceBase = "/files/" },
		"no slash":      func(o *Options) { o.ResourceBase = "https://registry.example.com/files" },
	} {
		o := base
		edit(&o)
		if _, err := NewHandler(o); err == nil {
			t.Errorf("%s: NewHandler accepted the options", name)
		}
	}
}

// failingStore fails every write: the client is told 500, not 4xx, and the
// staged upload is discarded.
type failingStore struct{ MemoryStore }

func (s *failingStore) Stage(ctx context.Context) (Staged, error) {
	st, err := s.MemoryStore.Stage(ctx)
	return failingStaged{st}, err
}

type failingStaged struct{ Staged }

func (failingStaged) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestStoreFailure(t *testing.T) {
	store := &failingStore{}
	h, _ := newTestHandler(t, func(o *Options) {
		o.Store = store
		o.ErrorLog = discardLog()
	})
	b := build(t, buildenvtest.Options{})
	body, ct := form(t, uploadParts(b)...)
	code, resp := post(t, h, body, ct)
	if code != http.StatusInternalServerError || strings.Contains(resp.Error, "disk full") {
		t.Fatalf("status %d, response %+v (internal errors are logged, not returned)", code, resp)
	}
	assertNothingStored(t, &store.MemoryStore, resp)
}

// Uploads run concurrently against one Handler (go test -race).
func TestConcurrentUploads(t *testing.T) {
	h, store := newTestHandler(t, nil)
	genuine := build(t, buildenvtest.Options{})
	debug := build(t, buildenvtest.Options{Tampers: []string{"debug-tee"}})
	// Two genuine uploads of the same name race: one is published, the
	// other finds it taken; the debuggable ones are rejected.
	bundles := []*buildenvtest.Bundle{genuine, genuine, debug, debug}
	type request struct {
		body []byte
		ct   string
	}
	reqs := make([]request, len(bundles))
	for i, b := range bundles { // built here: t.Fatal must not run in the goroutines
		reqs[i].body, reqs[i].ct = form(t, uploadParts(b)...)
	}
	var wg sync.WaitGroup
	codes := make([]int, len(reqs))
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest(http.MethodPost, "/upload", bytes.NewReader(r.body))
			req.Header.Set("Content-Type", r.ct)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			codes[i] = rec.Code
		}()
	}
	wg.Wait()
	first := []int{codes[0], codes[1]}
	slices.Sort(first)
	if !slices.Equal(first, []int{http.StatusOK, http.StatusConflict}) || codes[2] != 422 || codes[3] != 422 {
		t.Errorf("codes %v, want one 200 and one 409 for the genuine pair, 422 for the others", codes)
	}
	if len(store.Names()) != 1 || store.Staging() != 0 {
		t.Errorf("store %v, %d staged", store.Names(), store.Staging())
	}
}

// Artifacts uploaded without a name are published under their purl, so
// two of them do not collide and the same purl twice does.
func TestStoreKeysByPURLWithoutName(t *testing.T) {
	store := &MemoryStore{}
	commit := func(purl string) error {
		st, err := store.Stage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Discard()
		return st.Commit(context.Background(), Artifact{PURL: purl})
	}
	if err := commit("pkg:generic/app@1.0.0"); err != nil {
		t.Fatal(err)
	}
	if err := commit("pkg:generic/lib@2.0.0"); err != nil {
		t.Fatalf("a second purl-only artifact: %v", err)
	}
	if err := commit("pkg:generic/app@1.0.0"); !errors.Is(err, ErrExists) {
		t.Fatalf("the same purl again: %v, want ErrExists", err)
	}
	if _, _, ok := store.Get("pkg:generic/lib@2.0.0"); !ok || store.Staging() != 0 {
		t.Errorf("Get by purl: %v; staged %d", ok, store.Staging())
	}
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
