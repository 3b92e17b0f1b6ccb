package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/threat"
)

// Form fields of an upload (multipart/form-data).
const (
	FieldArtifact     = "artifact"     // the artifact bytes; exactly one
	FieldAttestations = "attestations" // DSSE envelopes or JSON Lines bundles; one or more
	FieldEvidence     = "evidence"     // raw evidence blobs the attestations reference; optional
	FieldName         = "name"         // the artifact's file name; default: the artifact part's filename
	FieldPURL         = "purl"         // the artifact's package URL; optional
)

// Handler is an upload endpoint a package registry can embed: it admits an
// artifact only if its attestations and evidence satisfy a policy.
//
// It serves POST requests of multipart/form-data with the fields above.
// The artifact is streamed through buildtrust.Digest into the Store's
// staging area, so its size does not change the handler's memory; the
// attestations and evidence are read into memory under Limits. The policy is
// then evaluated at the time the Clock gives, and:
//
//	200 OK                      PASSED: the artifact is committed to the
//	                            store, and the response carries a signed VSA
//	422 Unprocessable Entity    FAILED: the response lists the failed checks
//	400 Bad Request             malformed multipart, missing artifact, no
//	                            attestations, unknown or repeated fields,
//	                            unusable name or purl
//	405 Method Not Allowed      anything but POST
//	409 Conflict                the store already holds an artifact of that name
//	413 Content Too Large       over a limit: body, part, parts, memory
//	415 Unsupported Media Type  not multipart/form-data
//	500 Internal Server Error   store or signer failure
//
// Every response is a JSON Response. Nothing is committed to the store
// unless the response is 200.
//
// A Handler is immutable and safe for concurrent use.
type Handler struct {
	policy   *policy.Policy
	store    Store
	signer   buildtrust.Signer
	clock    func() time.Time
	base     string
	version  map[string]string
	lim      Limits
	errorLog *log.Logger
}

// Options configure NewHandler. The trust inputs are required: a handler
// without a policy, store, signer or clock is refused rather than given a
// default that could admit an artifact by accident.
type Options struct {
	// Policy decides admission. Required. Compile it once: a Policy is
	// safe for concurrent use and caches verified hardware chains.
	Policy *policy.Policy
	// Store receives accepted artifacts. Required.
	Store Store
	// Signer signs the VSA returned on acceptance, as the verifier the
	// policy's vsa section names. Required: the policy must then have a
	// vsa section (policy.ErrNoVSAConfig otherwise).
	Signer buildtrust.Signer
	// Clock returns the evaluation time. Required: the handler never calls
	// time.Now itself, so a decision can be reproduced, and tests can pin
	// the time at which their certificates and collateral are valid.
	Clock func() time.Time
	// ResourceBase is the URI under which the registry serves artifacts;
	// ResourceBase + the escaped artifact name is the resource URI written
	// into the VSA (VSA-5) and compared with input VSAs (VSA-VER-5).
	// Required; an absolute http(s) URI ending in "/".
	ResourceBase string
	// VerifierVersion is written as the VSA's verifier.version. Zero:
	// omitted.
	VerifierVersion map[string]string
	// Limits bound each request. Zero fields take DefaultLimits' values.
	Limits Limits
	// ErrorLog receives internal errors (store, signer), which responses
	// do not detail. Nil: the log package's standard logger, as
	// http.Server does.
	ErrorLog *log.Logger
}

// NewHandler checks the options and returns a Handler.
func NewHandler(o Options) (*Handler, error) {
	var missing []string
	if o.Policy == nil {
		missing = append(missing, "Policy")
	}
	if o.Store == nil {
		missing = append(missing, "Store")
	}
	if o.Signer == nil {
		missing = append(missing, "Signer")
	}
	if o.Clock == nil {
		missing = append(missing, "Clock")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("registry: Options need %s", strings.Join(missing, ", "))
	}
	u, err := url.Parse(o.ResourceBase)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !strings.HasSuffix(o.ResourceBase, "/") {
		return nil, fmt.Errorf("registry: ResourceBase %q is not an absolute http(s) URI ending in /", o.ResourceBase)
	}
	h := &Handler{policy: o.Policy, store: o.Store, signer: o.Signer, clock: o.Clock, base: o.ResourceBase,
		lim: o.Limits.withDefaults(), errorLog: o.ErrorLog}
	if len(o.VerifierVersion) > 0 {
		h.version = make(map[string]string, len(o.VerifierVersion))
		for k, v := range o.VerifierVersion {
			h.version[k] = v
		}
	}
	return h, nil
}

