package docdecode

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// want is one expected problem: where, at which path, wrapping which
// sentinel.
type want struct {
	pos  string // "line:col"
	path string
	err  error
}

// checkProblems asserts that err lists exactly the wanted problems, in
// order, and that errors.Is finds each sentinel on the whole error.
func checkProblems(t *testing.T, err error, wants []want) {
	t.Helper()
	if len(wants) == 0 {
		if err != nil {
			t.Fatalf("unexpected error:\n%v", err)
		}
		return
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v (%T) is not Problems", err, err)
	}
	if len(ps) != len(wants) {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), len(wants), err)
	}
	for i, w := range wants {
		p := ps[i]
		if p.Pos.String() != w.pos || p.Path != w.path || !errors.Is(p, w.err) {
			t.Errorf("problem %d = %q (err %v), want %s %s %v", i, p.Error(), p.Err, w.pos, w.path, w.err)
		}
		if !errors.Is(err, w.err) {
			t.Errorf("errors.Is(err, %v) = false", w.err)
		}
	}
}

// Valid documents in both formats, decoded into the sample policy.
const validJSON = `{
  "apiVersion": "buildtrust.dev/v1",
  "trust": {
    "builders": [
      {"id": "https://builder.example/a", "maxLevel": 3},
      {"id": "b", "parent": {"id": "a"}}
    ],
    "keys": ["k1"]
  },
  "artifacts": [{"name": "app", "sources": ["git+https://example.com/app"]}],
  "labels": {"team": "infra", "a/b~c": "x"},
  "maxAge": "24h",
  "notAfter": "2030-01-02T03:04:05Z",
  "level": 255,
  "offset": -32768,
  "strict": true,
  "threshold": 0.5,
  "extra": {"n": 12345678901234567890123, "f": 1.50, "s": "x", "b": false, "z": null, "l": [1, "2"]},
  "note": "hello",
  "digest": "deadbeef"
}`

const validYAML = `# A policy.
apiVersion: buildtrust.dev/v1
trust:
  builders:
    - id: https://builder.example/a
      maxLevel: 3
    - id: b
      parent: {id: a}
  keys: [k1]
artifacts:
  - name: app
    sources:
      - git+https://example.com/app
labels:
  team: infra
  "a/b~c": x
maxAge: 24h
notAfter: 2030-01-02T03:04:05Z
level: 255
offset: -32768
strict: true
threshold: 0.5
extra:
  n: 12345678901234567890123
  f: 1.50
  s: x
  b: false
  z: ~
  l: [1, "2"]
note: |-
  hello
digest: deadbeef
`

func wantPolicy() testPolicy {
	note := "hello"
	return testPolicy{
		APIVersion: "buildtrust.dev/v1",
		Trust: testTrust{
			Builders: []testBuilder{
				{ID: "https://builder.example/a", MaxLevel: 3},
				{ID: "b", Parent: &testBuilder{ID: "a"}},
			},
			Keys: []string{"k1"},
		},
		Artifacts: []testArtifact{{Name: "app", Sources: []string{"git+https://example.com/app"}}},
		Labels:    map[string]string{"team": "infra", "a/b~c": "x"},
		MaxAge:    24 * time.Hour,
		NotAfter:  time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		Level:     255,
		Offset:    -32768,
		Strict:    true,
		Threshold: 0.5,
		Extra: map[string]any{
			"n": json.Number("12345678901234567890123"), "f": json.Number("1.50"), "s": "x",
			"b": false, "z": nil, "l": []any{json.Number("1"), "2"},
		},
		Note:   &note,
		Digest: hexDigest{0xde, 0xad, 0xbe, 0xef},
	}
}

func TestDecodeValid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		data   string
	}{
		{"json", JSON, validJSON},
		{"json auto", Auto, validJSON},
		{"yaml", YAML, validYAML},
		{"yaml auto", Auto, validYAML},
		{"yaml crlf", YAML, strings.ReplaceAll(validYAML, "\n", "\r\n")},
		{"json crlf", JSON, strings.ReplaceAll(validJSON, "\n", "\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p testPolicy
			doc, err := Decode([]byte(tc.data), tc.format, &p)
			if err != nil {
				t.Fatal(err)
			}
			if got := wantPolicy(); !reflect.DeepEqual(p, got) {
				t.Errorf("decoded\n%#v\nwant\n%#v", p, got)
			}
			wantFormat := tc.format
			if wantFormat == Auto {
				wantFormat = map[string]Format{"{": JSON, "#": YAML}[tc.data[:1]]
			}
			if doc.Format() != wantFormat {
				t.Errorf("Format() = %v, want %v", doc.Format(), wantFormat)
			}
		})
	}
}

