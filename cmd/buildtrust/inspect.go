package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/policy"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/vsa"
)

const inspectUsage = `Show what an attestation or evidence file claims, WITHOUT verifying it:
no signature, certificate, transparency-log entry or hardware evidence is
checked, and every output says so. Use "verify" to decide anything.

Recognised inputs:
  - DSSE envelopes and JSON Lines bundles of them (.intoto.jsonl), with the
    in-toto Statement inside: SLSA provenance (v1, v0.2, v0.1), VSAs, SVRs,
    SCAI reports and the BuildEnv launch, dispatch and reference-value
    attestations (inline evidence is decoded too);
  - in-toto Statements (v1, v0.1) on their own;
  - Sigstore bundles (application/vnd.dev.sigstore.bundle…): media type,
    signer certificate or key hint, transparency-log entries, DSSE content;
    and npm attestation responses holding such bundles;
  - AMD SEV-SNP attestation reports (binary, or hex text) and extended-report
    certificate tables;
  - Intel TDX quotes (version 4);
  - TPM 2.0 quotes (TPMS_ATTEST; give its TPMT_SIGNATURE with -signature);
  - TCG event logs (PC Client crypto-agile or SHA-1 format, TDX CCEL), with
    the PCR values a replay of the log gives (not compared with any quote).

Input is bounded by the largest attestation bundle the library accepts.

Exit status: 0 described, 2 unreadable or unrecognised input.`

// unverifiedNotice heads every inspect output.
const unverifiedNotice = "UNVERIFIED: parsed only. No signature, certificate, transparency log or hardware evidence was checked."

func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("inspect", "buildtrust inspect FILE [-format text|json] [-signature FILE] [-v]", inspectUsage, stdout, stderr)
	format := formatFlag("text")
	fs.Var(&format, "format", "output `format`: text or json")
	sigFile := fs.String("signature", "", "TPMT_SIGNATURE `FILE` of a TPM quote")
	verbose := fs.Bool("v", false, "also list every event of an event log")
	if code, ok := fs.parse(args, 1, 1); !ok {
		return code
	}
	path := fs.args[0]
	data, err := readFile(path, limits.MaxBundleBytes, "input")
	if err != nil {
		fmt.Fprintf(stderr, "buildtrust inspect: %v\n", err)
		return exitUsage
	}
	in := inspector{verbose: *verbose}
	if *sigFile != "" {
		if in.tpmSignature, err = readFile(*sigFile, limits.MaxTPMSignatureBytes, "TPM signature"); err != nil {
			fmt.Fprintf(stderr, "buildtrust inspect: %v\n", err)
			return exitUsage
		}
	}
	n, err := in.describe(data)
	if err != nil {
		fmt.Fprintf(stderr, "buildtrust inspect: %s: %v\n", path, err)
		return exitUsage
	}
	if format == "json" {
		return writeJSON(stdout, stderr, struct {
			Status string `json:"status"`
			Notice string `json:"notice"`
			File   string `json:"file"`
			Input  *node  `json:"input"`
		}{"UNVERIFIED", unverifiedNotice, path, n})
	}
	fmt.Fprintln(stdout, unverifiedNotice)
	fmt.Fprintf(stdout, "file: %s\n\n", path)
	n.writeText(stdout, "")
	return exitOK
}

// inspector holds the options of one inspect run.
type inspector struct {
	tpmSignature []byte // TPMT_SIGNATURE for a TPMS_ATTEST input; nil: none
	verbose      bool
}

// describe recognises data and describes what it claims. An error means the
// input is unrecognised, or recognised and malformed.
func (in inspector) describe(data []byte) (*node, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("empty input")
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return in.describeJSON(trimmed)
	}
	n, err := in.describeBinary(data)
	if !errors.Is(err, errUnrecognised) {
		return n, err
	}
	if isHexText(data) {
		raw, herr := decodeHexText(data)
		if herr == nil {
			if n, err := in.describeBinary(raw); err == nil {
				n.fields = append([]field{{"encoding", "hex text"}}, n.fields...)
				return n, nil
			}
		}
	}
	return nil, fmt.Errorf("%w: not a DSSE envelope, JSON Lines bundle, Sigstore bundle, in-toto Statement, SEV-SNP report or certificate table, TDX quote, TPM quote (TPMS_ATTEST) or TCG event log", errUnrecognised)
}

