package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/buildtrust/buildtrust"
)

// sigstoreBundle is the part of a Sigstore bundle (protobuf-specs
// sigstore_bundle.proto, JSON form, v0.1–v0.3) that inspect shows. It is
// decoded here, leniently and for display only, rather than through the
// nested sigstore module, so that the core module does not depend on
// sigstore-go (deps_test.go forbids it).
type sigstoreBundle struct {
	MediaType            string `json:"mediaType"`
	VerificationMaterial struct {
		X509CertificateChain *struct {
			Certificates []rawBytes `json:"certificates"`
		} `json:"x509CertificateChain"`
		Certificate *rawBytes `json:"certificate"`
		PublicKey   *struct {
			Hint string `json:"hint"`
		} `json:"publicKey"`
		TlogEntries []struct {
			LogIndex    flexInt `json:"logIndex"`
			KindVersion struct {
				Kind    string `json:"kind"`
				Version string `json:"version"`
			} `json:"kindVersion"`
			IntegratedTime   flexInt         `json:"integratedTime"`
			InclusionPromise json.RawMessage `json:"inclusionPromise"`
			InclusionProof   json.RawMessage `json:"inclusionProof"`
		} `json:"tlogEntries"`
		TimestampVerificationData *struct {
			RFC3161Timestamps []json.RawMessage `json:"rfc3161Timestamps"`
		} `json:"timestampVerificationData"`
	} `json:"verificationMaterial"`
	DSSEEnvelope     json.RawMessage `json:"dsseEnvelope"`
	MessageSignature *struct {
		MessageDigest *struct {
			Algorithm string `json:"algorithm"`
			Digest    string `json:"digest"`
		} `json:"messageDigest"`
		Signature string `json:"signature"`
	} `json:"messageSignature"`
}

type rawBytes struct {
	RawBytes string `json:"rawBytes"`
}

// flexInt reads protojson int64 values, which are JSON strings, and tolerates
// plain numbers.
type flexInt string

func (f *flexInt) UnmarshalJSON(b []byte) error {
	*f = flexInt(strings.Trim(string(b), `"`))
	return nil
}

func (in inspector) describeSigstoreBundle(data []byte) (*node, error) {
	var b sigstoreBundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("sigstore bundle: %w", err)
	}
	n := newNode("Sigstore bundle").set("mediaType", b.MediaType)
	vm := b.VerificationMaterial
	switch {
	case vm.X509CertificateChain != nil && len(vm.X509CertificateChain.Certificates) > 0:
		var certs []*node
		for _, c := range vm.X509CertificateChain.Certificates {
			certs = append(certs, rawCertNode(c.RawBytes))
		}
		n.set("signer", certs[0]).set("chain", len(certs))
	case vm.Certificate != nil:
		n.set("signer", rawCertNode(vm.Certificate.RawBytes))
	case vm.PublicKey != nil:
		n.set("signer", "public key, hint "+strconv.Quote(vm.PublicKey.Hint))
	}
	var entries []string
	for _, e := range vm.TlogEntries {
		proof := "no inclusion proof"
		switch {
		case len(e.InclusionProof) > 0 && string(e.InclusionProof) != "null":
			proof = "inclusion proof"
		case len(e.InclusionPromise) > 0 && string(e.InclusionPromise) != "null":
			proof = "inclusion promise (SET)"
		}
		when := string(e.IntegratedTime)
		if sec, err := strconv.ParseInt(when, 10, 64); err == nil {
			when = time.Unix(sec, 0).UTC().Format(timeLayout)
		}
		entries = append(entries, fmt.Sprintf("%s %s, logIndex %s, integrated %s, %s",
			e.KindVersion.Kind, e.KindVersion.Version, e.LogIndex, when, proof))
	}
	n.set("tlogEntries", entries)
	if t := vm.TimestampVerificationData; t != nil && len(t.RFC3161Timestamps) > 0 {
		n.set("rfc3161Timestamps", len(t.RFC3161Timestamps))
	}
	switch {
	case len(b.DSSEEnvelope) > 0:
		env, err := buildtrust.ParseEnvelope(b.DSSEEnvelope)
		if err != nil {
			n.set("dsseEnvelope", newNode("DSSE envelope (unreadable)").set("error", err.Error()))
		} else {
			n.set("dsseEnvelope", in.envelopeNode(env))
		}
	case b.MessageSignature != nil:
		ms := newNode("message signature")
		if d := b.MessageSignature.MessageDigest; d != nil {
			if raw, err := base64.StdEncoding.DecodeString(d.Digest); err == nil {
				ms.set("digest", strings.ToLower(d.Algorithm)+":"+hexs(raw))
			}
		}
		n.set("messageSignature", ms)
	default:
		return nil, fmt.Errorf("sigstore bundle %s: neither dsseEnvelope nor messageSignature", b.MediaType)
	}
	return n, nil
}

func rawCertNode(b64 string) *node {
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return newNode("certificate (unreadable)").set("error", "rawBytes is not base64")
	}
	return certNode(der)
}

// describeNPM reads the npm registry's attestations response:
// {"attestations": [{"predicateType": …, "bundle": {…}}]}.
func (in inspector) describeNPM(raw json.RawMessage) (*node, error) {
	var atts []struct {
		PredicateType string          `json:"predicateType"`
		Bundle        json.RawMessage `json:"bundle"`
	}
	if err := json.Unmarshal(raw, &atts); err != nil || len(atts) == 0 {
		return nil, fmt.Errorf("%w: \"attestations\" is not a list of npm attestations", errUnrecognised)
	}
	var list []*node
	for _, a := range atts {
		bn, err := in.describeSigstoreBundle(a.Bundle)
		if err != nil {
			bn = newNode("bundle (unreadable)").set("error", err.Error())
		}
		bn.fields = append([]field{{"predicateType", a.PredicateType}}, bn.fields...)
		list = append(list, bn)
	}
	return newNode("npm attestations").set("attestations", list), nil
}