func TestDocumentPositions(t *testing.T) {
	for _, tc := range []struct {
		format Format
		data   string
		want   map[string]string // pointer → position, "!" prefix: not exact
	}{
		{JSON, validJSON, map[string]string{
			"":                         "1:1",
			"/apiVersion":              "2:17",
			"/trust/builders/0/id":     "5:14",
			"/trust/builders/1/parent": "6:29",
			"/labels/a~1b~0c":          "11:40",
			"/trust/builders/0/parent": "!5:7",
			"/trust/builders/7/id":     "!4:17",
			"/nowhere/at/all":          "!1:1",
			"/extra/l/1":               "18:96",
			"/digest":                  "20:13",
		}},
		{YAML, validYAML, map[string]string{
			"":                         "2:1",
			"/apiVersion":              "2:13",
			"/trust/builders/0/id":     "5:11",
			"/trust/builders/1/parent": "8:15",
			"/labels/a~1b~0c":          "16:12",
			"/trust/builders/0/parent": "!5:7",
			"/extra/l/1":               "29:10",
			"/note":                    "30:7",
		}},
		// Columns count characters, not bytes.
		{JSON, `{"é€": 1, "x": 2}`, map[string]string{"/x": "1:16", "/é€": "1:8"}},
		{YAML, `{"é€": 1, x: 2}`, map[string]string{"/x": "1:14", "/é€": "1:8"}},
		{JSON, "{\r\n\"a\":\r\n1}", map[string]string{"/a": "3:1"}},
		{YAML, "a:\r  b: 1\r", map[string]string{"/a/b": "2:6"}},
	} {
		var v any
		doc, err := Decode([]byte(tc.data), tc.format, &v)
		if err != nil {
			t.Fatal(err)
		}
		for ptr, w := range tc.want {
			exact := !strings.HasPrefix(w, "!")
			w = strings.TrimPrefix(w, "!")
			pos, ok := doc.Pos(ptr)
			if pos.String() != w || ok != exact {
				t.Errorf("%v: Pos(%q) = %v, %v; want %v, %v", tc.format, ptr, pos, ok, w, exact)
			}
		}
	}
	var nilDoc *Document
	if pos, ok := nilDoc.Pos(""); ok || pos != (Position{}) || nilDoc.Format() != Auto {
		t.Error("nil Document knows a position")
	}
}

func TestPointerAndProblemf(t *testing.T) {
	if got := Pointer("trust", "a/b", "~x", "0"); got != "/trust/a~1b/~0x/0" {
		t.Errorf("Pointer = %q", got)
	}
	if got := Pointer(); got != "" {
		t.Errorf("Pointer() = %q", got)
	}
	var p testPolicy
	doc, err := Decode([]byte(validYAML), YAML, &p)
	if err != nil {
		t.Fatal(err)
	}
	errSemantic := errors.New("semantic")
	ps := Problems{doc.Problemf(Pointer("trust", "builders", "1", "id"), errSemantic, "builder %q is not trusted", "b")}
	ps = append(ps, doc.Problemf("/apiVersion", errSemantic, "unknown version"))
	ps.Sort()
	err = ps.Err()
	if !errors.Is(err, errSemantic) {
		t.Fatal("errors.Is through Problems failed")
	}
	if got, want := err.Error(), "2:13: /apiVersion: unknown version\n7:11: /trust/builders/1/id: builder \"b\" is not trusted"; got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	if (Problems{}).Err() != nil || Problems(nil).Err() != nil {
		t.Error("empty Problems is a non-nil error")
	}
}

// rule is one row of TestRules: a document (in one format) decoded into the
// sample policy, and the problems it must produce.
type rule struct {
	name   string
	format Format
	data   string
	want   []want
}

// base documents with the required fields, to which rows append.
const (
	jBase = "{\"apiVersion\": \"v1\", \"trust\": {\"builders\": []},\n" // line 1
	yBase = "apiVersion: v1\ntrust: {builders: []}\n"                   // lines 1–2
)

