package policy

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/text"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/threat"
	"github.com/buildtrust/buildtrust/tpm"
	"github.com/buildtrust/buildtrust/vsa"
)

// Check IDs of the BuildEnv chain (DESIGN.md: image → boot → hardware →
// dispatch → provenance), each with the threats it stops and the BuildEnv
// level it belongs to.
const (
	CheckEnvLaunch          = "buildenv.launch"                 // L1: a trusted launch attestation (E7, E9)
	CheckEnvProvenance      = "buildenv.provenance.environment" // L1: the provenance names this environment (E7)
	CheckEnvImage           = "buildenv.image"                  // L1: image provenance from a trusted image builder at Build L2+ (E8)
	CheckEnvImageAccepted   = "buildenv.image.accepted"         // L1: the image is one the policy accepts (E8)
	CheckEnvImageLevel      = "buildenv.image.level"            // L2: the image was built at Build L3 (BENV-L2-1; E8)
	CheckEnvRefValues       = "buildenv.refvalues"              // L2: signed, complete reference values (BENV-L2-2; E9)
	CheckEnvBoot            = "buildenv.boot"                   // L2: TPM quote and event log (BENV-L2-3; E9)
	CheckEnvBootComponent   = "buildenv.boot.component."        // L2: + component: measured as referenced (E9)
	CheckEnvBootPCR         = "buildenv.boot.pcr."              // L2: + bank.index: quoted PCR as referenced (E9)
	CheckEnvDispatch        = "buildenv.dispatch"               // L2: dispatch signed by the environment, for this launch (E7)
	CheckEnvDispatchBuildID = "buildenv.dispatch.buildId"       // L2: dispatch names the provenance's build (BENV-L2-4)
	CheckEnvHardware        = "buildenv.hardware"               // L3: SEV-SNP/TDX evidence bound to the identity (BENV-L3-1; E10)
	CheckEnvMeasurement     = "buildenv.hardware.measurement"   // L3: launch measurement as referenced (BENV-L3-3; E9, E10)
	CheckEnvResponse        = "buildenv.response"               // a TEE report whose REPORT_DATA covers the provenance (E10, E1)
)

var (
	thrLaunch   = []threat.ID{threat.E7, threat.E9}
	thrEnvLink  = []threat.ID{threat.E7}
	thrImage    = []threat.ID{threat.E8}
	thrBoot     = []threat.ID{threat.E9}
	thrHardware = []threat.ID{threat.E10}
	thrMeasure  = []threat.ID{threat.E9, threat.E10}
	thrResponse = []threat.ID{threat.E10, threat.E1}
)

// levelResponse is the level of the response-time binding's check, which
// is outside the BuildEnv levels.
const levelResponse = 4

type chain struct {
	e          *evaluation
	launchIn   *envelopeIn
	dispatchIn *envelopeIn
	// The chain's checks are appended to the Result's as they are made
	// (buildEnv keeps only the best chain's): they start at start, and
	// levels holds the BuildEnv level each serves.
	start  int
	levels []int8
	level  int
	claims *tee.Claims
	teeEv  tee.Evidence
	image  buildtrust.DigestSet
	uses   []func()
	banks  []tpm.PCRBank // the verified quote's PCRs
	// complete is set when every link ran: only then do rules see the
	// environment's claims.
	complete bool
}

func (e *evaluation) newChain(launchIn *envelopeIn) *chain {
	return &chain{e: e, launchIn: launchIn, start: len(e.res.Checks), levels: make([]int8, 0, 64)}
}

func (c *chain) add(level int, cs ...Check) {
	c.e.res.Checks = append(c.e.res.Checks, cs...)
	for range cs {
		c.levels = append(c.levels, int8(level))
	}
}

// checks are the chain's checks, in the Result.
func (c *chain) checks() []Check { return c.e.res.Checks[c.start : c.start+len(c.levels)] }

func (c *chain) addAll(level int, cs []buildtrust.Check) {
	for _, x := range cs {
		c.add(level, Check{Check: x})
	}
}

// reached is the highest level whose checks, and those of every level
// below, all passed.
func (c *chain) reached() int {
	level := 0
	cs := c.checks()
	for l := int8(1); l <= 3; l++ {
		for i, x := range cs {
			if c.levels[i] == l && x.Outcome == buildtrust.Fail {
				return level
			}
		}
		level = int(l)
	}
	return level
}

