package docdecode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// referenceJSON decodes data the way encoding/json does (UseNumber, one
// value, nothing after it).
func referenceJSON(data []byte) (any, error) {
	if !json.Valid(data) {
		return nil, errors.New("encoding/json: invalid")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// referenceYAML decodes data the way gopkg.in/yaml.v3 does.
func referenceYAML(data []byte) (any, error) {
	var v any
	err := yaml.Unmarshal(data, &v)
	return v, err
}

// sameJSON compares our value with encoding/json's.
func sameJSON(t *testing.T, data []byte) {
	t.Helper()
	var got any
	_, err := Decode(data, JSON, &got)
	want, refErr := referenceJSON(data)
	switch {
	case err != nil && refErr == nil:
		t.Errorf("%q: we reject what encoding/json accepts: %v", data, err)
	case err == nil && refErr != nil:
		t.Errorf("%q: we accept what encoding/json rejects: %v", data, refErr)
	case err == nil && !reflect.DeepEqual(got, want):
		t.Errorf("%q: got %#v, encoding/json %#v", data, got, want)
	case err != nil && !errors.Is(err, ErrSyntax):
		t.Errorf("%q: rejected with %v, want ErrSyntax", data, err)
	}
}

// sameYAML compares our value with yaml.v3's.
func sameYAML(t *testing.T, data []byte) {
	t.Helper()
	var got any
	_, err := Decode(data, YAML, &got)
	want, refErr := referenceYAML(data)
	switch {
	case err != nil && refErr == nil:
		t.Errorf("%q: we reject what yaml.v3 accepts: %v", data, err)
	case err == nil && refErr != nil:
		t.Errorf("%q: we accept what yaml.v3 rejects: %v", data, refErr)
	case err == nil:
		if msg := compareYAML(got, want); msg != "" {
			t.Errorf("%q: %s\nours   %#v\nyaml.v3 %#v", data, msg, got, want)
		}
	}
}

// compareYAML compares our value (the JSON data model, json.Number for
// numbers) with yaml.v3's (int, int64, uint64, float64, time.Time for
// plain timestamps); it returns "" when they agree.
func compareYAML(ours, theirs any) string {
	switch t := theirs.(type) {
	case int, int64, uint64:
		n, ok := ours.(json.Number)
		want := fmt.Sprint(t)
		if !ok || !sameInteger(string(n), want) {
			return fmt.Sprintf("integer %v vs %#v", t, ours)
		}
	case float64:
		n, ok := ours.(json.Number)
		if !ok {
			return fmt.Sprintf("float %v vs %#v", t, ours)
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil || f != t {
			return fmt.Sprintf("float %v vs %s", t, n)
		}
	case time.Time:
		// yaml.v3 reads plain timestamps as time.Time into any; we keep
		// the text (YAML 1.2 has no timestamps).
		s, ok := ours.(string)
		if !ok || !sameTime(s, t) {
			return fmt.Sprintf("time %v vs %#v", t, ours)
		}
	case map[string]any:
		m, ok := ours.(map[string]any)
		if !ok || len(m) != len(t) {
			return fmt.Sprintf("map %v vs %#v", t, ours)
		}
		for k, v := range t {
			ov, ok := m[k]
			if !ok {
				return fmt.Sprintf("key %q missing", k)
			}
			if msg := compareYAML(ov, v); msg != "" {
				return k + ": " + msg
			}
		}
	case []any:
		s, ok := ours.([]any)
		if !ok || len(s) != len(t) {
			return fmt.Sprintf("slice %v vs %#v", t, ours)
		}
		for i := range t {
			if msg := compareYAML(s[i], t[i]); msg != "" {
				return fmt.Sprintf("%d: %s", i, msg)
			}
		}
	default:
		if !reflect.DeepEqual(ours, theirs) {
			return fmt.Sprintf("%#v vs %#v", theirs, ours)
		}
	}
	return ""
}

func sameInteger(a, b string) bool {
	x, ok1 := new(big.Int).SetString(a, 10)
	y, ok2 := new(big.Int).SetString(b, 10)
	return ok1 && ok2 && x.Cmp(y) == 0
}

func sameTime(s string, t time.Time) bool {
	for _, layout := range []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"} {
		if u, err := time.Parse(layout, s); err == nil {
			return u.Equal(t)
		}
	}
	return false
}

// jsonInputs are documents on which we must agree with encoding/json.
var jsonInputs = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e-3`, `-1E+2`, `"x"`,
	`{"a":1}`, ` {"a" : [1, 2.0, -3e4, "s", true, false, null, {}, []]} `,
	`{"big":123456789012345678901234567890,"small":1e-400,"huge":1e400}`,
	`{"esc":"\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00\u0000"}`,
	`{"utf8":"é€😀","ls":"\u2028 \u2029"}`, "{\"raw\":\"\u2028\x7f\"}",
	`{"a":{"b":{"c":[[[]]]}}}`, `{"":""}`, `{"a/b~c":1}`, "\t\n\r {}\r\n",
	`{"a":1,}`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{a:1}`, `{'a':1}`, `[01]`, `[1.]`, `[.5]`, `[+1]`,
	`[1e]`, `[-]`, `[0x10]`, `[NaN]`, `[Infinity]`, `[tru]`, `[nul]`, `[True]`, `{"a":1}}`, `{"a":1} x`,
	`"\x"`, `"\u12"`, `"\u12G4"`, "\"a\x01\"", "\"a\n\"", `"unterminated`, `{"a":1`, `[`, ``, ` `,
	"\ufeff{}", `{"a":1}/**/`, `// c` + "\n{}", `[1 2]`, `{"a":1 "b":2}`, `{"a"::1}`,
}

func TestDifferentialJSON(t *testing.T) {
	for _, in := range jsonInputs {
		sameJSON(t, []byte(in))
	}
}

// TestStricterThanEncodingJSON lists what encoding/json accepts and we
// reject on purpose.
func TestStricterThanEncodingJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{`{"a":1,"a":2}`, ErrDuplicateKey},
		{`{"a":1,"\u0061":2}`, ErrDuplicateKey},
		{`[{"x":{"a":1,"b":2,"a":3}}]`, ErrDuplicateKey},
		{"\"\xff\"", ErrEncoding},
		{"{\"a\xc3\":1}", ErrEncoding},
		{"\"\xed\xa0\x80\"", ErrEncoding}, // a surrogate encoded as UTF-8
		{`"\ud800"`, ErrEncoding},
		{`"\udfff"`, ErrEncoding},
		{`"\ud800\ud800"`, ErrEncoding},
		{`{"\udc00":1}`, ErrEncoding},
		{strings.Repeat("[", 65) + strings.Repeat("]", 65), ErrTooLarge},
	} {
		if _, err := referenceJSON([]byte(tc.in)); err != nil {
			t.Errorf("%q: encoding/json rejects it too (%v): move it to jsonInputs", tc.in, err)
		}
		var v any
		if _, err := Decode([]byte(tc.in), JSON, &v); !errors.Is(err, tc.want) {
			t.Errorf("%q: got %v, want %v", tc.in, err, tc.want)
		}
	}
}