var rules = []rule{
	// Unknown fields.
	{"unknown json", JSON, jBase + ` "bogus": 1}`, []want{{"2:2", "/bogus", ErrUnknownField}}},
	{"unknown yaml", YAML, yBase + "bogus: 1\n", []want{{"3:1", "/bogus", ErrUnknownField}}},
	{"unknown nested json", JSON, jBase + ` "artifacts": [{"name": "a", "nme": "b"}]}`, []want{{"2:30", "/artifacts/0/nme", ErrUnknownField}}},
	{"unknown nested yaml", YAML, yBase + "artifacts:\n  - name: a\n    nme: b\n", []want{{"5:5", "/artifacts/0/nme", ErrUnknownField}}},
	{"case differs json", JSON, `{"ApiVersion": "v1", "trust": {"builders": []}}`, []want{
		{"1:1", "/apiVersion", ErrRequired}, {"1:2", "/ApiVersion", ErrUnknownField}}},
	{"case differs yaml", YAML, "ApiVersion: v1\ntrust: {builders: []}\n", []want{
		{"1:1", "/ApiVersion", ErrUnknownField}, {"1:1", "/apiVersion", ErrRequired}}},
	{"kelvin sign json", JSON, jBase + ` "trust2": 1, "labels": {}, "\u212aeys": []}`, []want{
		{"2:2", "/trust2", ErrUnknownField}, {"2:29", "/\u212aeys", ErrUnknownField}}},
	{"kelvin sign nested yaml", YAML, "apiVersion: v1\ntrust:\n  builders: []\n  \u212aeys: [a]\n", []want{
		{"4:3", "/trust/\u212aeys", ErrUnknownField}}},
	{"json:\"-\" field is unknown", JSON, jBase + ` "Internal": "x", "private": 1}`, []want{
		{"2:2", "/Internal", ErrUnknownField}, {"2:19", "/private", ErrUnknownField}}},

	// Duplicate keys.
	{"duplicate json", JSON, jBase + ` "level": 1, "level": 2}`, []want{{"2:14", "/level", ErrDuplicateKey}}},
	{"duplicate escaped json", JSON, jBase + ` "level": 1, "l\u0065vel": 2}`, []want{{"2:14", "/level", ErrDuplicateKey}}},
	{"duplicate yaml", YAML, yBase + "level: 1\nlevel: 2\n", []want{{"4:1", "/level", ErrDuplicateKey}}},
	{"duplicate quoted yaml", YAML, yBase + "level: 1\n'level': 2\n", []want{{"4:1", "/level", ErrDuplicateKey}}},
	{"duplicate in map yaml", YAML, yBase + "labels: {a: 1, a: 2}\n", []want{
		{"3:13", "/labels/a", ErrType}, {"3:16", "/labels/a", ErrDuplicateKey}}},
	{"duplicate inside any json", JSON, jBase + ` "extra": {"x": [{"a": 1, "a": 1}]}}`, []want{{"2:27", "/extra/x/0/a", ErrDuplicateKey}}},

	// Types.
	{"string got integer json", JSON, `{"apiVersion": 1, "trust": {"builders": []}}`, []want{{"1:16", "/apiVersion", ErrType}}},
	{"string got integer yaml", YAML, "apiVersion: 1\ntrust: {builders: []}\n", []want{{"1:13", "/apiVersion", ErrType}}},
	{"string got float yaml", YAML, "apiVersion: 1.10\ntrust: {builders: []}\n", []want{{"1:13", "/apiVersion", ErrType}}},
	{"string got bool yaml", YAML, "apiVersion: true\ntrust: {builders: []}\n", []want{{"1:13", "/apiVersion", ErrType}}},
	{"string got object json", JSON, `{"apiVersion": {}, "trust": {"builders": []}}`, []want{{"1:16", "/apiVersion", ErrType}}},
	{"quoted string is a string yaml", YAML, "apiVersion: \"1\"\ntrust: {builders: []}\nlabels: {a: '2'}\n", nil},
	{"int got string json", JSON, jBase + ` "level": "1"}`, []want{{"2:11", "/level", ErrType}}},
	{"int got quoted yaml", YAML, yBase + "level: '1'\n", []want{{"3:8", "/level", ErrType}}},
	{"uint8 overflow json", JSON, jBase + ` "level": 256}`, []want{{"2:11", "/level", ErrType}}},
	{"uint8 negative yaml", YAML, yBase + "level: -1\n", []want{{"3:8", "/level", ErrType}}},
	{"int16 overflow yaml", YAML, yBase + "offset: -32769\n", []want{{"3:9", "/offset", ErrType}}},
	{"int got fraction json", JSON, jBase + ` "offset": 1.5}`, []want{{"2:12", "/offset", ErrType}}},
	{"int got exponent json", JSON, jBase + ` "offset": 1e2}`, []want{{"2:12", "/offset", ErrType}}},
	{"int got float yaml", YAML, yBase + "offset: 1.0e+2\n", []want{{"3:9", "/offset", ErrType}}},
	{"int hex yaml", YAML, yBase + "offset: 0x1F\nlevel: 0xff\n", nil},
	{"huge int json", JSON, jBase + ` "offset": 123456789012345678901234567890}`, []want{{"2:12", "/offset", ErrType}}},
	{"float accepts int", JSON, jBase + ` "threshold": 2}`, nil},
	{"float out of range json", JSON, jBase + ` "threshold": 1e400}`, []want{{"2:15", "/threshold", ErrType}}},
	{"float got string yaml", YAML, yBase + "threshold: '0.5'\n", []want{{"3:12", "/threshold", ErrType}}},
	{"bool got string json", JSON, jBase + ` "strict": "true"}`, []want{{"2:12", "/strict", ErrType}}},
	{"bool got yes yaml", YAML, yBase + "strict: yes\n", []want{{"3:9", "/strict", ErrType}}},
	{"bool got on yaml", YAML, yBase + "strict: on\n", []want{{"3:9", "/strict", ErrType}}},
	{"bool True yaml", YAML, yBase + "strict: True\n", nil},
	{"bool got 1 json", JSON, jBase + ` "strict": 1}`, []want{{"2:12", "/strict", ErrType}}},
	{"time bad json", JSON, jBase + ` "notAfter": "2030-13-01T00:00:00Z"}`, []want{{"2:14", "/notAfter", ErrType}}},
	{"time date only yaml", YAML, yBase + "notAfter: 2030-01-01\n", []want{{"3:11", "/notAfter", ErrType}}},
	{"time quoted yaml", YAML, yBase + "notAfter: '2030-01-01T00:00:00+02:00'\n", nil},
	{"time got int json", JSON, jBase + ` "notAfter": 1700000000}`, []want{{"2:14", "/notAfter", ErrType}}},
	{"duration bad yaml", YAML, yBase + "maxAge: 1d\n", []want{{"3:9", "/maxAge", ErrType}}},
	{"duration got int yaml", YAML, yBase + "maxAge: 3600\n", []want{{"3:9", "/maxAge", ErrType}}},
	{"duration got int json", JSON, jBase + ` "maxAge": 3600}`, []want{{"2:12", "/maxAge", ErrType}}},
	{"text unmarshaler error json", JSON, jBase + ` "digest": "zz"}`, []want{{"2:12", "/digest", ErrType}}},
	{"text unmarshaler got int yaml", YAML, yBase + "digest: 12345678\n", []want{{"3:9", "/digest", ErrType}}},
	{"slice got object json", JSON, jBase + ` "artifacts": {}}`, []want{{"2:15", "/artifacts", ErrType}}},
	{"map got array yaml", YAML, yBase + "labels: [a]\n", []want{{"3:9", "/labels", ErrType}}},
	{"struct got string yaml", YAML, "apiVersion: v1\ntrust: builders\n", []want{{"2:8", "/trust", ErrType}}},
	{"root got array json", JSON, `[]`, []want{{"1:1", "", ErrType}}},
	{"root got scalar yaml", YAML, "hello\n", []want{{"1:1", "", ErrType}}},
	{"map value type yaml", YAML, yBase + "labels: {a: 1, b: x, c: [1]}\n", []want{{"3:13", "/labels/a", ErrType}, {"3:25", "/labels/c", ErrType}}},

	// Null.
	{"null pointer slice map any json", JSON, jBase + ` "note": null, "artifacts": null, "labels": null, "extra": null}`, nil},
	{"empty values yaml", YAML, yBase + "note:\nartifacts:\nlabels: ~\nextra: null\n", nil},
	{"null string json", JSON, `{"apiVersion": null, "trust": {"builders": []}}`, []want{{"1:16", "/apiVersion", ErrType}}},
	{"empty string yaml", YAML, "apiVersion:\ntrust: {builders: []}\n", []want{{"1:12", "/apiVersion", ErrType}}},
	{"null struct json", JSON, `{"apiVersion": "v1", "trust": null}`, []want{{"1:31", "/trust", ErrType}}},
	{"null int yaml", YAML, yBase + "level: null\n", []want{{"3:8", "/level", ErrType}}},
	{"null in []string json", JSON, `{"apiVersion": "v1", "trust": {"builders": [], "keys": ["a", null]}}`, []want{{"1:62", "/trust/keys/1", ErrType}}},
	{"null in []string yaml", YAML, "apiVersion: v1\ntrust: {builders: [], keys: [a, null]}\n", []want{{"2:33", "/trust/keys/1", ErrType}}},

	// Required fields.
	{"missing required json", JSON, `{"trust": {"builders": []}}`, []want{{"1:1", "/apiVersion", ErrRequired}}},
	{"missing required yaml", YAML, "trust:\n  builders: []\n", []want{{"1:1", "/apiVersion", ErrRequired}}},
	{"missing nested required json", JSON, `{"apiVersion": "v1", "trust": {}}`, []want{{"1:31", "/trust/builders", ErrRequired}}},
	{"missing nested required yaml", YAML, "apiVersion: v1\ntrust:\n  keys: []\n", []want{{"3:3", "/trust/builders", ErrRequired}}},
	{"required slice null json", JSON, `{"apiVersion": "v1", "trust": {"builders": null}}`, []want{{"1:31", "/trust/builders", ErrRequired}}},
	{"required in array element yaml", YAML, yBase + "artifacts:\n  - sources: []\n  - name: b\n", []want{{"4:5", "/artifacts/0/name", ErrRequired}}},
	{"empty string is present json", JSON, `{"apiVersion": "", "trust": {"builders": [{"id": ""}]}}`, nil},
	{"empty object root json", JSON, `{}`, []want{{"1:1", "/apiVersion", ErrRequired}, {"1:1", "/trust", ErrRequired}}},
	{"empty object root yaml", YAML, `{}`, []want{{"1:1", "/apiVersion", ErrRequired}, {"1:1", "/trust", ErrRequired}}},

	// YAML features JSON cannot express, or readers disagree on.
	{"anchor and alias", YAML, yBase + "labels: &l {a: b}\nextra: *l\n", []want{
		{"3:9", "/labels", ErrUnsupported}, {"4:8", "/extra", ErrUnsupported}}},
	{"merge key", YAML, yBase + "artifacts:\n  - &a {name: x}\n  - <<: *a\n", []want{
		{"4:5", "/artifacts/0", ErrUnsupported}, {"5:5", "/artifacts/1", ErrUnsupported}, {"5:5", "/artifacts/1/name", ErrRequired}}},
	{"unknown anchor", YAML, yBase + "extra: *nothing\n", []want{{"3:8", "", ErrUnsupported}}},
	{"binary tag", YAML, yBase + "note: !!binary aGVsbG8=\n", []want{{"3:7", "/note", ErrUnsupported}}},
	{"custom tag", YAML, yBase + "note: !secret x\n", []want{{"3:7", "/note", ErrUnsupported}}},
	{"custom tag on mapping", YAML, yBase + "labels: !set {a: b}\n", []want{{"3:9", "/labels", ErrUnsupported}}},
	{"timestamp tag", YAML, yBase + "notAfter: !!timestamp 2030-01-01T00:00:00Z\n", []want{{"3:11", "/notAfter", ErrUnsupported}}},
	{"core str tag", YAML, "apiVersion: !!str 1\ntrust: !!map {builders: !!seq []}\nlevel: !!int \"7\"\n", nil},
	{"core tag contradicts value", YAML, yBase + "level: !!int seven\n", []want{{"3:8", "/level", ErrType}}},
	{"non-specific tag", YAML, yBase + "level: ! 12\n", []want{{"3:8", "/level", ErrUnsupported}}},
	{"tag handle redefined", YAML, "%TAG !! tag:evil.example,2024:\n---\napiVersion: !!str v1\ntrust: {builders: []}\n", []want{{"3:13", "/apiVersion", ErrUnsupported}}},
	{"two documents", YAML, yBase + "---\napiVersion: v2\n", []want{{"3:1", "", ErrUnsupported}}},
	{"second empty document", YAML, yBase + "---\n", []want{{"3:1", "", ErrUnsupported}}},
	{"document end marker", YAML, yBase + "...\n", nil},
	{"integer key", YAML, yBase + "labels:\n  1: a\n", []want{{"4:3", "/labels", ErrType}}},
	{"bool key", YAML, yBase + "labels: {true: a}\n", []want{{"3:10", "/labels", ErrType}}},
	{"null key", YAML, yBase + "labels: {~: a}\n", []want{{"3:10", "/labels", ErrType}}},
	{"complex key", YAML, yBase + "labels:\n  ? [a]\n  : b\n", []want{{"4:5", "/labels", ErrType}}},
	{"timestamp key", YAML, yBase + "labels: {2024-01-01: a, '2024-01-02': b}\n", []want{{"3:10", "/labels", ErrType}}},
	{"quoted merge key is a string", YAML, yBase + "labels: {'<<': a}\n", nil},
	{"legacy octal", YAML, yBase + "extra: 0777\n", []want{{"3:8", "/extra", ErrUnsupported}}},
	{"binary integer", YAML, yBase + "extra: [0b101, 0o17, 1_000, +0x1F, 0X1F]\n", []want{
		{"3:9", "/extra/0", ErrUnsupported}, {"3:16", "/extra/1", ErrUnsupported}, {"3:22", "/extra/2", ErrUnsupported},
		{"3:29", "/extra/3", ErrUnsupported}, {"3:36", "/extra/4", ErrUnsupported}}},
	{"exponent without dot", YAML, yBase + "threshold: 1e3\n", []want{{"3:12", "/threshold", ErrUnsupported}}},
	{"infinity", YAML, yBase + "threshold: .inf\nextra: -.Inf\n", []want{{"3:12", "/threshold", ErrUnsupported}, {"4:8", "/extra", ErrUnsupported}}},
	{"nan", YAML, yBase + "threshold: .NaN\n", []want{{"3:12", "/threshold", ErrUnsupported}}},
	{"accepted numbers", YAML, yBase + "threshold: -.5\nextra: [0, -0, +1, 1.0e+3, 1., 0x0]\n", nil},

	// Syntax and encoding.
	{"empty json", JSON, "", []want{{"1:1", "", ErrSyntax}}},
	{"blank json", JSON, " \n\t", []want{{"1:1", "", ErrSyntax}}},
	{"empty yaml", YAML, "", []want{{"1:1", "", ErrSyntax}}},
	{"comment only yaml", YAML, "# nothing\n", []want{{"1:1", "", ErrSyntax}}},
	{"document marker only yaml", YAML, "---\n", []want{{"1:1", "", ErrSyntax}}},
	{"trailing data json", JSON, "{} {}", []want{{"1:4", "", ErrSyntax}}},
	{"trailing comma json", JSON, "{\n\"a\": 1,\n}", []want{{"3:1", "", ErrSyntax}}},
	{"bad literal json", JSON, "{\n  \"strict\": tru\n}", []want{{"2:13", "", ErrSyntax}}},
	{"bad number json", JSON, "[-]", []want{{"1:3", "", ErrSyntax}}},
	{"leading zero json", JSON, "[01]", []want{{"1:3", "", ErrSyntax}}},
	{"unterminated string json", JSON, "{\"a", []want{{"1:2", "", ErrSyntax}}},
	{"control character in string json", JSON, "{\"a\tb\": 1}", []want{{"1:4", "", ErrSyntax}}},
	{"bad escape json", JSON, `{"a\x": 1}`, []want{{"1:4", "", ErrSyntax}}},
	{"single quotes json", JSON, `{'a': 1}`, []want{{"1:2", "", ErrSyntax}}},
	{"comment json", JSON, "{} // c", []want{{"1:4", "", ErrSyntax}}},
	{"byte order mark json", JSON, "\ufeff{}", []want{{"1:1", "", ErrSyntax}}},
	{"unclosed yaml", YAML, "apiVersion: v1\ntrust: [a\nlevel: 1\n", []want{{"2", "", ErrSyntax}}},
	{"bad indentation yaml", YAML, "apiVersion: v1\ntrust:\n  builders: []\n keys: []\n", []want{{"4", "", ErrSyntax}}},
	{"tab indentation yaml", YAML, "apiVersion: v1\ntrust:\n\tbuilders: []\n", []want{{"3", "", ErrSyntax}}},
	{"mapping in scalar yaml", YAML, "a: b: c\n", []want{{"1", "", ErrSyntax}}},
	{"control character yaml", YAML, "apiVersion: v1\x07\n", []want{{"1:15", "", ErrSyntax}}},
	{"invalid utf-8 json", JSON, "{\"apiVersion\": \"v\xff1\"}", []want{{"1:18", "", ErrEncoding}}},
	{"invalid utf-8 yaml", YAML, "apiVersion: é\xc3", []want{{"1:14", "", ErrEncoding}}},
	{"lone high surrogate json", JSON, jBase + ` "note": "a\ud800b"}`, []want{{"2:12", "/note", ErrEncoding}}},
	{"lone low surrogate json", JSON, jBase + ` "note": "\udc00"}`, []want{{"2:11", "/note", ErrEncoding}}},
	{"high surrogate then non-low json", JSON, jBase + ` "note": "\ud800\u0041"}`, []want{{"2:11", "/note", ErrEncoding}}},
	{"reversed pair json", JSON, jBase + ` "note": "\ude00\ud83d"}`, []want{{"2:11", "/note", ErrEncoding}, {"2:17", "/note", ErrEncoding}}},
	{"surrogate in key json", JSON, jBase + ` "labels": {"\ud800": "x"}}`, []want{{"2:14", "/labels", ErrEncoding}}},
	{"surrogate pair json", JSON, jBase + ` "note": "\ud83d\ude00"}`, nil},
	{"escaped yaml", YAML, yBase + "note: \"\\u00e9\\U0001F600\"\n", nil},
}