// buildEnv verifies the environment chains the input offers and decides the
// BuildEnv level (DESIGN.md, "The BuildEnv chain").
func (e *evaluation) buildEnv(prov *provOutcome, v *vsaStandIn) {
	a := e.art.doc
	req := a.BuildEnvLevel
	reqThreats := levelThreats("BuildEnv L", req)
	if e.art.env == nil {
		if v != nil {
			e.res.BuildEnvLevel = v.buildEnv
		}
		e.add(notApplicable(CheckBuildEnv, nil, "the policy requires no BuildEnv level"))
		return
	}
	var best *chain
	n := 0
	for _, in := range e.envs {
		l := in.asLaunch()
		if l == nil {
			continue
		}
		if n++; n > limits.MaxPolicyCandidates {
			e.ignore(in.source, fmt.Sprintf("more than %d launch attestations; not followed", limits.MaxPolicyCandidates))
			continue
		}
		c := e.followChain(prov, in, l)
		switch {
		case best == nil:
			best = c
		case c.level > best.level: // its checks replace those of best, just before them
			n := copy(e.res.Checks[best.start:], c.checks())
			e.res.Checks = e.res.Checks[:best.start+n]
			c.start, best = best.start, c
		default: // a chain no better than best leaves no checks
			e.res.Checks = e.res.Checks[:c.start]
		}
	}
	if best == nil {
		best = e.newChain(nil)
		best.add(1, fail(CheckEnvLaunch, thrLaunch, "a launch attestation signed by a trusted launch signer or its identity key", "none",
			"no environment launch attestation was presented"))
	}
	level := best.level
	// BENV-L1-3, BENV-L2-5: the platform's Build level bounds the BuildEnv
	// level.
	capped := ""
	switch {
	case e.res.BuildLevel < 2 && level > 0:
		level, capped = 0, " (the build platform is below Build L2)"
	case e.res.BuildLevel < 3 && level > 1:
		level, capped = 1, " (the build platform is below Build L3)"
	}
	if v != nil && v.buildEnv > level {
		level, capped = v.buildEnv, " (from a trusted VSA)"
	}
	e.res.BuildEnvLevel = level
	byVSA := v != nil && v.buildEnv >= req
	cs := best.checks()
	for i := range cs {
		lvl := int(best.levels[i])
		if byVSA || lvl > req && !(lvl == levelResponse && a.RequireResponseBinding) {
			cs[i].Advisory = true
		}
		if lvl == levelResponse && a.RequireResponseBinding && !byVSA {
			cs[i].Advisory = false
		}
	}
	if best.level >= 1 || level > 0 {
		for _, u := range best.uses {
			u()
		}
	}
	if best.complete {
		e.envChain = best
	}
	if req == 0 {
		e.add(notApplicable(CheckBuildEnv, nil, fmt.Sprintf("the policy requires no BuildEnv level; L%d reached%s", level, capped)))
		return
	}
	if level >= req {
		e.add(pass(CheckBuildEnv, reqThreats, fmt.Sprintf("L%d%s", level, capped)))
	} else {
		e.add(fail(CheckBuildEnv, reqThreats, fmt.Sprintf("≥ L%d", req), fmt.Sprintf("L%d%s", level, capped),
			"the environment chain does not reach the required BuildEnv level; see the buildenv.* checks"))
	}
}

// followChain verifies one environment: launch, image, reference values,
// boot, hardware, dispatch and its tie to the provenance.
func (e *evaluation) followChain(prov *provOutcome, in *envelopeIn, l *scai.Launch) *chain {
	c := e.newChain(in)
	// Launch: signed by a trusted launch signer, or by its own identity key
	// (whose only trust is the hardware evidence checked below).
	idKey, err := l.IdentityKey(buildtrust.KeyOptions{})
	keys := slices.Clone(e.p.launchSigners)
	if err == nil {
		keys = append(keys, idKey)
	}
	if _, err := e.verify(in, keys); err != nil {
		c.add(1, fail(CheckEnvLaunch, thrLaunch, "signed by trust.launchSigners or the identity key", in.source, err.Error()))
		c.level = c.reached()
		return c
	}
	c.uses = append(c.uses, func() { e.use("launch", in) })
	c.add(1, pass(CheckEnvLaunch, thrLaunch, in.source))
	idDigest, _ := hex.DecodeString(l.Identity.Digest[buildtrust.SHA256])
	launchBind, _ := tee.Bind(tee.PurposeLaunch, idDigest)

	rv := e.imageLink(c, l)
	e.bootLink(c, l, rv, launchBind[:])
	e.hardwareLink(c, l, rv, launchBind[:])
	e.dispatchLink(c, prov, in, l, idKey)
	e.provenanceLink(c, prov)
	e.responseLink(c, prov)
	c.level = c.reached()
	c.complete = true
	return c
}