// yamlInputs are documents on which we must agree with gopkg.in/yaml.v3.
var yamlInputs = []string{
	"a: 1\n", "a: b\nc: [1, 2, {d: e}]\n", "- a\n- b\n", "x\n", "'x'\n", "~\n", "null\n", "true\n",
	"a: 1.5\nb: -2\nc: 0x1F\nd: 1.0e+3\ne: .5\nf: -.5e-2\ng: 1.\nh: +7\ni: 0\nj: -0\n",
	"a: 12345678901234567890123\nb: 9223372036854775808\nc: 18446744073709551615\nd: -9223372036854775808\n",
	"a: yes\nb: no\nc: on\nd: off\ne: y\nf: True\ng: FALSE\nh: Null\ni: NULL\n",
	"a: 2001-12-14\nb: 2001-12-14T21:59:43.10Z\nc: 2001-12-14 21:59:43.10\nd: '2001-12-14'\n",
	"a: |\n  line 1\n  line 2\nb: >\n  folded\n  text\nc: |-\n  kept\n",
	"a: \"\\u00e9\\t\\x41\\U0001F600\"\nb: 'it''s'\n",
	"{a: 1, b: [x, y], c: {d: e}}\n", "[1, [2, [3]]]\n", "a:\n  - b:\n      c: d\n",
	"# comment\na: 1 # trailing\n", "---\na: 1\n...\n", "\ufeffa: 1\n", "a: 1\r\nb: 2\r\n",
	"a: !!str 1\nb: !!int \"2\"\nc: !!float 3\nd: !!bool true\ne: !!null ~\nf: !!map {}\ng: !!seq []\n",
	"'<<': 1\nd: <<\n", "a: :x\nb: -x\nc: ?x\n", "a: b: c\n", "a: [1\n", "a:\n  b\n c\n", "\ta: 1\n",
	"a: 'x\n", "a: \"\\q\"\n", "- a\nb: c\n", "a: 1\na: 2\n", "a: !!int x\n", "a: *x\n",
	"key with spaces: value with spaces\n", "\"quoted key\": 1\n", "a: 'multi\n  line'\n",
	"a: 1_000\n", "a: 0o17\n", "a: 0777\n", "a: .inf\n",
}

