package buildenvtest

import (
	"fmt"
	"maps"
)

// The tampers: each breaks one link of the BuildEnv chain and leaves the rest
// genuine. The descriptions say which link.
var tampers = map[string]string{
	"wrong-image":           "the launch names a build image nobody attested (a different image digest): the image provenance and the reference values are about another image",
	"image-untrusted":       "the image provenance is signed by an untrusted key (Other) instead of the image builder",
	"refvalues-untrusted":   "the image reference values are signed by an untrusted key (Other) instead of the image producer",
	"kernel":                "the TPM measured a kernel other than the reference value (the event log still replays to the quote)",
	"pcr-unlogged":          "PCR 9 was extended behind the event log's back: the log no longer replays to the quoted PCRs",
	"quote-replay":          "the TPM quote's qualifying data binds another environment's identity key (a replayed quote)",
	"debug-tee":             "the TEE guest is debuggable (SEV-SNP policy DEBUG, TDX TD_ATTRIBUTES.DEBUG): the host can read and write its memory",
	"tee-measurement":       "the TEE launch measurement (MEASUREMENT, MRTD) differs from the signed reference value",
	"report-data-other-key": "the TEE report's REPORT_DATA binds another environment's identity key (a replayed report)",
	"launch-untrusted":      "the launch attestation is signed by an untrusted key (Other), neither the launch signer nor the environment",
	"dispatch-other-build":  "the dispatch attestation names another build ID than the provenance's invocation ID",
	"dispatch-wrong-key":    "the dispatch attestation is signed by another Ed25519 key, not the environment identity key",
	"dispatch-other-launch": "the dispatch attestation, signed by the identity key, names another launch attestation (other bytes) than the one in the bundle",
	"provenance-other-env":  "the provenance's byproducts name the launch and dispatch of a second, otherwise genuine environment, while the bundle carries this one's",
	"no-tee":                "the launch carries TPM evidence only, no TEE report (a BuildEnv L2 environment)",
	"no-dispatch":           "the dispatch attestation is missing from the bundle",
	"response-other":        "the response-time TEE report binds another statement than the provenance (implies Options.Response)",
}

// Tampers returns the names of the tampers Build applies, each with a
// one-line description of the attack. The map is a fresh copy.
func Tampers() map[string]string { return maps.Clone(tampers) }

// tamperSet is the validated set of tampers of one Build.
type tamperSet map[string]bool

func newTamperSet(names []string) (tamperSet, error) {
	s := tamperSet{}
	for _, n := range names {
		if _, ok := tampers[n]; !ok {
			return nil, fmt.Errorf("buildenvtest: unknown tamper %q", n)
		}
		s[n] = true
	}
	return s, nil
}