// Response is the JSON body of every response.
type Response struct {
	// Accepted is true only with status 200: the artifact is in the store.
	Accepted bool `json:"accepted"`
	// Error says why the upload could not be evaluated (4xx other than
	// 422, and 5xx).
	Error string `json:"error,omitempty"`
	// Artifact is what was uploaded, once the upload was read.
	Artifact *UploadedArtifact `json:"artifact,omitempty"`
	// Verdict, Levels and Failures are the policy's decision, when it was
	// evaluated (200 and 422).
	Verdict  policy.Verdict `json:"verdict,omitempty"`
	Levels   *Levels        `json:"levels,omitempty"`
	Failures []Failure      `json:"failures,omitempty"`
	// VSA is the signed SLSA VSA, a DSSE envelope (JSON) in standard
	// base64, on acceptance.
	VSA string `json:"vsa,omitempty"`
}

// UploadedArtifact identifies the uploaded artifact.
type UploadedArtifact struct {
	Name        string               `json:"name,omitempty"`
	PURL        string               `json:"purl,omitempty"`
	Digest      buildtrust.DigestSet `json:"digest"`
	Size        int64                `json:"size"`
	ResourceURI string               `json:"resourceUri"`
}

// Levels are the SLSA levels reached and required.
type Levels struct {
	Build            int `json:"build"`
	BuildEnv         int `json:"buildEnv"`
	RequiredBuild    int `json:"requiredBuild"`
	RequiredBuildEnv int `json:"requiredBuildEnv"`
}

// Failure is one failed check that decided a rejection.
type Failure struct {
	ID       string      `json:"id"`
	Threats  []threat.ID `json:"threats,omitempty"`
	Expected string      `json:"expected,omitempty"`
	Actual   string      `json:"actual,omitempty"`
	Message  string      `json:"message,omitempty"`
}

// httpError is an upload refused before evaluation, with its status.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func refuse(status int, format string, args ...any) *httpError {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

// upload is a request's form, read.
type upload struct {
	name, purl   string
	digest       buildtrust.DigestSet
	size         int64
	attestations [][]byte
	evidence     [][]byte
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.respond(w, http.StatusMethodNotAllowed, Response{Error: "use POST with multipart/form-data"})
		return
	}
	// Every path below discards the staged artifact unless it was
	// committed, so no refusal, rejection or failure leaves bytes behind.
	var staged Staged
	committed := false
	defer func() {
		if staged != nil && !committed {
			if err := staged.Discard(); err != nil {
				h.logf("registry: discard staged upload: %v", err)
			}
		}
	}()

	up, err := h.read(w, r, &staged)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) {
			h.respond(w, he.status, Response{Error: he.msg})
			return
		}
		h.logf("registry: reading upload: %v", err)
		h.respond(w, http.StatusInternalServerError, Response{Error: "internal error"})
		return
	}

	resource := h.base + url.PathEscape(up.name)
	if up.name == "" {
		resource = h.base + url.PathEscape(up.purl)
	}
	resp := Response{Artifact: &UploadedArtifact{Name: up.name, PURL: up.purl, Digest: up.digest, Size: up.size, ResourceURI: resource}}
	res, err := h.policy.Evaluate(r.Context(), policy.Input{
		Name: up.name, PURL: up.purl, Artifact: up.digest, ResourceURI: resource,
		Attestations: up.attestations, Evidence: up.evidence,
		Time: h.clock(),
	})
	if err != nil {
		if errors.Is(err, policy.ErrInput) {
			resp.Error = err.Error()
			h.respond(w, http.StatusBadRequest, resp)
			return
		}
		h.logf("registry: evaluate %s: %v", resource, err)
		h.respond(w, http.StatusInternalServerError, Response{Error: "internal error"})
		return
	}
	resp.Verdict = res.Verdict
	resp.Levels = &Levels{Build: res.BuildLevel, BuildEnv: res.BuildEnvLevel,
		RequiredBuild: res.RequiredBuildLevel, RequiredBuildEnv: res.RequiredBuildEnvLevel}
	if !res.Passed() {
		for _, c := range res.Failures() {
			resp.Failures = append(resp.Failures, Failure{ID: c.ID, Threats: c.Threats, Expected: c.Expected, Actual: c.Actual, Message: c.Message})
		}
		h.respond(w, http.StatusUnprocessableEntity, resp)
		return
	}

	// Sign before committing: an artifact the registry cannot vouch for is
	// not published.
	env, err := h.policy.SignVSA(r.Context(), res, policy.VSAOptions{VerifierVersion: h.version, ResourceURI: resource}, h.signer)
	if err != nil {
		h.logf("registry: sign VSA for %s: %v", resource, err)
		h.respond(w, http.StatusInternalServerError, Response{Error: "internal error"})
		return
	}
	vsaJSON, err := json.Marshal(env)
	if err != nil {
		h.logf("registry: encode VSA for %s: %v", resource, err)
		h.respond(w, http.StatusInternalServerError, Response{Error: "internal error"})
		return
	}
	err = staged.Commit(r.Context(), Artifact{Name: up.name, PURL: up.purl, Digest: up.digest, Size: up.size,
		ResourceURI: resource, VSA: vsaJSON})
	switch {
	case errors.Is(err, ErrExists):
		resp.Error = "an artifact of that name exists; published artifacts are immutable"
		h.respond(w, http.StatusConflict, resp)
		return
	case err != nil:
		h.logf("registry: commit %s: %v", resource, err)
		h.respond(w, http.StatusInternalServerError, Response{Error: "internal error"})
		return
	}
	committed = true
	resp.Accepted = true
	resp.VSA = base64.StdEncoding.EncodeToString(vsaJSON)
	h.respond(w, http.StatusOK, resp)
}