func TestDifferentialYAML(t *testing.T) {
	for _, in := range yamlInputs {
		var v any
		_, err := Decode([]byte(in), YAML, &v)
		if errors.Is(err, ErrUnsupported) || errors.Is(err, ErrDuplicateKey) {
			continue // TestStricterThanYAML covers these
		}
		sameYAML(t, []byte(in))
	}
}

// TestStricterThanYAML lists what yaml.v3 accepts into any and we reject
// on purpose.
func TestStricterThanYAML(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"a: &x 1\n", ErrUnsupported},
		{"a: &x 1\nb: *x\n", ErrUnsupported},
		{"a: &x {b: 1}\nc:\n  <<: *x\n", ErrUnsupported},
		{"a: !!binary aGVsbG8=\n", ErrUnsupported},
		{"a: !foo x\n", ErrUnsupported},
		{"a: !!timestamp 2001-12-14\n", ErrUnsupported},
		{"a: ! 12\n", ErrUnsupported},
		{"a: 1\n---\nb: 2\n", ErrUnsupported},
		{"a: 0777\n", ErrUnsupported},
		{"a: 0o17\n", ErrUnsupported},
		{"a: 0b101\n", ErrUnsupported},
		{"a: 1_000\n", ErrUnsupported},
		{"a: -0x1F\n", ErrUnsupported},
		{"a: 1e3\n", ErrUnsupported},
		{"a: 1.0e3\n", ErrUnsupported},
		{"a: .inf\n", ErrUnsupported},
		{"a: -.inf\n", ErrUnsupported},
		{"a: .nan\n", ErrUnsupported},
		{"1: a\n", ErrType},
		{"true: a\n", ErrType},
		{"~: a\n", ErrType},
		{"2024-01-01: a\n", ErrType},                  // a time.Time key to yaml.v3
		{"\xff\xfea\x00:\x00 \x001\x00", ErrEncoding}, // UTF-16
		{"", ErrSyntax},
		{"# only a comment\n", ErrSyntax},
		{"---\n", ErrSyntax},
		{strings.Repeat("[", 65) + strings.Repeat("]", 65), ErrTooLarge},
	} {
		if _, err := referenceYAML([]byte(tc.in)); err != nil {
			t.Errorf("%q: yaml.v3 rejects it too (%v)", tc.in, err)
		}
		var v any
		if _, err := Decode([]byte(tc.in), YAML, &v); !errors.Is(err, tc.want) {
			t.Errorf("%q: got %v, want %v", tc.in, err, tc.want)
		}
	}
}

// TestJSONAsYAML decodes JSON documents with the YAML decoder: JSON is YAML
// 1.2, and both must give the same value where yaml.v3 reads it at all.
func TestJSONAsYAML(t *testing.T) {
	for _, in := range jsonInputs {
		var fromJSON, fromYAML any
		if _, err := Decode([]byte(in), JSON, &fromJSON); err != nil {
			continue
		}
		if _, err := Decode([]byte(in), YAML, &fromYAML); err != nil {
			if errors.Is(err, ErrUnsupported) || errors.Is(err, ErrSyntax) {
				// Where YAML is not a superset in practice: libyaml lacks
				// the escape \/ and rejects a raw DEL or a leading tab, and
				// YAML 1.1 readers take 1e3 for a string.
				continue
			}
			t.Errorf("%q: YAML decoder: %v", in, err)
			continue
		}
		if !sameJSONValue(fromJSON, fromYAML) {
			t.Errorf("%q: JSON %#v, YAML %#v", in, fromJSON, fromYAML)
		}
	}
}

// sameJSONValue compares two values of the JSON data model, numbers by
// value rather than by spelling.
func sameJSONValue(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if sameInteger(string(x), string(y)) {
			return true
		}
		fx, err1 := strconv.ParseFloat(string(x), 64)
		fy, err2 := strconv.ParseFloat(string(y), 64)
		return err1 == nil && err2 == nil && fx == fy
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !sameJSONValue(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSONValue(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