// envClaims renders what the chain verified as the CEL variable
// environment; built only when a rule may read it.
func (c *chain) envClaims() map[string]any {
	pcrs := map[string]any{}
	for _, b := range c.banks {
		m := map[string]any{}
		for i, v := range b.PCRs {
			m[fmt.Sprint(i)] = hex.EncodeToString(v)
		}
		pcrs[tpm.HashName(b.Hash)] = m
	}
	env := map[string]any{"image": digestMap(c.image), "pcrs": pcrs}
	if c.claims != nil {
		tcb := map[string]any{}
		for _, s := range c.claims.TCB.Components {
			tcb[s.Name] = int64(s.Value)
		}
		env["platform"] = string(c.claims.Platform)
		env["measurement"] = hex.EncodeToString(c.claims.Measurement)
		env["debug"] = c.claims.Debug
		env["tcb"] = tcb
		env["tcbStatus"] = c.claims.TCB.Status
		env["product"] = c.claims.Product
	}
	return env
}

// imageLink checks the build image: accepted, with trusted provenance, and
// its signed reference values (BENV-L1-1, BENV-L2-1, BENV-L2-2).
// imageVSA looks for a VSA from trust.verifiers about the build image
// (BENV-L1-2) and returns the highest Build level one vouches for, the
// envelope it came from, or why none counted. Failures name E8
// (vsa.Options.BuildImage).
func (e *evaluation) imageVSA(image buildtrust.ResourceDescriptor, acc *VSAAcceptance) (int, *envelopeIn, string) {
	uri := acc.ResourceURI
	if uri == "" {
		uri = image.URI
	}
	if uri == "" {
		return 0, nil, "an image VSA needs a resourceUri to compare: set acceptImageVSAs.resourceUri, or name the image by URI in the launch"
	}
	best, why := 0, "no VSA for the image was presented"
	var bestIn *envelopeIn
	for _, in := range e.envs {
		if in.st == nil || in.st.PredicateType != vsa.PredicateType {
			continue
		}
		if _, err := in.st.MatchSubjects(image.Digest, buildtrust.DigestPolicy{}); err != nil {
			continue
		}
		v, err := vsa.Verify(in.raw, vsa.Options{Verifiers: e.p.verifiers, Subject: image.Digest, ResourceURI: uri,
			RequiredLevels: []string{vsa.LevelToken(vsa.TrackBuild, 2)}, MaxAge: acc.MaxAge.Duration, Now: e.in.Time, BuildImage: true})
		if err != nil {
			why = fmt.Sprintf("%s: %v", in.source, err)
			continue
		}
		for _, lv := range v.Predicate.VerifiedLevels {
			if track, lvl, ok := vsa.ParseLevel(lv); ok && track == vsa.TrackBuild && lvl > best {
				best, bestIn = lvl, in
			}
		}
	}
	return best, bestIn, why
}

