package corpustest

import (
	"encoding/json"
	"os"
	"testing"
)

// Google Cloud Build's SLSA v1 provenance of a container image in the
// corpus (slsa-verifier's test data), and its oracles from the corpus
// README: builder GCBWorker, source GCBSource, image digest GCBImage.
const (
	GCBProvenance = "slsa-verifier/verifiers/internal/gcb/testdata/v1.0-gcloud-container-github.json"
	GCBKeys       = "slsa-verifier/verifiers/internal/gcb/keys/materials/"
	GCBWorker     = "https://cloudbuild.googleapis.com/GoogleHostedWorker"
	GCBSource     = "github.com/khalkie/gcb-prod-prov"
	GCBImage      = "7e9b6e7ba2842c91cf49f3e214d04a7a496f8214356f41d81a6e6dcad11f11e3"
)

// GCBPolicy returns a policy document for the image named "gcb-prod-prov":
// GCBWorker trusted at Build L3 with GCB's two DSSE-PAE keys (worker,
// signer), source GCBSource, external parameters unconstrained (GCB
// records the whole build request; the oracles check none of it). A third
// key, regional (us-west2, which signs raw payloads, not the PAE), is
// declared for tests that swap it in. The keys are read from the corpus;
// t skips when it is absent.
func GCBPolicy(t testing.TB) string {
	t.Helper()
	pem := func(name string) string {
		b, err := os.ReadFile(Path(t, GCBKeys+name))
		if err != nil {
			t.Fatal(err)
		}
		q, err := json.Marshal(string(b)) // a JSON string is a YAML flow scalar
		if err != nil {
			t.Fatal(err)
		}
		return string(q)
	}
	return `apiVersion: buildtrust.dev/policy/v1
name: gcb-images
trust:
  keys:
    worker: {pem: ` + pem("global-pae-google-hosted-worker_1.key") + `}
    signer: {pem: ` + pem("global-pae-provenanceSigner_1.key") + `}
    regional: {pem: ` + pem("us-west2.key") + `}
  builders:
    - id: ` + GCBWorker + `
      keys: [worker, signer]
      maxLevel: 3
artifacts:
  - match: {names: ["gcb-prod-prov"]}
    provenance:
      builders: [` + GCBWorker + `]
      sourceRepository: ` + GCBSource + `
      insecureAllowUnknownParameters: true
    buildLevel: 3
`
}
