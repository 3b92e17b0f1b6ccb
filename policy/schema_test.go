package policy_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/buildtrust/buildtrust/policy"
)

var update = flag.Bool("update", false, "rewrite policy.schema.json")

// policy.schema.json, the schema editors load, is the one Schema generates
// from the Go types: regenerate with go test ./policy -run Schema -update.
func TestSchemaFileUpToDate(t *testing.T) {
	got, err := policy.Schema()
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	props, _ := v["properties"].(map[string]any)
	for _, k := range []string{"apiVersion", "trust", "artifacts", "environments", "rules", "vsa"} {
		if _, ok := props[k]; !ok {
			t.Errorf("schema lacks property %q", k)
		}
	}
	if *update {
		if err := os.WriteFile("policy.schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("policy.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("policy.schema.json is stale: run go test ./policy -run Schema -update")
	}
}
