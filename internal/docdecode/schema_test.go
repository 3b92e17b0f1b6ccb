package docdecode

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func schemaOf(t *testing.T, v any) map[string]any {
	t.Helper()
	out, err := Schema(v, SchemaOptions{ID: "https://buildtrust.dev/schema/policy.json", Title: "Policy"})
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	return s
}

// at walks a decoded schema by keys.
func at(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("at %v: %v is not an object", keys, v)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("at %v: no %q in %v", keys, k, m)
		}
	}
	return v
}

func TestSchemaShape(t *testing.T) {
	s := schemaOf(t, &testPolicy{})
	for k, want := range map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://buildtrust.dev/schema/policy.json",
		"title": "Policy", "type": "object", "additionalProperties": false,
	} {
		if got := s[k]; got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	if got := at(t, s, "required"); !reflect.DeepEqual(got, []any{"apiVersion", "trust"}) {
		t.Errorf("required = %v", got)
	}
	var props []string
	for k := range at(t, s, "properties").(map[string]any) {
		props = append(props, k)
	}
	slices.Sort(props)
	if want := []string{"apiVersion", "artifacts", "digest", "extra", "labels", "level", "maxAge", "notAfter", "note", "offset", "strict", "threshold", "trust"}; !slices.Equal(props, want) {
		t.Errorf("properties %v, want %v", props, want)
	}
	for path, want := range map[string]any{
		"properties/apiVersion":           map[string]any{"type": "string", "description": "Version of the policy format."},
		"properties/trust":                map[string]any{"$ref": "#/$defs/testTrust"},
		"properties/artifacts":            map[string]any{"type": "array", "items": map[string]any{"$ref": "#/$defs/testArtifact"}},
		"properties/labels":               map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
		"properties/maxAge":               map[string]any{"type": "string", "pattern": DurationPattern},
		"properties/notAfter":             map[string]any{"type": "string", "format": "date-time"},
		"properties/level":                map[string]any{"type": "integer", "minimum": 0.0, "maximum": 255.0},
		"properties/offset":               map[string]any{"type": "integer", "minimum": -32768.0, "maximum": 32767.0},
		"properties/strict":               map[string]any{"type": "boolean"},
		"properties/threshold":            map[string]any{"type": "number"},
		"properties/extra":                map[string]any{},
		"properties/note":                 map[string]any{"type": "string"},
		"properties/digest":               map[string]any{"type": "string"},
		"$defs/testTrust/required":        []any{"builders"},
		"$defs/testTrust/properties/keys": map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
		"$defs/testTrust/properties/builders": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/$defs/testBuilder"},
			"description": "Builders whose provenance is accepted."},
		"$defs/testBuilder/additionalProperties": false,
		"$defs/testBuilder/properties/parent":    map[string]any{"$ref": "#/$defs/testBuilder"}, // recursive
		"$defs/testBuilder/properties/maxLevel":  map[string]any{"type": "integer"},
		"$defs/testArtifact/required":            []any{"name"},
	} {
		if got := at(t, s, strings.Split(path, "/")...); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	if n := len(at(t, s, "$defs").(map[string]any)); n != 3 {
		t.Errorf("%d $defs, want 3 (testTrust, testBuilder, testArtifact)", n)
	}
}

func TestSchemaDeterministic(t *testing.T) {
	a, err := Schema(testPolicy{}, SchemaOptions{Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		b, err := Schema(&testPolicy{}, SchemaOptions{Title: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatal("Schema output differs between calls")
		}
	}
	if !bytes.HasSuffix(a, []byte("}\n")) || !bytes.HasPrefix(a, []byte("{\n  \"")) {
		t.Errorf("not 2-space indented with a final newline:\n%.60s", a)
	}
	// Keys are sorted at every level: re-encoding the parsed schema with
	// encoding/json (which sorts map keys) gives the same bytes.
	var v any
	if err := json.Unmarshal(a, &v); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), a) {
		t.Error("schema keys are not in sorted order")
	}
	if bytes.Contains(a, []byte(`"$id"`)) {
		t.Error("$id written though empty")
	}
}

// TestSchemaRootRecursion: a type referring to itself refers to the root.
func TestSchemaRootRecursion(t *testing.T) {
	s := schemaOf(t, testBuilder{})
	if got := at(t, s, "properties", "parent"); !reflect.DeepEqual(got, map[string]any{"$ref": "#"}) {
		t.Errorf("parent = %v", got)
	}
	if _, ok := s["$defs"]; ok {
		t.Error("$defs without any named struct but the root")
	}
}

