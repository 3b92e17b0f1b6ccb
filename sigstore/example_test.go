package sigstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/sigstore"
)

// exampleFile reads a file of the sigstore-go module this module depends on
// (its examples/ directory, authenticated by go.sum): real Sigstore data
// that is present wherever this package builds, unlike the shared corpus.
func exampleFile(name string) []byte {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/sigstore/sigstore-go").Output()
	if err != nil {
		panic(err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "examples", name))
	if err != nil {
		panic(err)
	}
	return data
}

func exampleVerifier() *sigstore.Verifier {
	tr, err := sigstore.ParseTrustedRoot(exampleFile("trusted-root-public-good.json"))
	if err != nil {
		panic(err)
	}
	v, err := sigstore.NewVerifier(tr, sigstore.Options{})
	if err != nil {
		panic(err)
	}
	return v
}

// Verify the provenance of an npm package (sigstore-js 1.3.0, built on
// GitHub Actions) offline, then check it with the signer's Sigstore identity
// in the provenance trust root.
func Example() {
	v := exampleVerifier()
	res, err := v.Verify(exampleFile("bundle-provenance.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Identity.SAN)
	fmt.Println(res.SigningTime.UTC())

	signer := sigstore.IdentityRule{Issuer: sigstore.GitHubActionsIssuer, SAN: res.Identity.SAN}.MustCompile()
	const builder = "https://github.com/actions/runner"
	out, err := provenance.Check(res.Attestation(), provenance.Expectations{
		Artifact:                       buildtrust.DigestSet{"sha512": "76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"},
		BuilderIDs:                     []string{builder},
		SourceRepository:               "github.com/sigstore/sigstore-js",
		InsecureAllowUnknownParameters: true, // this example checks the source, not the workflow inputs
	}, provenance.Options{TrustRoot: []provenance.TrustedBuilder{{ID: builder, Signers: []provenance.SignerRule{signer}, MaxLevel: 2}}})
	fmt.Println(err, out.BuildLevel)
	// Output:
	// https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main
	// 2023-04-18 17:45:12 +0000 UTC
	// <nil> 2
}

// Verify an npm registry attestations response offline: the provenance
// (Fulcio certificate) and the publish attestation (npm registry key),
// bound to the package name, version and tarball SHA-512.
func ExampleVerifier_VerifyNPM() {
	// npm serves {"attestations":[…]}; assembled here from the two bundles.
	resp, _ := json.Marshal(map[string]any{"attestations": []map[string]any{
		{"predicateType": "https://slsa.dev/provenance/v0.2", "bundle": json.RawMessage(exampleFile("bundle-provenance.json"))},
		{"predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1", "bundle": json.RawMessage(exampleFile("bundle-publish.json"))},
	}})
	// The npm registry's attestation key (npm also serves it at the
	// registry's /-/npm/v1/keys). Its keyid is a hint only.
	key, err := buildtrust.ParsePublicKey(exampleFile("publish_key.pub"), buildtrust.KeyOptions{})
	if err != nil {
		panic(err)
	}
	res, err := exampleVerifier().VerifyNPM(resp, sigstore.NPMOptions{
		RegistryKeys: []sigstore.RegistryKey{{KeyID: "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA", Key: key.Public()}},
		Name:         "sigstore",
		Version:      "1.3.0",
		SHA512:       "76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Name, res.Version)
	fmt.Println(res.Provenance.Identity.SourceRepositoryURI)
	fmt.Println(res.Publish.SigningTime.UTC())
	// Output:
	// sigstore 1.3.0
	// https://github.com/sigstore/sigstore-js
	// 2023-04-18 17:45:16 +0000 UTC
}

// Verify every line of a JSON Lines file of bundles (as
// `gh attestation download` writes); lines that do not verify are ignored
// with their reason.
func ExampleVerifier_VerifyJSONLines() {
	jsonl := strings.Join([]string{
		compact(exampleFile("bundle-provenance.json")),
		"not a bundle",
		compact(exampleFile("bundle-publish.json")), // signed by the npm registry key, which this verifier does not trust
	}, "\n")
	lines, err := sigstore.ParseJSONLines([]byte(jsonl))
	if err != nil {
		panic(err)
	}
	res := exampleVerifier().VerifyJSONLines(lines)
	for _, e := range res.Verified {
		fmt.Println("line", e.Line, e.Statement.PredicateType)
	}
	for _, le := range res.Ignored {
		var ce *buildtrust.CheckError
		if errors.As(le.Err, &ce) {
			fmt.Println("line", le.Line, "ignored:", ce.Check)
		}
	}
	// Output:
	// line 1 https://slsa.dev/provenance/v0.2
	// line 2 ignored: sigstore.bundle
	// line 3 ignored: sigstore.tlog
}

func compact(data []byte) string {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		panic(err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