func (e *evaluation) imageLink(c *chain, l *scai.Launch) *scai.ImageReferenceValues {
	ce := e.art.env
	if l.Image == nil {
		c.add(1, fail(CheckEnvImage, thrImage, "the launch names its build image", "none", "the launch attestation names no image"))
		c.add(2, fail(CheckEnvRefValues, thrBoot, "reference values of the image", "none", "no image, so no reference values"))
		return nil
	}
	img := l.Image.Image.Digest
	c.image = img
	if len(ce.images) > 0 {
		if matchesAny(img, ce.images) {
			c.add(1, pass(CheckEnvImageAccepted, thrImage, img.String()))
		} else {
			c.add(1, fail(CheckEnvImageAccepted, thrImage, "one of environment.images", img.String(), "the environment was launched from an image the policy does not accept"))
		}
	}
	// Image provenance from a trusted image builder. The policy constrains
	// the image's builder and level; its source and parameters are the
	// image builder's business (the environment expectations pin images by
	// digest when a consumer wants more).
	builders := ce.doc.ImageBuilders
	if len(builders) == 0 {
		for _, b := range e.p.doc.Trust.ImageBuilders {
			builders = append(builders, b.ID)
		}
	}
	exp := provenance.Expectations{Artifact: img, BuilderIDs: builders, InsecureSkipSource: true, InsecureAllowUnknownParameters: true}
	opts := provenance.Options{TrustRoot: e.p.imageBuilders, Profiles: e.p.profiles, Now: e.in.Time}
	imgLevel, found := -1, false
	var why string
	for _, in := range e.envs {
		if in.st == nil || !isProvenanceType(in.st.PredicateType) {
			continue
		}
		if _, err := in.st.MatchSubjects(img, buildtrust.DigestPolicy{}); err != nil {
			continue
		}
		vs, err := e.verify(in, e.p.imageKeys)
		if err != nil {
			why = in.source + ": not signed by a trusted image builder"
			continue
		}
		att := provenance.FromVerified(vs)
		att.Parsed = in.parsedProvenance() // kept with the envelope's parse
		r, err := provenance.Check(att, exp, opts)
		if err != nil || r == nil {
			why = fmt.Sprintf("%s: %v", in.source, err)
			continue
		}
		e.keepParsed(in)
		if r.BuildLevel > imgLevel {
			imgLevel, found = r.BuildLevel, true
			in := in
			c.uses = append(c.uses, func() { e.use("image-provenance", in) })
		}
	}
	if acc := ce.doc.AcceptImageVSAs; acc != nil && imgLevel < 3 {
		if lvl, in, reason := e.imageVSA(l.Image.Image, acc); in != nil && lvl > imgLevel {
			imgLevel, found = lvl, true
			c.uses = append(c.uses, func() { e.use("image-vsa", in) })
		} else if !found && reason != "" {
			why = reason
		}
	}
	switch {
	case !found:
		if why == "" {
			why = "no provenance for the image was presented"
		}
		want := "image provenance from trust.imageBuilders"
		if ce.doc.AcceptImageVSAs != nil {
			want += ", or an image VSA from trust.verifiers"
		}
		c.add(1, fail(CheckEnvImage, thrImage, want, img.String(), why))
	case imgLevel < 2:
		c.add(1, fail(CheckEnvImage, thrImage, "image built at Build L2 or more (BENV-L1-1)", fmt.Sprintf("L%d", imgLevel), "the image builder is not trusted at Build L2"))
	default:
		c.add(1, pass(CheckEnvImage, thrImage, fmt.Sprintf("%s built at L%d", img.String(), imgLevel)))
		if imgLevel >= 3 {
			c.add(2, pass(CheckEnvImageLevel, thrImage, fmt.Sprintf("L%d", imgLevel)))
		} else {
			c.add(2, fail(CheckEnvImageLevel, thrImage, "Build L3 (BENV-L2-1)", fmt.Sprintf("L%d", imgLevel), "the image was not built at Build L3"))
		}
	}
	// Reference values signed by a trusted image producer.
	var rv *scai.ImageReferenceValues
	why = "no reference values for the image were presented"
	for _, in := range e.envs {
		if in.st == nil || !scai.IsPredicateType(in.st.PredicateType) {
			continue
		}
		if _, err := in.st.MatchSubjects(img, buildtrust.DigestPolicy{}); err != nil {
			continue
		}
		if _, err := e.verify(in, e.p.producerKeys); err != nil {
			why = in.source + ": not signed by a trusted image producer"
			continue
		}
		v, err := in.asReferenceValues() // parsed from the bytes just verified
		if err != nil {
			why = fmt.Sprintf("%s: %v", in.source, err)
			continue
		}
		if err := v.Complete(ce.components...); err != nil {
			why = fmt.Sprintf("%s: %v", in.source, err)
			continue
		}
		e.keepParsed(in)
		rv = v
		in := in
		c.uses = append(c.uses, func() { e.use("reference-values", in) })
		break
	}
	if rv == nil {
		c.add(2, fail(CheckEnvRefValues, thrBoot, "complete reference values signed by trust.imageProducers", "none", why))
	} else {
		c.add(2, pass(CheckEnvRefValues, thrBoot, fmt.Sprintf("%d values", len(rv.Values))))
	}
	return rv
}