func TestRules(t *testing.T) {
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			var p testPolicy
			_, err := Decode([]byte(r.data), r.format, &p)
			checkProblems(t, err, r.want)
		})
	}
}

func TestUnknownFieldMessages(t *testing.T) {
	for _, tc := range []struct {
		format  Format
		data    string
		suggest bool
	}{
		{JSON, `{"ApiVersion": "v1", "trust": {"builders": []}}`, true},
		{YAML, "apiVersion: v1\ntrust: {BUILDERS: []}\n", true},
		{JSON, `{"apiVersion": "v1", "trust": {"builders": [], "\u212aeys": []}}`, false}, // Kelvin sign
		{YAML, "apiVersion: v1\ntrust: {builders: [], \u212aeys: []}\n", false},
		{YAML, "apiVersion: v1\nſtrict: true\ntrust: {builders: []}\n", false}, // long s
		{YAML, "apiVersion: v1\ntrust: {builders: [], kes: []}\n", false},
	} {
		var p testPolicy
		_, err := Decode([]byte(tc.data), tc.format, &p)
		var ps Problems
		if !errors.As(err, &ps) || !errors.Is(err, ErrUnknownField) {
			t.Fatalf("%q: got %v, want an unknown field", tc.data, err)
		}
		var unknown *Problem
		for _, p := range ps {
			if errors.Is(p, ErrUnknownField) {
				unknown = p
			}
		}
		if got := strings.Contains(unknown.Msg, "did you mean"); got != tc.suggest {
			t.Errorf("%q: %q: suggestion %v, want %v", tc.data, unknown.Msg, got, tc.suggest)
		}
		if strings.ContainsFunc(unknown.Msg, func(r rune) bool { return r > 0x7e }) {
			t.Errorf("%q: message %q shows a non-ASCII key unescaped", tc.data, unknown.Msg)
		}
		// The look-alike key never fills the field.
		if len(p.Trust.Keys) != 0 || p.Strict {
			t.Errorf("%q: a folded key reached a field: %+v", tc.data, p)
		}
	}
}