// read reads the multipart form: the artifact streamed into a staging area
// (returned through staged so the caller can discard it), everything else
// into memory, each under its limit. Errors are *httpError for the client's
// mistakes; any other error is the server's.
func (h *Handler) read(w http.ResponseWriter, r *http.Request, staged *Staged) (*upload, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, refuse(http.StatusUnsupportedMediaType, "the body must be multipart/form-data")
	}
	if params["boundary"] == "" {
		return nil, refuse(http.StatusBadRequest, "malformed multipart: no boundary")
	}
	if r.ContentLength > h.lim.MaxRequestBytes {
		return nil, refuse(http.StatusRequestEntityTooLarge, "the body exceeds %d bytes", h.lim.MaxRequestBytes)
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, h.lim.MaxRequestBytes), params["boundary"])

	up := &upload{}
	var (
		attached                      int64 // bytes of attestations and evidence
		parts                         int
		sawArtifact, sawName, sawPURL bool
		artifactFile                  string
	)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bodyError(err)
		}
		parts++
		if parts > h.lim.MaxParts {
			return nil, refuse(http.StatusRequestEntityTooLarge, "more than %d parts", h.lim.MaxParts)
		}
		switch field := p.FormName(); field {
		case FieldArtifact:
			if sawArtifact {
				return nil, refuse(http.StatusBadRequest, "more than one %q part", field)
			}
			sawArtifact = true
			artifactFile = p.FileName()
			s, err := h.store.Stage(r.Context())
			if err != nil {
				return nil, fmt.Errorf("stage: %w", err)
			}
			*staged = s
			stagedW := &recordingWriter{w: s}
			// Hash while staging, in one pass with a fixed buffer: memory
			// does not depend on the artifact's size. One byte over the
			// limit is enough to know it is too large.
			src := io.TeeReader(io.LimitReader(p, h.lim.MaxArtifactBytes+1), stagedW)
			digest, n, err := buildtrust.Digest(src, buildtrust.SHA256, buildtrust.SHA512)
			switch {
			case stagedW.err != nil:
				return nil, fmt.Errorf("stage: %w", stagedW.err)
			case err != nil:
				return nil, bodyError(err)
			case n > h.lim.MaxArtifactBytes:
				return nil, refuse(http.StatusRequestEntityTooLarge, "the artifact exceeds %d bytes", h.lim.MaxArtifactBytes)
			}
			up.digest, up.size = digest, n
		case FieldAttestations, FieldEvidence:
			perPart := h.lim.MaxAttestationBytes
			if field == FieldEvidence {
				perPart = h.lim.MaxEvidenceBytes
			}
			// A part within its own limit may still be one too many for
			// the request's memory budget.
			max := min(perPart, h.lim.MaxAttachedBytes-attached)
			data, err := readPart(p, max, field)
			var he *httpError
			if errors.As(err, &he) && he.status == http.StatusRequestEntityTooLarge && max < perPart {
				return nil, refuse(http.StatusRequestEntityTooLarge, "attestations and evidence exceed %d bytes together", h.lim.MaxAttachedBytes)
			}
			if err != nil {
				return nil, err
			}
			attached += int64(len(data))
			if field == FieldAttestations {
				up.attestations = append(up.attestations, data)
			} else {
				up.evidence = append(up.evidence, data)
			}
		case FieldName, FieldPURL:
			if (field == FieldName && sawName) || (field == FieldPURL && sawPURL) {
				return nil, refuse(http.StatusBadRequest, "more than one %q field", field)
			}
			data, err := readPart(p, h.lim.MaxFieldBytes, field)
			if err != nil {
				return nil, err
			}
			if field == FieldName {
				sawName, up.name = true, string(data)
			} else {
				sawPURL, up.purl = true, string(data)
			}
		default:
			// Strict, like the policy document: a misspelt field would
			// otherwise drop an attestation silently.
			return nil, refuse(http.StatusBadRequest, "unknown form field %q (want %s, %s, %s, %s or %s)", field,
				FieldArtifact, FieldAttestations, FieldEvidence, FieldName, FieldPURL)
		}
	}

	if !sawArtifact {
		return nil, refuse(http.StatusBadRequest, "no %q part", FieldArtifact)
	}
	if len(up.attestations) == 0 {
		return nil, refuse(http.StatusBadRequest, "no %q part: an artifact without attestations cannot be admitted", FieldAttestations)
	}
	if !sawName {
		up.name = artifactFile
	}
	if up.name != "" {
		if err := checkName(up.name); err != nil {
			return nil, refuse(http.StatusBadRequest, "name %q: %v", up.name, err)
		}
	}
	if up.purl != "" && (!strings.HasPrefix(up.purl, "pkg:") || !utf8.ValidString(up.purl) || strings.ContainsFunc(up.purl, unicode.IsControl)) {
		return nil, refuse(http.StatusBadRequest, "purl %q is not a package URL", up.purl)
	}
	if up.name == "" && up.purl == "" {
		return nil, refuse(http.StatusBadRequest, "no %q or %q: the policy selects artifacts by them", FieldName, FieldPURL)
	}
	return up, nil
}