func (in inspector) describeJSON(data []byte) (*node, error) {
	if json.Valid(data) {
		return in.describeJSONValue(data)
	}
	// Not one JSON value: a JSON Lines bundle, one attestation per line.
	lines, err := limits.SplitLines(data, limits.MaxBundleBytes, limits.MaxBundleLines, "JSON Lines bundle")
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		if !json.Valid(l.Data) {
			return nil, fmt.Errorf("%w: line %d is not JSON: not a JSON document or a JSON Lines bundle", errUnrecognised, l.Number)
		}
	}
	n := newNode("JSON Lines bundle").set("lines", len(lines))
	var entries []*node
	for _, l := range lines {
		e, err := in.describeJSONValue(l.Data)
		if err != nil {
			e = newNode("unreadable line").set("error", err.Error())
		}
		e.fields = append([]field{{"line", l.Number}}, e.fields...)
		entries = append(entries, e)
	}
	return n.set("entries", entries), nil
}

const sigstoreBundlePrefix = "application/vnd.dev.sigstore.bundle"

func (in inspector) describeJSONValue(data []byte) (*node, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: JSON, but not an object", errUnrecognised)
	}
	var mediaType string
	_ = json.Unmarshal(probe["mediaType"], &mediaType)
	switch {
	case strings.HasPrefix(mediaType, sigstoreBundlePrefix):
		return in.describeSigstoreBundle(data)
	case probe["payloadType"] != nil || probe["payload"] != nil && probe["signatures"] != nil:
		env, err := buildtrust.ParseEnvelope(data)
		if err != nil {
			return nil, fmt.Errorf("DSSE envelope: %w", err)
		}
		return in.envelopeNode(env), nil
	case probe["_type"] != nil:
		st, err := buildtrust.ParseStatement(data)
		if err != nil {
			return nil, fmt.Errorf("in-toto Statement: %w", err)
		}
		return in.statementNode(st), nil
	case probe["attestations"] != nil:
		return in.describeNPM(probe["attestations"])
	case probe["provenance_summary"] != nil:
		entries, err := provenance.ParseGCloud(data)
		if err != nil {
			return nil, fmt.Errorf("gcloud provenance output: %w", err)
		}
		var envs []*node
		for _, e := range entries {
			envs = append(envs, in.envelopeNode(e.Envelope))
		}
		return newNode("gcloud --show-provenance output").set("envelopes", envs), nil
	}
	keys := make([]string, 0, len(probe))
	for k := range probe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return nil, fmt.Errorf("%w: JSON object with keys %s", errUnrecognised, truncate(strings.Join(keys, ", "), 200))
}

func (in inspector) envelopeNode(env *buildtrust.Envelope) *node {
	n := newNode("DSSE envelope").
		set("payloadType", env.PayloadType).
		set("payloadBytes", len(env.Payload))
	var sigs []*node
	for _, s := range env.Signatures {
		sn := newNode("signature").set("keyid", s.KeyID).set("bytes", len(s.Sig))
		if s.Cert != "" {
			sn.set("certificate", certsNode([]byte(s.Cert)))
		}
		sigs = append(sigs, sn)
	}
	n.set("signatures", sigs)
	if env.PayloadType == buildtrust.PayloadType || bytes.HasPrefix(bytes.TrimSpace(env.Payload), []byte("{")) {
		st, err := buildtrust.ParseStatement(env.Payload)
		if err != nil {
			n.set("statement", newNode("unreadable payload").set("error", err.Error()))
		} else {
			n.set("statement", in.statementNode(st))
		}
	}
	return n
}

func (in inspector) statementNode(st *buildtrust.Statement) *node {
	n := newNode("in-toto Statement").
		set("type", st.Type).
		set("predicateType", st.PredicateType)
	var subjects []string
	for _, s := range st.Subject {
		subjects = append(subjects, descriptor(&s))
	}
	n.set("subjects", subjects)
	return n.set("predicate", in.predicateNode(st))
}

// descriptor renders a ResourceDescriptor on one line.
func descriptor(rd *buildtrust.ResourceDescriptor) string {
	if rd == nil {
		return ""
	}
	var content, loc, mt string
	if len(rd.Content) > 0 {
		content = fmt.Sprintf("(%d bytes inline)", len(rd.Content))
	}
	if rd.DownloadLocation != "" {
		loc = "at " + rd.DownloadLocation
	}
	if rd.MediaType != "" {
		mt = "[" + rd.MediaType + "]"
	}
	return joinNonEmpty(" ", rd.Name, rd.URI, formatDigests(rd.Digest), mt, content, loc)
}