// TestManyProblems is a document with independent problems of every kind:
// all are reported, in position order, and the value is decoded around them.
func TestManyProblems(t *testing.T) {
	const doc = `apiVersion: 2
trust:
  builders:
    - id: a
      maxLevel: three
    - ID: b
artifacts:
  - name: x
    name: y
strict: yes
level: 1000
labels: {ok: fine}
`
	var p testPolicy
	_, err := Decode([]byte(doc), YAML, &p)
	checkProblems(t, err, []want{
		{"1:13", "/apiVersion", ErrType},
		{"5:17", "/trust/builders/0/maxLevel", ErrType},
		{"6:7", "/trust/builders/1/ID", ErrUnknownField},
		{"6:7", "/trust/builders/1/id", ErrRequired},
		{"9:5", "/artifacts/0/name", ErrDuplicateKey},
		{"10:9", "/strict", ErrType},
		{"11:8", "/level", ErrType},
	})
	want := "1:13: /apiVersion: expected string, got integer 2 (quote it)\n" +
		"5:17: /trust/builders/0/maxLevel: expected integer, got string \"three\"\n" +
		"6:7: /trust/builders/1/ID: unknown field \"ID\" (did you mean \"id\"?)\n" +
		"6:7: /trust/builders/1/id: missing required field \"id\"\n" +
		"9:5: /artifacts/0/name: duplicate key \"name\" (first at 8:5)\n" +
		"10:9: /strict: expected boolean, got string \"yes\" (YAML 1.1 booleans are strings in YAML 1.2: write true or false)\n" +
		"11:8: /level: integer 1000 overflows uint8"
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
	// Decoding went on around the problems.
	if p.Trust.Builders[0].ID != "a" || p.Artifacts[0].Name != "x" || p.Labels["ok"] != "fine" {
		t.Errorf("values around the problems were not decoded: %+v", p)
	}
}

func TestTooManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString(yBase)
	for i := range 150 {
		fmt.Fprintf(&b, "unknown%d: x\n", i)
	}
	var p testPolicy
	_, err := Decode([]byte(b.String()), YAML, &p)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatal(err)
	}
	if len(ps) != limits.MaxPolicyProblems+1 {
		t.Fatalf("%d problems, want %d", len(ps), limits.MaxPolicyProblems+1)
	}
	if !errors.Is(ps[0], ErrTooLarge) || ps[0].Pos.Line != 0 {
		t.Errorf("first problem %v: want the too-many-problems notice", ps[0])
	}
	if !errors.Is(ps[1], ErrUnknownField) || ps[1].Pos.Line != 3 || ps[len(ps)-1].Pos.Line != 102 {
		t.Errorf("problems 1 and last: %v, %v", ps[1], ps[len(ps)-1])
	}
}

func TestLimits(t *testing.T) {
	nest := func(open, close string, n int) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	many := "[" + strings.Repeat("0,", limits.MaxPolicyNodes) + "0]"
	for _, tc := range []struct {
		name   string
		format Format
		data   string
		want   error
	}{
		{"depth 64 json", JSON, nest("[", "]", limits.MaxJSONDepth), nil},
		{"depth 65 json", JSON, nest("[", "]", limits.MaxJSONDepth+1), ErrTooLarge},
		{"depth 64 objects json", JSON, strings.Repeat(`{"a":`, limits.MaxJSONDepth) + "1" + strings.Repeat("}", limits.MaxJSONDepth), nil},
		{"depth 65 objects json", JSON, strings.Repeat(`{"a":`, limits.MaxJSONDepth+1) + "1" + strings.Repeat("}", limits.MaxJSONDepth+1), ErrTooLarge},
		{"depth 65 objects yaml", YAML, strings.Repeat(`{"a":`, limits.MaxJSONDepth+1) + "1" + strings.Repeat("}", limits.MaxJSONDepth+1), ErrTooLarge},
		{"depth 64 yaml", YAML, nest("[", "]", limits.MaxJSONDepth), nil},
		{"depth 65 yaml", YAML, nest("[", "]", limits.MaxJSONDepth+1), ErrTooLarge},
		{"depth 65 block yaml", YAML, blockNest(limits.MaxJSONDepth + 1), ErrTooLarge},
		{"nodes json", JSON, many, ErrTooLarge},
		{"nodes yaml", YAML, many, ErrTooLarge},
		{"nodes at limit json", JSON, "[" + strings.Repeat("0,", limits.MaxPolicyNodes-2) + "0]", nil},
		{"size json", JSON, `"` + strings.Repeat("a", limits.MaxPolicyBytes) + `"`, ErrTooLarge},
		{"size yaml", YAML, strings.Repeat("#", limits.MaxPolicyBytes+1), ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			doc, err := Decode([]byte(tc.data), tc.format, &v)
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("err = %.200v, want %v", err, tc.want)
			}
			if tc.want != nil && (doc != nil || v != nil) {
				t.Error("a document over a limit was decoded")
			}
		})
	}
}

