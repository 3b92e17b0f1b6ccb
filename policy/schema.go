package policy

import "github.com/buildtrust/buildtrust/internal/docdecode"

// Schema returns the JSON Schema (draft 2020-12) of the policy document,
// for editors: completion, hover documentation and validation while a
// policy is written. Parse remains the authority: the schema cannot express
// every rule (key references, level requirements).
func Schema() ([]byte, error) {
	return docdecode.Schema(Document{}, docdecode.SchemaOptions{
		ID:    "https://buildtrust.dev/schemas/policy/v1.json",
		Title: "buildtrust policy " + APIVersion,
	})
}