func TestSchemaNameClash(t *testing.T) {
	type testTrust struct{ X string } // same name as the package-level type
	type clash struct {
		A testTrust  `json:"a"`
		B *testTrust `json:"b"`
		C struct {
			T struct {
				Builders []testBuilder `json:"builders"`
			} `json:"t"`
		} `json:"c"`
	}
	type outer struct {
		P testPolicy `json:"p"`
		Q testTrust  `json:"q"`
	}
	if _, err := Schema(clash{}, SchemaOptions{}); err != nil {
		t.Errorf("one type used twice: %v", err)
	}
	if _, err := Schema(outer{}, SchemaOptions{}); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("two types named testTrust: %v, want ErrInvalidTarget", err)
	}
}

func TestDurationPattern(t *testing.T) {
	re := regexp.MustCompile(DurationPattern)
	for _, s := range []string{"0", "-0", "+0", "24h", "1h30m", "1.5h", ".5s", "5.s", "300ms", "1us", "1µs", "1μs", "10ns", "-2m3s",
		"", "1", "h", "1d", "1h-2m", "1 h", "--1s", ".s", "1.2.3s", "0h0", "1H", "1e3s"} {
		_, err := time.ParseDuration(s)
		if got := re.MatchString(s); got != (err == nil) {
			t.Errorf("%q: pattern matches %v, time.ParseDuration error %v", s, got, err)
		}
	}
}

// TestSchemaAllowsDecodedDocuments checks, lightly, that what Decode accepts
// the schema describes: every property of every object of a valid document
// is one the schema lists at that place, and every required one is there.
func TestSchemaAllowsDecodedDocuments(t *testing.T) {
	s := schemaOf(t, &testPolicy{})
	for _, doc := range []struct {
		format Format
		data   string
	}{{JSON, validJSON}, {YAML, validYAML}, {YAML, yBase}} {
		var p testPolicy
		if _, err := Decode([]byte(doc.data), doc.format, &p); err != nil {
			t.Fatal(err)
		}
		var v any
		if _, err := Decode([]byte(doc.data), doc.format, &v); err != nil {
			t.Fatal(err)
		}
		checkAgainstSchema(t, s, s, v, "")
	}
	// And the check itself can fail: an unknown property is caught.
	ft := &fakeT{}
	checkAgainstSchema(ft, s, s, map[string]any{"apiVersion": "v1", "trust": map[string]any{"builders": []any{}}, "bogus": 1}, "")
	if !ft.failed {
		t.Error("schema check accepted an unknown property")
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }

func checkAgainstSchema(t testing.TB, root, s map[string]any, v any, ptr string) {
	t.Helper()
	if ref, ok := s["$ref"].(string); ok {
		if ref == "#" {
			s = root
		} else {
			s = root["$defs"].(map[string]any)[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
	}
	if len(s) == 0 {
		return // {}: any value
	}
	typ, _ := s["type"].(string)
	switch x := v.(type) {
	case map[string]any:
		if typ != "object" {
			t.Errorf("%s: object where the schema says %q", ptr, typ)
			return
		}
		props, _ := s["properties"].(map[string]any)
		for k, child := range x {
			var cs map[string]any
			switch extra := s["additionalProperties"].(type) {
			case bool:
				var ok bool
				if cs, ok = props[k].(map[string]any); !ok {
					t.Errorf("%s/%s: property not in the schema", ptr, k)
					continue
				}
			case map[string]any:
				cs = extra
			}
			checkAgainstSchema(t, root, cs, child, ptr+"/"+k)
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				t.Errorf("%s: required %v missing", ptr, r)
			}
		}
	case []any:
		if typ != "array" {
			t.Errorf("%s: array where the schema says %q", ptr, typ)
			return
		}
		for i, item := range x {
			checkAgainstSchema(t, root, s["items"].(map[string]any), item, ptr+"/"+strconv.Itoa(i))
		}
	case string:
		if typ != "string" {
			t.Errorf("%s: string where the schema says %q", ptr, typ)
		}
	case json.Number:
		if typ != "number" && typ != "integer" {
			t.Errorf("%s: number where the schema says %q", ptr, typ)
		}
	case bool:
		if typ != "boolean" {
			t.Errorf("%s: boolean where the schema says %q", ptr, typ)
		}
	}
}