// readPart reads one in-memory part under max bytes.
func readPart(p *multipart.Part, max int64, what string) ([]byte, error) {
	data, err := limits.ReadAll(p, max, what)
	switch {
	case errors.Is(err, limits.ErrTooLarge):
		return nil, refuse(http.StatusRequestEntityTooLarge, "part %q exceeds %d bytes", what, max)
	case err != nil:
		return nil, bodyError(err)
	}
	return data, nil
}

// bodyError classifies an error reading the body: over MaxRequestBytes is
// 413, anything else a malformed request.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return refuse(http.StatusRequestEntityTooLarge, "the body exceeds %d bytes", mbe.Limit)
	}
	return refuse(http.StatusBadRequest, "malformed multipart: %v", err)
}

// checkName accepts a plain file name: it becomes a store key and a path
// segment of the resource URI.
func checkName(name string) error {
	switch {
	case !utf8.ValidString(name):
		return errors.New("not UTF-8")
	case name == "." || name == "..":
		return errors.New("not a file name")
	case strings.ContainsAny(name, `/\`):
		return errors.New("contains a path separator")
	case strings.ContainsFunc(name, unicode.IsControl):
		return errors.New("contains a control character")
	}
	return nil
}

// recordingWriter remembers the first write error, so that a failing store
// is told apart from a failing client when both surface as a read error of
// the TeeReader.
type recordingWriter struct {
	w   io.Writer
	err error
}

func (rw *recordingWriter) Write(p []byte) (int, error) {
	n, err := rw.w.Write(p)
	if err != nil && rw.err == nil {
		rw.err = err
	}
	return n, err
}

func (h *Handler) respond(w http.ResponseWriter, status int, resp Response) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(resp); err != nil {
		h.logf("registry: write response: %v", err)
	}
}

func (h *Handler) logf(format string, args ...any) {
	if h.errorLog != nil {
		h.errorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}