// evidence resolves an evidence descriptor to bytes bound to its digest.
func (e *evaluation) evidence(rd *buildtrust.ResourceDescriptor) (evidenceBytes, error) {
	var supplied []byte
	var known bool
	d := rd.Digest[buildtrust.SHA256]
	if d != "" {
		b := e.blobs[d] // indexed by the SHA-256 read computed
		supplied, known = b.data, b.known
	}
	if supplied == nil && len(rd.Content) == 0 {
		return evidenceBytes{}, fmt.Errorf("evidence %q (%s) was not supplied", rd.Name, rd.MediaType)
	}
	if supplied != nil && len(rd.Digest) == 1 && rd.Content == nil && len(supplied) <= limits.MaxEvidenceBytes {
		// Found by the SHA-256 read computed (or recognized) for these very
		// bytes, and that is the only digest the descriptor names: the
		// lookup was CheckEvidence's digest check, so the bytes are not
		// hashed twice.
		return evidenceBytes{data: supplied, sha256: d, fromInput: true, known: known}, nil
	}
	data, err := scai.CheckEvidence(rd, supplied, buildtrust.DigestPolicy{})
	if err != nil {
		return evidenceBytes{}, err
	}
	// Inline content: an accepted SHA-256 in the descriptor is one
	// CheckEvidence matched against the bytes; otherwise hash them.
	if supplied == nil && !(buildtrust.DigestPolicy{}).Accepts(buildtrust.SHA256, d) {
		sum := sha256.Sum256(data)
		d = hex.EncodeToString(sum[:])
	}
	return evidenceBytes{data: data, sha256: d, fromInput: supplied != nil, known: known}, nil
}

// evidenceBytes are evidence bytes that matched their descriptor, with
// their SHA-256 (hex) for the Result's list of inputs.
type evidenceBytes struct {
	data      []byte
	sha256    string
	fromInput bool // found among Input.Evidence (not inline in an attestation)
	known     bool // its digest was remembered: the Policy keeps it already
}

// bootLink verifies the TPM quote and event log, bound to the identity, and
// compares what booted with the reference values (BENV-L2-3, BENV-L2-6).
func (e *evaluation) bootLink(c *chain, l *scai.Launch, rv *scai.ImageReferenceValues, bind []byte) {
	ce := e.art.env
	mb := l.MeasuredBoot
	if mb == nil {
		c.add(2, fail(CheckEnvBoot, thrBoot, "TPM measured-boot evidence", "none", "the launch carries no TPM evidence"))
		return
	}
	if e.p.akTrust == nil {
		c.add(2, fail(CheckEnvBoot, thrBoot, "trust.tpm", "none", "the policy trusts no TPM attestation key"))
		return
	}
	var pieces [4][]byte
	var digests []string
	for i, rd := range []*buildtrust.ResourceDescriptor{mb.Quote, mb.Signature, mb.EventLog, mb.AKCertificate} {
		if rd == nil {
			continue
		}
		b, err := e.evidence(rd)
		if err != nil {
			c.add(2, checkFromErr(CheckEnvBoot, thrBoot, err))
			return
		}
		pieces[i] = b.data
		digests = append(digests, b.sha256)
	}
	if pieces[2] == nil {
		c.add(2, fail(CheckEnvBoot, thrBoot, "a TCG event log", "none", "without the event log nothing says what booted"))
		return
	}
	// No PCR values: tpm.Verify takes them from the log's replay, and the
	// quote's signed PCR digest decides whether the log is the measured one.
	ev := tpm.Evidence{Attest: pieces[0], Signature: pieces[1], EventLog: pieces[2]}
	if pieces[3] != nil {
		ev.AKCertificates = [][]byte{pieces[3]}
	}
	// The components are compared with the verified events' digests below
	// (componentCheck), so go-eventlog's extraction would be read by nobody.
	opts := tpm.Options{AK: *e.p.akTrust, Time: e.in.Time, QualifyingData: bind[:32], SkipExtraction: true}
	if ce.doc.TPM != nil {
		opts.RequiredPCRs = ce.doc.TPM.RequiredPCRs
	}
	res, err := tpm.Verify(ev, opts)
	if err != nil {
		c.add(2, checkFromErr(CheckEnvBoot, thrBoot, err))
		return
	}
	c.addAll(2, res.Checks)
	if res.Boot == nil {
		c.add(2, fail(CheckEnvBoot, thrBoot, "a verified boot log", "none", "the event log was not verified"))
		return
	}
	c.add(2, pass(CheckEnvBoot, thrBoot, fmt.Sprintf("%d verified events", len(res.Boot.Events))))
	c.uses = append(c.uses, func() {
		for _, d := range digests {
			e.record("evidence", d, "evidence")
		}
	})
	c.banks = res.Quote.Banks
	if rv == nil {
		return // buildenv.refvalues already failed
	}
	for i, comp := range ce.components {
		componentCheck(c, comp, ce.componentIDs[i], rv, res.Boot)
	}
	for _, ref := range rv.Values {
		if ref.Component == scai.PCR {
			pcrCheck(c, res.Quote, ref.PCR, ref.Digest)
		}
	}
	if ce.doc.TPM != nil {
		for _, ref := range ce.pcrs {
			values := buildtrust.DigestSet{}
			for _, v := range ref.Values {
				values[ref.Bank] = v
				pcrCheck(c, res.Quote, ref.Index, values)
			}
		}
	}
}

