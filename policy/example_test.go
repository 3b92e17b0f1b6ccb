package policy_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/policy"
)

// A registry admits an upload: it parses its policy once, then evaluates
// each artifact with the attestations and evidence that came with it. Here
// the test world (internal/buildenvtest) plays the builder, the image
// producer and the attested environment, offline.
func ExamplePolicy_Evaluate() {
	w, _ := buildenvtest.NewWorld()
	text, _ := os.ReadFile(filepath.Join("testdata", "cases", "base-policy.yaml"))
	pol, err := policy.Parse(fillPolicy(nil, w, string(text)))
	if err != nil {
		fmt.Println(err) // every problem, with line and column
		return
	}

	upload, _ := w.Build(buildenvtest.Options{})
	res, err := pol.Evaluate(context.Background(), policy.Input{
		Name:         w.ArtifactName,
		Artifact:     upload.ArtifactDigest,
		Attestations: [][]byte{upload.JSONL()},
		Evidence:     upload.Evidence,
		Time:         w.Now,
	})
	if err != nil {
		fmt.Println("unusable input:", err)
		return
	}
	fmt.Printf("%s at Build L%d, BuildEnv L%d\n", res.Verdict, res.BuildLevel, res.BuildEnvLevel)

	// The same upload from a debuggable guest is refused, and the result
	// says which check stopped it and why.
	debug, _ := w.Build(buildenvtest.Options{Tampers: []string{"debug-tee"}})
	res, _ = pol.Evaluate(context.Background(), policy.Input{
		Name: w.ArtifactName, Artifact: debug.ArtifactDigest,
		Attestations: [][]byte{debug.JSONL()}, Evidence: debug.Evidence, Time: w.Now,
	})
	fmt.Printf("%s at BuildEnv L%d\n", res.Verdict, res.BuildEnvLevel)
	for _, c := range res.Failures() {
		fmt.Print("  ", c.ID, " stops")
		for _, id := range c.Threats {
			fmt.Print(" ", string(id))
		}
		fmt.Println()
	}
	// Output:
	// PASSED at Build L3, BuildEnv L3
	// FAILED at BuildEnv L2
	//   tee.sevsnp.debug stops E10
	//   policy.buildEnvLevel stops E8 E7 E9 E10
}

// Parse reports every problem of a policy at once, each at its place.
func ExampleParse() {
	_, err := policy.Parse([]byte(`apiVersion: buildtrust.dev/policy/v1
trust:
  builders:
    - id: https://ci.example.com/builder/v1
      keys: [ci]
      maxLevel: 3
artifacts:
  - match: {names: ["*.tar.gz"]}
    provenance:
      builders: [https://ci.example.com/builder/v1]
    buildLevel: 3
    buildenvLevel: 2
`))
	fmt.Println(err)
	// Output:
	// policy: 1 problem(s):
	//   12:5: /artifacts/0/buildenvLevel: unknown field "buildenvLevel" (did you mean "buildEnvLevel"?)
}