func (in inspector) predicateNode(st *buildtrust.Statement) *node {
	pt := st.PredicateType
	fail := func(kind string, err error) *node {
		return newNode(kind+" (unreadable)").set("error", err.Error())
	}
	switch {
	case pt == provenance.PredicateTypeV1 || pt == provenance.PredicateTypeV02 || pt == provenance.PredicateTypeV01:
		p, err := provenance.Parse(st)
		if err != nil {
			return fail("SLSA provenance", err)
		}
		return provenanceNode(p)
	case pt == vsa.PredicateType:
		v, err := vsa.Parse(st)
		if err != nil {
			return fail("SLSA VSA", err)
		}
		return vsaNode(&v.Predicate)
	case pt == vsa.SVRPredicateType:
		s, err := vsa.ParseSVR(st)
		if err != nil {
			return fail("SVR", err)
		}
		return newNode("Simple Verification Result v0.2").
			set("verifier", s.Verifier.ID).
			set("timeCreated", s.TimeCreated.Format(timeLayout)).
			set("properties", s.Properties)
	case scai.IsPredicateType(pt):
		rep, err := scai.Parse(st)
		if err != nil {
			return fail("SCAI report", err)
		}
		return in.scaiNode(rep)
	case pt == policy.AssessmentPredicateType:
		a, err := policy.ParseAssessment(st)
		if err != nil {
			return fail("builder assessment", err)
		}
		n := newNode("builder assessment").
			set("builder", a.Builder.ID).
			set("claimedLevel", a.ClaimedLevel).
			set("selfAttested", a.SelfAttested).
			set("issuedAt", a.IssuedAt.Format(timeLayout)).
			set("expiresAt", a.ExpiresAt.Format(timeLayout)).
			set("answers", len(a.Answers))
		if a.Assessor != nil {
			n.set("assessor", a.Assessor.ID)
		}
		return n
	}
	n := newNode("predicate").set("bytes", len(st.Predicate))
	var obj map[string]json.RawMessage
	if len(st.Predicate) > 0 && json.Unmarshal(st.Predicate, &obj) == nil {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n.set("fields", keys)
	}
	return n
}

const timeLayout = "2006-01-02T15:04:05Z07:00"

func provenanceNode(p *provenance.Parsed) *node {
	kind := "SLSA provenance v1"
	if p.Legacy != nil {
		kind = "SLSA provenance (" + p.PredicateType + ", shown normalized to v1)"
	}
	bd, rd := p.BuildDefinition, p.RunDetails
	n := newNode(kind).
		set("builder", rd.Builder.ID).
		set("builderVersion", mapString(rd.Builder.Version)).
		set("buildType", bd.BuildType).
		set("externalParameters", rawJSON(bd.ExternalParameters)).
		set("internalParameters", rawJSON(bd.InternalParameters))
	if m := rd.Metadata; m != nil {
		n.set("invocationId", m.InvocationID)
		if m.StartedOn != nil {
			n.set("startedOn", m.StartedOn.Format(timeLayout))
		}
		if m.FinishedOn != nil {
			n.set("finishedOn", m.FinishedOn.Format(timeLayout))
		}
	}
	n.set("resolvedDependencies", descriptors(bd.ResolvedDependencies))
	n.set("byproducts", descriptors(rd.Byproducts))
	return n
}

// maxListed bounds the descriptors listed in text and JSON: a provenance may
// name thousands of dependencies, and inspect is for reading.
const maxListed = 50

func descriptors(rds []buildtrust.ResourceDescriptor) []string {
	var out []string
	for i := range rds {
		if i == maxListed {
			out = append(out, fmt.Sprintf("… and %d more", len(rds)-maxListed))
			break
		}
		out = append(out, descriptor(&rds[i]))
	}
	return out
}

func vsaNode(p *vsa.Predicate) *node {
	n := newNode("SLSA VSA v1").
		set("verifier", p.Verifier.ID).
		set("verifierVersion", mapString(p.Verifier.Version))
	if !p.TimeVerified.IsZero() {
		n.set("timeVerified", p.TimeVerified.Format(timeLayout))
	}
	n.set("resourceUri", p.ResourceURI).
		set("policy", descriptor(&p.Policy)).
		set("verificationResult", string(p.VerificationResult)).
		set("verifiedLevels", p.VerifiedLevels).
		set("slsaVersion", p.SlsaVersion)
	if p.DependencyLevels != nil {
		var deps []string
		for k, v := range p.DependencyLevels {
			deps = append(deps, fmt.Sprintf("%s=%d", k, v))
		}
		sort.Strings(deps)
		n.set("dependencyLevels", deps)
	}
	return n.set("inputAttestations", descriptors(p.InputAttestations))
}