var hashes = map[string]crypto.Hash{buildtrust.SHA256: crypto.SHA256, buildtrust.SHA384: crypto.SHA384, buildtrust.SHA512: crypto.SHA512}

// componentCheck passes when a verified boot event (of a quoted PCR whose
// replay matched) carries a digest the image producer signed for the
// component. The PCR reference values then constrain everything else that
// was measured.
// id is the check's ID (CheckEnvBootComponent + comp, made once by Compile).
func componentCheck(c *chain, comp scai.Component, id string, rv *scai.ImageReferenceValues, boot *tpm.BootState) {
	var want []string
	signed := false
	for _, r := range rv.Values {
		if r.Component != comp {
			continue
		}
		signed = true
		for alg, v := range r.Digest {
			h, ok := hashes[alg]
			if !ok {
				continue
			}
			want = append(want, alg+":"+v)
			for _, ev := range boot.Events {
				if d := ev.Digest(h); d != nil && text.IsHexOf(v, d) {
					c.add(2, pass(id, thrBoot, want[len(want)-1]+" in PCR "+strconv.Itoa(ev.PCR)))
					return
				}
			}
		}
	}
	if !signed {
		c.add(2, fail(id, thrBoot, "a reference value", "none", "the image producer signed no reference value for "+string(comp)))
		return
	}
	c.add(2, fail(id, thrBoot, strings.Join(want, " | "), "not measured", "no verified boot event carries the reference digest of "+string(comp)))
}

func pcrCheck(c *chain, q *tpm.VerifiedQuote, index int, want buildtrust.DigestSet) {
	for alg, v := range want {
		h, ok := hashes[alg]
		if !ok {
			continue
		}
		id := pcrCheckID(alg, index)
		bank, ok := q.Bank(h)
		got, quoted := bank.PCRs[index]
		if !ok || !quoted {
			c.add(2, fail(id, thrBoot, v, "not quoted", "the quote does not cover this PCR"))
			continue
		}
		if text.IsHexOf(v, got) {
			c.add(2, pass(id, thrBoot, v))
		} else {
			c.add(2, fail(id, thrBoot, v, hex.EncodeToString(got), "the quoted PCR differs from the reference value"))
		}
	}
}

// pcrCheckIDs are the IDs of the PCR checks of the common banks, made once.
var pcrCheckIDs = sync.OnceValue(func() map[string][]string {
	ids := map[string][]string{}
	for _, alg := range []string{buildtrust.SHA256, buildtrust.SHA384} {
		for i := range 24 {
			ids[alg] = append(ids[alg], CheckEnvBootPCR+alg+"."+strconv.Itoa(i))
		}
	}
	return ids
})

func pcrCheckID(alg string, index int) string {
	if ids := pcrCheckIDs()[alg]; index >= 0 && index < len(ids) {
		return ids[index]
	}
	return CheckEnvBootPCR + alg + "." + strconv.Itoa(index)
}

