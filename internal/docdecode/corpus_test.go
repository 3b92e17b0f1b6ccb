package docdecode

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/internal/limits"
)

// The in-toto attestation-verifier layouts and policies of scai-demos,
// described as strict structs from the files themselves.
type avLayout struct {
	Expires       time.Time        `json:"expires" doc:"required"`
	Functionaries map[string]avKey `json:"functionaries" doc:"required"`
	Steps         []avStep         `json:"steps" doc:"required"`
}

type avKey struct {
	KeyType             string   `json:"keyType" doc:"required"`
	Scheme              string   `json:"scheme"`
	KeyIDHashAlgorithms []string `json:"keyIDHashAlgorithms"`
	KeyVal              *struct {
		Public string `json:"public" doc:"required"`
	} `json:"keyVal"`
	KeyID string `json:"keyID" doc:"required"`
}

type avStep struct {
	Name               string        `json:"name" doc:"required"`
	ExpectedMaterials  []string      `json:"expectedMaterials"`
	ExpectedProducts   []string      `json:"expectedProducts"`
	ExpectedPredicates []avPredicate `json:"expectedPredicates"`
}

type avPredicate struct {
	PredicateType      string   `json:"predicateType" doc:"required"`
	ExpectedAttributes []avRule `json:"expectedAttributes"`
	Functionaries      []string `json:"functionaries"`
}

type avRule struct {
	Rule string `json:"rule" doc:"required"`
}

type avPolicy struct {
	AttestationID string `json:"attestationID" doc:"required"`
	Inspections   []struct {
		Name               string   `json:"name" doc:"required"`
		ExpectedAttributes []avRule `json:"expectedAttributes"`
	} `json:"inspections" doc:"required"`
}

// TestCorpusYAML decodes the real YAML documents of the corpus, into any
// (compared with yaml.v3) and into strict structs (no problem allowed).
func TestCorpusYAML(t *testing.T) {
	files := map[string]any{
		"scai-demos/layouts/local_build.yml":             &avLayout{},
		"scai-demos/layouts/pdo_client_wawaka.yml":       &avLayout{},
		"scai-demos/policies/has-slsa.yml":               &avPolicy{},
		"scai-demos/policies/hermetic-evidence.yml":      &avPolicy{},
		"scai-demos/policies/hermetic-evidence-fail.yml": &avPolicy{},
	}
	for rel, typed := range files {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			data := corpustest.File(t, rel)
			sameYAML(t, data)
			var v any
			if _, err := Decode(data, Auto, &v); err != nil {
				t.Fatalf("into any: %v", err)
			}
			doc, err := Decode(data, Auto, typed)
			if err != nil {
				t.Fatalf("into %T: %v", typed, err)
			}
			if doc.Format() != YAML {
				t.Errorf("format %v", doc.Format())
			}
			// A real layout: its key IDs are the map keys, and its
			// expiry a real time.
			if l, ok := typed.(*avLayout); ok {
				for id, k := range l.Functionaries {
					if id != k.KeyID {
						t.Errorf("functionary %s has keyID %s", id, k.KeyID)
					}
				}
				if l.Expires.Year() != 2024 {
					t.Errorf("expires %v", l.Expires)
				}
				if pos, ok := doc.Pos("/steps/0/name"); !ok || pos.Line < 3 {
					t.Errorf("position of the first step: %v %v", pos, ok)
				}
			}
		})
	}
}

// TestCorpusJSON decodes every JSON document of the corpus (attestations,
// DSSE envelopes, Sigstore bundles, JSON Lines, gcloud output, trusted
// roots) into any and compares with encoding/json; then it reads each with
// the YAML decoder, which must give the same value wherever it accepts one.
func TestCorpusJSON(t *testing.T) {
	root := corpustest.Path(t, ".")
	var docs, jsonAccepted, yamlAccepted int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		isLines := strings.HasSuffix(name, ".jsonl")
		if !isLines && !strings.HasSuffix(name, ".json") && !strings.HasSuffix(name, ".sigstore") && !strings.HasSuffix(name, ".slsa") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		data := corpustest.File(t, filepath.ToSlash(rel))
		inputs := [][]byte{data}
		if isLines {
			lines, err := limits.SplitLines(data, limits.MaxBundleBytes, limits.MaxBundleLines, rel)
			if err != nil {
				t.Fatal(err)
			}
			inputs = inputs[:0]
			for _, l := range lines {
				inputs = append(inputs, l.Data)
			}
		}
		for _, in := range inputs {
			if len(in) > limits.MaxPolicyBytes {
				var v any
				if _, err := Decode(in, JSON, &v); !errors.Is(err, ErrTooLarge) {
					t.Errorf("%s: %d bytes: %v, want ErrTooLarge", rel, len(in), err)
				}
				continue
			}
			docs++
			sameJSON(t, in)
			var fromJSON, fromYAML any
			if _, err := Decode(in, JSON, &fromJSON); err != nil {
				continue // sameJSON checked that encoding/json rejects it too
			}
			jsonAccepted++
			if _, err := Decode(in, YAML, &fromYAML); err != nil {
				// JSON that libyaml cannot read ("\/", a raw DEL, a
				// leading tab) or that YAML 1.1 reads otherwise (1e3).
				if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrUnsupported) {
					t.Errorf("%s: YAML decoder: %.200v", rel, err)
				}
				t.Logf("%s: not read as YAML: %.150v", rel, err)
				continue
			}
			yamlAccepted++
			if !reflect.DeepEqual(fromJSON, fromYAML) && !sameJSONValue(fromJSON, fromYAML) {
				t.Errorf("%s: the YAML decoder reads another value", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d JSON documents, %d valid; the YAML decoder read %d of those", docs, jsonAccepted, yamlAccepted)
	if docs < 100 || yamlAccepted < jsonAccepted*9/10 {
		t.Errorf("%d documents, %d valid, %d read as YAML: has the corpus changed?", docs, jsonAccepted, yamlAccepted)
	}
}