// blockNest is a YAML block sequence nested n deep.
func blockNest(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat("  ", i) + "-\n")
	}
	b.WriteString(strings.Repeat("  ", n) + "x\n")
	return b.String()
}

func TestDecodeReplacesValue(t *testing.T) {
	p := testPolicy{Level: 9, Labels: map[string]string{"old": "x"}, Internal: "kept?"}
	if _, err := Decode([]byte(yBase), YAML, &p); err != nil {
		t.Fatal(err)
	}
	if p.Level != 0 || p.Labels != nil || p.Internal != "" {
		t.Errorf("Decode merged into the old value: %+v", p)
	}
	// A document that cannot be parsed leaves v alone.
	p = testPolicy{Level: 9}
	if doc, err := Decode([]byte("{"), JSON, &p); err == nil || doc != nil || p.Level != 9 {
		t.Errorf("after a syntax error: doc %v, err %v, value %+v", doc, err, p)
	}
}

func TestSniff(t *testing.T) {
	for in, want := range map[string]Format{
		"{}": JSON, " \n\t{\"a\":1}": JSON, "a: 1": YAML, "[1]": YAML, "": YAML, "# {": YAML, "\ufeff{}": YAML,
	} {
		var v any
		doc, err := Decode([]byte(in), Auto, &v)
		if got := sniff([]byte(in)); got != want {
			t.Errorf("sniff(%q) = %v, want %v", in, got, want)
		}
		if err == nil && doc.Format() != want {
			t.Errorf("Decode(%q).Format() = %v", in, doc.Format())
		}
	}
	if JSON.String() != "JSON" || YAML.String() != "YAML" || Auto.String() != "auto" || Format(7).String() != "Format(7)" {
		t.Error("Format.String")
	}
}