// hardwareLink verifies the TEE evidence: chain to the manufacturer root,
// debug off, TCB, REPORT_DATA bound to the identity, measurement as the
// image producer signed (BENV-L3-1, BENV-L3-3).
func (e *evaluation) hardwareLink(c *chain, l *scai.Launch, rv *scai.ImageReferenceValues, bind []byte) {
	ce := e.art.env
	h := l.TEE
	if h == nil {
		c.add(3, fail(CheckEnvHardware, thrHardware, "SEV-SNP or TDX evidence", "none", "the launch carries no TEE evidence"))
		return
	}
	report, err := e.evidence(h.Report)
	if err != nil {
		c.add(3, checkFromErr(CheckEnvHardware, thrHardware, err))
		return
	}
	var endorse evidenceBytes
	if h.Endorsements != nil {
		if endorse, err = e.evidence(h.Endorsements); err != nil {
			c.add(3, checkFromErr(CheckEnvHardware, thrHardware, err))
			return
		}
	}
	ev := tee.Evidence{Platform: tee.Platform(h.Platform), Report: report.data}
	var v tee.Verifier
	var want [][]byte
	switch ev.Platform {
	case tee.SEVSNP:
		ev.Certificates = endorse.data
		if ce.snp != nil {
			v, want = ce.snp, ce.snpWant
		}
	case tee.TDX:
		ev.Collateral = endorse.data
		if ce.tdx != nil {
			v, want = ce.tdx, ce.tdxWant
		}
	}
	if v == nil {
		c.add(3, fail(CheckEnvHardware, thrHardware, "roots for "+h.Platform, "none", "the policy has no trust roots for "+h.Platform))
		return
	}
	claims, err := v.Verify(tee.Request{Evidence: ev, Now: e.in.Time, ReportData: bind})
	if err != nil {
		c.add(3, checkFromErr(CheckEnvHardware, thrHardware, err))
		return
	}
	c.addAll(3, claims.Checks)
	c.add(3, pass(CheckEnvHardware, thrHardware, fmt.Sprintf("%s %s", claims.Platform, claims.Product)))
	if endorse.fromInput && !endorse.known {
		// The chip's certificates (or the platform's collateral) verified
		// and recur in every build on that machine.
		e.p.known.keep(endorse.data, endorse.sha256)
	}
	c.claims, c.teeEv = claims, ev
	c.uses = append(c.uses, func() {
		e.record("evidence", report.sha256, "evidence")
		if endorse.data != nil {
			e.record("evidence", endorse.sha256, "evidence")
		}
	})
	if rv != nil {
		for _, r := range rv.Lookup(scai.TEELaunch) {
			if r.Platform != h.Platform {
				continue
			}
			if b, err := hex.DecodeString(r.Digest[buildtrust.SHA384]); err == nil {
				want = append(want, b)
			}
		}
	}
	got := hex.EncodeToString(claims.Measurement)
	if len(want) == 0 {
		c.add(3, fail(CheckEnvMeasurement, thrMeasure, "an accepted measurement", got, "neither the policy nor the image's reference values give an accepted measurement"))
		return
	}
	for _, w := range want {
		if bytes.Equal(w, claims.Measurement) {
			c.add(3, pass(CheckEnvMeasurement, thrMeasure, got))
			return
		}
	}
	exp := make([]string, len(want))
	for i, w := range want {
		exp[i] = hex.EncodeToString(w)
	}
	c.add(3, fail(CheckEnvMeasurement, thrMeasure, strings.Join(exp, " | "), got, "the TEE launch measurement is not one the image producer or the policy accepts"))
}

// dispatchLink verifies the dispatch attestation: signed by the identity
// key, for this launch, naming the provenance's build (BENV-L2-4, BENV-H-5).
func (e *evaluation) dispatchLink(c *chain, prov *provOutcome, launchIn *envelopeIn, l *scai.Launch, idKey *buildtrust.PublicKey) {
	if idKey == nil {
		c.add(2, fail(CheckEnvDispatch, thrEnvLink, "a dispatch signed by the identity key", "none", "the launch's identity key is not usable"))
		return
	}
	buildID := ""
	if prov != nil && prov.passed && prov.result.Provenance.RunDetails.Metadata != nil {
		buildID = prov.result.Provenance.RunDetails.Metadata.InvocationID
	}
	why := "no dispatch attestation signed by this environment was presented"
	var idErr error
	for _, in := range e.envs {
		if in.st == nil || !scai.IsPredicateType(in.st.PredicateType) || in == launchIn {
			continue
		}
		if _, err := in.st.MatchSubjects(l.Identity.Digest, buildtrust.DigestPolicy{}); err != nil {
			continue
		}
		d := in.asDispatch()
		if d == nil {
			continue // a launch or another report about the same key
		}
		if _, err := e.verify(in, []*buildtrust.PublicKey{idKey}); err != nil {
			why = in.source + ": not signed by the environment's identity key"
			continue
		}
		// The launch envelope's SHA-256 was computed when it was read.
		if err := d.CheckLaunchDigest(l, buildtrust.DigestSet{buildtrust.SHA256: launchIn.digest}); err != nil {
			why = fmt.Sprintf("%s: %v", in.source, err)
			continue
		}
		if buildID == "" {
			c.dispatchIn = in
			c.add(2, pass(CheckEnvDispatch, thrEnvLink, in.source))
			c.add(2, fail(CheckEnvDispatchBuildID, thrEnvLink, "the provenance's invocationId", d.BuildID, "no verified provenance with an invocationId to compare the build ID with"))
			return
		}
		if err := d.CheckBuildID(buildID); err != nil {
			idErr = err
			continue
		}
		c.dispatchIn = in
		c.uses = append(c.uses, func() { e.use("dispatch", in) })
		c.add(2, pass(CheckEnvDispatch, thrEnvLink, in.source), pass(CheckEnvDispatchBuildID, thrEnvLink, buildID))
		return
	}
	if idErr != nil {
		c.add(2, pass(CheckEnvDispatch, thrEnvLink, "signed by the identity key, for this launch"))
		c.add(2, Check{Check: fail(CheckEnvDispatchBuildID, thrEnvLink, buildID, "", idErr.Error()).Check})
		return
	}
	c.add(2, fail(CheckEnvDispatch, thrEnvLink, "a dispatch signed by the identity key for this launch", "none", why))
}

