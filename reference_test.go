package buildtrust

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
)

// The envelope and Statement are decoded by hand-walked strictjson.Reader
// code for speed. These reference decoders do the same through
// strictjson.Unmarshal (reflection + encoding/json); the fuzz targets check
// that both agree on every input.

func referenceEnvelope(data []byte) (*envelopeJSON, error) {
	var w envelopeJSON
	err := strictjson.Unmarshal(data, &w, strictjson.Options{MaxBytes: limits.MaxEnvelopeBytes, DisallowUnknownFields: true})
	return &w, err
}

type refDescriptor struct {
	Name             string            `json:"name"`
	URI              string            `json:"uri"`
	Digest           map[string]string `json:"digest"`
	Content          string            `json:"content"` // base64 per decodeBase64
	DownloadLocation string            `json:"downloadLocation"`
	MediaType        string            `json:"mediaType"`
	Annotations      json.RawMessage   `json:"annotations"`
}

type refStatement struct {
	Type          string          `json:"_type"`
	Subject       []refDescriptor `json:"subject"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

func checkEnvelopeAgrees(t *testing.T, data []byte) {
	fast, fastErr := readEnvelope(data)
	ref, refErr := referenceEnvelope(data)
	if refErr == nil && ref.Payload != nil { // the fast path decodes the payload while reading
		if ref.payload, refErr = decodeBase64(*ref.Payload); refErr == nil {
			ref.Payload = nil
		}
	}
	if fastErr != nil && errors.Is(fastErr, ErrTooLarge) {
		return // the fast path stops at MaxSignatures; the reference reads on
	}
	if (fastErr == nil) != (refErr == nil) {
		t.Fatalf("decoders disagree on %q: fast %v, reference %v", data, fastErr, refErr)
	}
	if fastErr == nil && !reflect.DeepEqual(normalizeEnvelope(fast), normalizeEnvelope(ref)) {
		t.Fatalf("decoders disagree on %q:\nfast %+v\nref  %+v", data, fast, ref)
	}
}

func normalizeEnvelope(w *envelopeJSON) envelopeJSON {
	n := *w
	if len(n.Signatures) == 0 {
		n.Signatures = nil
	}
	return n
}

func checkStatementAgrees(t *testing.T, data []byte) {
	fast, fastErr := readStatement(data, false)
	if errors.Is(fastErr, ErrTooLarge) {
		return // the fast path stops at MaxSubjects/MaxDigestsPerSet; the reference reads on
	}
	var ref refStatement
	refErr := strictjson.Unmarshal(data, &ref, strictjson.Options{MaxBytes: limits.MaxPayloadBytes})
	content := make([][]byte, len(ref.Subject))
	for i := range ref.Subject {
		if refErr == nil && ref.Subject[i].Content != "" {
			content[i], refErr = decodeBase64(ref.Subject[i].Content)
		}
	}
	if (fastErr == nil) != (refErr == nil) {
		t.Fatalf("decoders disagree on %q: fast %v, reference %v", data, fastErr, refErr)
	}
	if fastErr != nil {
		return
	}
	if fast.Type != ref.Type || fast.PredicateType != ref.PredicateType || len(fast.Subject) != len(ref.Subject) {
		t.Fatalf("decoders disagree on %q", data)
	}
	if p := bytes.TrimSpace(ref.Predicate); !bytes.Equal(fast.Predicate, p) && !(fast.Predicate == nil && (len(p) == 0 || string(p) == "null")) {
		t.Fatalf("predicate differs: %q vs %q", fast.Predicate, ref.Predicate)
	}
	for i, rd := range fast.Subject {
		r := ref.Subject[i]
		if rd.Name != r.Name || rd.URI != r.URI || rd.MediaType != r.MediaType || rd.DownloadLocation != r.DownloadLocation ||
			!bytes.Equal(rd.Content, content[i]) || !reflect.DeepEqual(map[string]string(rd.Digest), r.Digest) {
			t.Fatalf("subject %d differs on %q:\n%+v\n%+v", i, data, rd, r)
		}
	}
}

func TestFastDecodersAgreeOnSeeds(t *testing.T) {
	for _, in := range []string{
		string(signedEnvelope(t, newSigner(t, "p256", KeyOptions{}))),
		dsseVectorEnvelope,
		`{"payload":null,"payloadType":"x","signatures":null}`,
		`{"payload":"","payloadType":"x","signatures":[{"sig":"YQ==","keyid":null,"cert":"c"}]}`,
		`{"payload":"YQ==","payloadType":"x","signatures":[{"sig":"YQ==","Keyid":"k"}]}`,
		`{"payload":"YQ==","payloadType":"x","signatures":[{"sig":"YQ==","other":"k"}]}`,
		`{"payload":1}`,
	} {
		checkEnvelopeAgrees(t, []byte(in))
	}
	st, _ := testStatement(t).Marshal()
	for _, in := range []string{
		string(st),
		`{"_type":"t","subject":[{"digest":{"sha256":"a","sha256":"b"}}]}`,
		`{"_type":"t","subject":[{"digest":null,"annotations":{"a":1}}],"predicate":null}`,
		`{"_type":"t","subject":[{"Digest":{}}]}`,
		`{"_type":"t","subject":[{"digest":{"x":1}}]}`,
		`{"_type":"t","subject":{},"x":[1,{"y":"\ud800"}]}`,
		`{"_type":"t","subject":[{"content":"YQ"},{"content":"-_8="},{"content":"YQ\n=="}]}`,
	} {
		checkStatementAgrees(t, []byte(in))
	}
}
