package provenance

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
	"github.com/buildtrust/buildtrust/threat"
)

// ErrGCloudFormat: the document is not `gcloud artifacts docker images
// describe --show-provenance --format=json` output with provenance.
var ErrGCloudFormat = errors.New("provenance: not gcloud provenance output")

// GCloudEntry is one provenance occurrence of gcloud's --show-provenance
// output: its DSSE envelope. The other fields of that output (image summary,
// the unsigned copy of the statement) are not read: only signed bytes count.
type GCloudEntry struct {
	Envelope *buildtrust.Envelope
}

// ParseGCloud extracts the provenance envelopes of a gcloud
// --show-provenance JSON document.
func ParseGCloud(data []byte) ([]GCloudEntry, error) {
	var doc struct {
		ProvenanceSummary struct {
			Provenance []struct {
				Envelope json.RawMessage `json:"envelope"`
			} `json:"provenance"`
		} `json:"provenance_summary"`
	}
	if err := strictjson.Unmarshal(data, &doc, strictjson.Options{MaxBytes: limits.MaxEnvelopeBytes}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrGCloudFormat, err)
	}
	entries := doc.ProvenanceSummary.Provenance
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: no provenance_summary.provenance entries", ErrGCloudFormat)
	}
	if len(entries) > limits.MaxGCloudProvenanceEntries {
		return nil, limits.TooLarge("gcloud provenance entries", limits.MaxGCloudProvenanceEntries)
	}
	out := make([]GCloudEntry, 0, len(entries))
	for i, e := range entries {
		env, err := buildtrust.ParseEnvelope(e.Envelope)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %w", ErrGCloudFormat, i, err)
		}
		out = append(out, GCloudEntry{Envelope: env})
	}
	return out, nil
}

// GCBKeys are the Google Cloud Build verification keys, in two kinds.
// Current GCB keys (provenanceSigner, google-hosted-worker) sign the DSSE
// pre-authentication encoding. The older regional builtByGCB keys sign the
// raw payload bytes instead, which does not authenticate the payload type:
// list those keys in LegacyRawPayload only if you must accept such
// provenance, and only keys that sign nothing else.
type GCBKeys struct {
	PAE              []*buildtrust.PublicKey
	LegacyRawPayload []*buildtrust.PublicKey
}

// VerifyGCloudEntry verifies one gcloud provenance entry: as DSSE with the
// PAE keys, else — when legacy keys are given — as a raw-payload signature.
// The Statement is parsed only after a signature verified.
func VerifyGCloudEntry(e GCloudEntry, keys GCBKeys) (*buildtrust.VerifiedStatement, error) {
	if len(keys.PAE) == 0 && len(keys.LegacyRawPayload) == 0 {
		return nil, buildtrust.ErrNoTrustedKeys
	}
	var dsseErr error
	if len(keys.PAE) > 0 {
		vs, err := e.Envelope.VerifyStatement(buildtrust.VerifyOptions{Keys: keys.PAE})
		if err == nil || !errors.Is(err, buildtrust.ErrSignature) {
			return vs, err
		}
		dsseErr = err
	}
	for _, sig := range e.Envelope.Signatures {
		for _, k := range keys.LegacyRawPayload {
			if k == nil || k.Verify(e.Envelope.Payload, sig.Sig) != nil {
				continue
			}
			st, err := buildtrust.ParseStatement(e.Envelope.Payload)
			if err != nil {
				return nil, err
			}
			return &buildtrust.VerifiedStatement{Statement: st, PayloadType: e.Envelope.PayloadType,
				Payload: e.Envelope.Payload, Signers: []*buildtrust.PublicKey{k}}, nil
		}
	}
	if dsseErr != nil {
		return nil, dsseErr
	}
	return nil, &buildtrust.CheckError{Check: buildtrust.CheckEnvelopeSignature, Threats: []threat.ID{threat.F4, threat.G6},
		Err: fmt.Errorf("%w: no raw-payload signature by a trusted key", buildtrust.ErrSignature)}
}