// provenanceLink checks that the provenance lists this environment's
// launch or dispatch attestation among its byproducts (DESIGN.md chain
// step 5): the build says where it ran, and that is where the evidence is
// from.
func (e *evaluation) provenanceLink(c *chain, prov *provOutcome) {
	if prov == nil || !prov.passed {
		c.add(1, fail(CheckEnvProvenance, thrEnvLink, "verified provenance naming this environment", "none", "no verified provenance"))
		return
	}
	want := []string{c.launchIn.digest}
	if c.dispatchIn != nil {
		want = append(want, c.dispatchIn.digest)
	}
	for _, b := range prov.result.Provenance.RunDetails.Byproducts {
		if slices.Contains(want, b.Digest[buildtrust.SHA256]) {
			c.add(1, pass(CheckEnvProvenance, thrEnvLink, fmt.Sprintf("byproduct %q", firstNonEmpty(b.Name, b.URI))))
			return
		}
	}
	c.add(1, fail(CheckEnvProvenance, thrEnvLink, "byproducts naming sha256:"+strings.Join(want, " or sha256:"), fmt.Sprintf("%d byproducts", len(prov.result.Provenance.RunDetails.Byproducts)),
		"the provenance does not name this environment's launch or dispatch attestation: the build ran elsewhere"))
}

// responseLink looks for a response-time TEE report whose REPORT_DATA
// covers the provenance statement, from the same platform and launch
// measurement as the environment's launch evidence.
func (e *evaluation) responseLink(c *chain, prov *provOutcome) {
	if c.claims == nil || prov == nil || !prov.passed {
		c.add(levelResponse, notApplicable(CheckEnvResponse, thrResponse, "needs verified provenance and verified launch TEE evidence"))
		return
	}
	ce := e.art.env
	var v tee.Verifier = ce.snp
	if c.claims.Platform == tee.TDX {
		v = ce.tdx
	}
	sum := sha256.Sum256(prov.vs.Payload)
	bind, _ := tee.Bind(tee.PurposeProvenance, sum[:])
	tried := false
	var lastErr error
	for _, blob := range e.in.Evidence {
		if bytes.Equal(blob, c.teeEv.Report) || !looksLikeReport(c.claims.Platform, blob) {
			continue
		}
		tried = true
		ev := c.teeEv
		ev.Report = blob
		claims, err := v.Verify(tee.Request{Evidence: ev, Now: e.in.Time, ReportData: bind[:]})
		if err != nil {
			lastErr = err
			continue
		}
		if !bytes.Equal(claims.Measurement, c.claims.Measurement) || !bytes.Equal(claims.ChipID, c.claims.ChipID) {
			lastErr = fmt.Errorf("the report is from another environment (measurement or chip differs from the launch evidence)")
			continue
		}
		c.uses = append(c.uses, func() {
			sum := sha256.Sum256(blob)
			e.record("evidence", hex.EncodeToString(sum[:]), "evidence")
		})
		c.add(levelResponse, pass(CheckEnvResponse, thrResponse, "REPORT_DATA = bind(provenance, sha256:"+hex.EncodeToString(sum[:])+")"))
		return
	}
	if !tried {
		c.add(levelResponse, notApplicable(CheckEnvResponse, thrResponse, "no response-time TEE report was presented"))
		if e.art.doc.RequireResponseBinding {
			last := &c.checks()[len(c.levels)-1]
			last.Outcome = buildtrust.Fail
			last.Message = "the policy requires a TEE report covering the provenance; none was presented"
		}
		return
	}
	c.add(levelResponse, fail(CheckEnvResponse, thrResponse, "REPORT_DATA = bind(provenance, sha256:"+hex.EncodeToString(sum[:])+")", "", lastErr.Error()))
}

// looksLikeReport is a cheap filter on evidence blobs; verification decides.
func looksLikeReport(p tee.Platform, b []byte) bool {
	switch p {
	case tee.SEVSNP:
		return len(b) == limits.SNPReportBytes
	case tee.TDX:
		return len(b) > 48 && b[0] == 4 && b[1] == 0 // version 4 quote header
	}
	return false
}