func (in inspector) scaiNode(rep *scai.Report) *node {
	version := "v0.3"
	if rep.PredicateType != scai.PredicateTypeV03 {
		version = "v0.2"
	}
	attrs := rep.Predicate
	switch {
	case attrs.Has(scai.AttrDispatch):
		if d, err := rep.Dispatch(); err == nil {
			n := newNode("BuildEnv dispatch attestation (SCAI "+version+")").
				set("identity", descriptor(&d.Identity)).
				set("buildId", d.BuildID).
				set("launch", descriptor(d.Launch))
			in.evidenceFields(n, d.MeasuredBoot, d.TEE)
			return n
		}
	case attrs.Has(scai.AttrMeasuredBoot) || attrs.Has(scai.AttrHardwareTEE):
		if l, err := rep.Launch(); err == nil {
			n := newNode("BuildEnv launch attestation (SCAI "+version+")").
				set("identity", descriptor(&l.Identity))
			if l.Image != nil {
				n.set("image", descriptor(&l.Image.Image)).set("imageAttestation", descriptor(l.Image.Attestation))
			}
			n.set("producer", descriptor(l.Producer))
			in.evidenceFields(n, l.MeasuredBoot, l.TEE)
			return n
		}
	case attrs.Has(scai.AttrReferenceValue):
		if v, err := rep.ImageReferenceValues(); err == nil {
			var values []string
			for _, rv := range v.Values {
				extra := ""
				switch rv.Component {
				case scai.PCR:
					extra = fmt.Sprintf("(PCR %d)", rv.PCR)
				case scai.TEELaunch:
					extra = "(" + rv.Platform + ")"
				}
				values = append(values, joinNonEmpty(" ", string(rv.Component), extra, rv.Name, formatDigests(rv.Digest)))
			}
			return newNode("BuildEnv image reference values (SCAI "+version+")").
				set("image", descriptor(&v.Image)).
				set("producer", descriptor(v.Producer)).
				set("values", values)
		}
	}
	// Any other report, or a BuildEnv one that does not fit its profile:
	// the attributes as written.
	n := newNode("SCAI attribute report "+version).set("producer", descriptor(attrs.Producer))
	var list []*node
	for i, a := range attrs.Attributes {
		if i == maxListed {
			list = append(list, newNode(fmt.Sprintf("… and %d more", len(attrs.Attributes)-maxListed)))
			break
		}
		an := newNode(a.Attribute).set("target", descriptor(a.Target))
		if len(a.Conditions) > 0 {
			an.set("conditions", json.RawMessage(a.Conditions))
		}
		list = append(list, an.set("evidence", descriptor(a.Evidence)))
	}
	return n.set("attributes", list)
}

// evidenceFields lists the evidence of a launch or dispatch and decodes what
// travels inline (small TPM quotes and signatures, usually).
func (in inspector) evidenceFields(n *node, mb *scai.MeasuredBoot, t *scai.HardwareTEE) {
	if mb != nil {
		m := newNode("TPM evidence").
			set("binding", bindingString(mb.Binding)).
			set("quote", descriptor(mb.Quote)).
			set("signature", descriptor(mb.Signature)).
			set("eventLog", descriptor(mb.EventLog)).
			set("akCertificate", descriptor(mb.AKCertificate))
		if mb.Quote != nil && len(mb.Quote.Content) > 0 {
			var sig []byte
			if mb.Signature != nil {
				sig = mb.Signature.Content
			}
			q, err := inspector{tpmSignature: sig}.describeBinary(mb.Quote.Content)
			if err != nil {
				q = newNode("TPM quote (unreadable)").set("error", err.Error())
			}
			m.set("inlineQuote", q)
		}
		if mb.EventLog != nil && len(mb.EventLog.Content) > 0 {
			if l, err := in.describeBinary(mb.EventLog.Content); err == nil {
				m.set("inlineEventLog", l)
			}
		}
		if mb.AKCertificate != nil && len(mb.AKCertificate.Content) > 0 {
			m.set("inlineAKCertificate", certNode(mb.AKCertificate.Content))
		}
		n.set("measuredBoot", m)
	}
	if t != nil {
		h := newNode("TEE evidence").
			set("platform", t.Platform).
			set("binding", bindingString(t.Binding)).
			set("report", descriptor(t.Report)).
			set("endorsements", descriptor(t.Endorsements))
		if t.Report != nil && len(t.Report.Content) > 0 {
			if r, err := in.describeBinary(t.Report.Content); err == nil {
				h.set("inlineReport", r)
			}
		}
		n.set("hardwareTEE", h)
	}
}

func bindingString(b scai.Binding) string {
	return joinNonEmpty(" ", b.Convention, b.Purpose, formatDigests(b.Payload))
}

func mapString(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, " ")
}

// rawJSON turns decoded parameters back into JSON for display; nil when
// empty so the field is omitted.
func rawJSON(v map[string]any) any {
	if len(v) == 0 {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return json.RawMessage(b)
}