type embedded struct{ A string }

func TestInvalidTargets(t *testing.T) {
	type withChan struct {
		C chan int `json:"c"`
	}
	type withEmbedded struct {
		embedded
	}
	type withBytes struct {
		B []byte `json:"b"`
	}
	type withFloat32 struct {
		F float32 `json:"f"`
	}
	type withRaw struct {
		R json.RawMessage `json:"r"`
	}
	type badDocTag struct {
		A string `json:"a" doc:"requird"`
	}
	type stringOption struct {
		N int `json:"n,string"`
	}
	// Two fields with one JSON name, built at run time because go vet
	// rightly refuses such a struct literal.
	str := reflect.TypeOf("")
	sameName := reflect.New(reflect.StructOf([]reflect.StructField{
		{Name: "A", Type: str, Tag: `json:"x"`}, {Name: "B", Type: str, Tag: `json:"x"`}})).Interface()
	type withIntKeys struct {
		M map[int]string `json:"m"`
	}
	type withError struct {
		E error `json:"e"`
	}
	type deep struct {
		Inner struct {
			L []map[string]*withChan `json:"l"`
		} `json:"inner"`
	}
	badTypes := []any{&withChan{}, &withEmbedded{}, &withBytes{}, &withFloat32{},
		&withRaw{}, &badDocTag{}, &stringOption{}, sameName, &withIntKeys{}, &withError{}, &deep{}}
	for _, v := range append([]any{nil, testPolicy{}, (*testPolicy)(nil)}, badTypes...) {
		doc, err := Decode([]byte(`{}`), JSON, v)
		var ps Problems
		if !errors.Is(err, ErrInvalidTarget) || errors.As(err, &ps) || doc != nil {
			t.Errorf("Decode into %T: %v, want ErrInvalidTarget", v, err)
		}
	}
	for _, v := range append([]any{nil}, badTypes...) {
		if _, err := Schema(v, SchemaOptions{}); !errors.Is(err, ErrInvalidTarget) {
			t.Errorf("Schema of %T: %v, want ErrInvalidTarget", v, err)
		}
	}
	var v any
	if _, err := Decode([]byte(`{}`), Format(9), &v); !errors.Is(err, ErrInvalidTarget) {
		t.Errorf("unknown format: %v", err)
	}
}

// Types other than structs decode too, as the differential tests need.
func TestOtherTargets(t *testing.T) {
	var m map[string][]int
	if _, err := Decode([]byte("a: [1, 2]\nb: []\n"), YAML, &m); err != nil || len(m["a"]) != 2 || m["b"] == nil {
		t.Errorf("map: %v, %v", m, err)
	}
	var pp **testBuilder
	if _, err := Decode([]byte(`{"id": "x"}`), JSON, &pp); err != nil || (*pp).ID != "x" {
		t.Errorf("pointer to pointer: %v", err)
	}
	type level string
	type named struct {
		L     level            `json:"l"`
		M     map[level]uint64 `json:"m"`
		Big   uint64           `json:"big"`
		NoTag int
	}
	var n named
	_, err := Decode([]byte(`{"l": "x", "m": {"k": 18446744073709551615}, "big": 18446744073709551615, "NoTag": 1}`), JSON, &n)
	if err != nil || n.L != "x" || n.M["k"] != 1<<64-1 || n.Big != 1<<64-1 || n.NoTag != 1 {
		t.Errorf("named types: %+v, %v", n, err)
	}
	_, err = Decode([]byte(`{"noTag": 1}`), JSON, &n)
	checkProblems(t, err, []want{{"1:2", "/noTag", ErrUnknownField}})
}

// TestConcurrentDecode runs decodes of fresh and cached types in parallel
// (go test -race finds shared state).
func TestConcurrentDecode(t *testing.T) {
	type fresh struct {
		B []testBuilder `json:"b" doc:"required"`
	}
	done := make(chan error)
	for i := range 8 {
		go func() {
			var err error
			if i%2 == 0 {
				var p testPolicy
				_, err = Decode([]byte(validYAML), YAML, &p)
			} else {
				var f fresh
				_, err = Decode([]byte(`{"b": [{"id": "x"}]}`), JSON, &f)
				if err == nil {
					_, err = Schema(f, SchemaOptions{})
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, bc := range []struct {
		name   string
		format Format
		data   string
	}{{"JSON", JSON, validJSON}, {"YAML", YAML, validYAML}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.data)))
			b.ReportAllocs()
			for b.Loop() {
				var p testPolicy
				if _, err := Decode([]byte(bc.data), bc.format, &p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
