package strictjson

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// readDoc walks {"a": string, "list": [string], "m": {string: string}, "raw": any}.
func readDoc(in string, opts Options) (map[string]any, error) {
	r, err := NewReader([]byte(in), opts)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	err = r.Object([]string{"a", "list", "m", "raw"}, func(key string) error {
		switch key {
		case "a":
			s, err := r.String()
			out[key] = s
			return err
		case "list":
			var l []string
			err := r.Array(func() error {
				s, err := r.String()
				l = append(l, s)
				return err
			})
			out[key] = l
			return err
		case "m":
			m := map[string]string{}
			err := r.Object(nil, func(k string) error {
				s, err := r.String()
				m[k] = s
				return err
			})
			out[key] = m
			return err
		default:
			raw, err := r.Raw()
			out[key] = string(raw)
			return err
		}
	})
	if err != nil {
		return nil, err
	}
	return out, r.Close()
}

func TestReader(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opts    Options
		wantErr error
	}{
		{"valid", `{"a":"x\u00e9","list":["1","2"],"m":{"K":"v","k":"w"},"raw":{"n":[1,true,null]},"other":{"x":1}}`, Options{}, nil},
		{"nulls", `{"a":null,"list":null,"m":null,"raw":null}`, Options{}, nil},
		{"empty containers", `{"list":[],"m":{}}`, Options{}, nil},
		{"unknown rejected", `{"other":1}`, Options{DisallowUnknownFields: true}, ErrUnknownField},
		{"case-folded alone is unknown", `{"A":"x"}`, Options{}, nil},
		{"case-folded beside field", `{"A":"x","a":"y"}`, Options{}, ErrCaseMismatch},
		{"case-folded in closed format", `{"A":"x"}`, Options{DisallowUnknownFields: true}, ErrCaseMismatch},
		{"case-folded kelvin", `{"\u212a":"x","m":{}}`, Options{}, nil}, // "K" folds to "k", no field "k"
		{"duplicate", `{"a":"x","a":"y"}`, Options{}, ErrDuplicateKey},
		{"duplicate in map", `{"m":{"k":"1","k":"2"}}`, Options{}, ErrDuplicateKey},
		{"duplicate after many keys", `{"m":{` + manyKeys(20) + `,"kc":"x"}}`, Options{}, ErrDuplicateKey},
		{"duplicate in skipped value", `{"other":{"z":1,"z":2}}`, Options{}, ErrDuplicateKey},
		{"escaped duplicate in skipped value", `{"other":{"z":1,"\u007a":2}}`, Options{}, ErrDuplicateKey},
		{"escaped duplicate after many keys in skipped value", `{"other":{` + manyKeys(20) + `,"\u006bc":"x"}}`, Options{}, ErrDuplicateKey},
		{"duplicate after many keys in skipped value", `{"other":{` + manyKeys(20) + `,"kt":"x","kt":"y"}}`, Options{}, ErrDuplicateKey},
		{"many distinct keys in skipped value", `{"other":{` + manyKeys(20) + `,"":1,"kz":"x"}}`, Options{}, nil},
		{"wrong type string", `{"a":1}`, Options{}, ErrWrongType},
		{"wrong type array", `{"list":"x"}`, Options{}, ErrWrongType},
		{"wrong type object", `{"m":[]}`, Options{}, ErrWrongType},
		{"top-level not object", `[1]`, Options{}, ErrWrongType},
		{"trailing", `{"a":"x"} 1`, Options{}, ErrTrailingData},
		{"unterminated", `{"a":"x"`, Options{}, ErrSyntax},
		{"missing colon", `{"a" "x"}`, Options{}, ErrSyntax},
		{"bad separator", `{"list":["1" "2"]}`, Options{}, ErrSyntax},
		{"invalid utf8", "{\"a\":\"\xc3\"}", Options{}, ErrInvalidUTF8},
		{"surrogate", `{"a":"\udfff"}`, Options{}, ErrBadSurrogate},
		{"too deep", `{"raw":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`, Options{}, ErrTooDeep},
		{"too deep via objects", `{"m":{}}`, Options{MaxDepth: 1}, ErrTooDeep},
		{"too large", `{"a":"` + strings.Repeat("x", 64) + `"}`, Options{MaxBytes: 32}, limits.ErrTooLarge},
		{"empty", ` `, Options{}, ErrEmptyDocument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readDoc(tc.in, tc.opts)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
	got, err := readDoc(`{"a":"x\u00e9","list":["1","2"],"m":{"K":"v"},"raw": {"n" : 1} }`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got["a"] != "xé" || len(got["list"].([]string)) != 2 || got["m"].(map[string]string)["K"] != "v" || got["raw"] != `{"n" : 1}` {
		t.Errorf("decoded %v", got)
	}
}

// Values from a Reader never alias the input buffer.
func TestReaderDoesNotAlias(t *testing.T) {
	data := []byte(`{"raw":{"n":1},"a":"abc"}`)
	got, err := readDoc(string(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := NewReader(data, Options{})
	var raw []byte
	_ = r.Object([]string{"raw", "a"}, func(key string) error {
		if key == "raw" {
			raw, err = r.Raw()
			return err
		}
		return r.Skip()
	})
	for i := range data {
		data[i] = 'X'
	}
	if string(raw) != `{"n":1}` || got["a"] != "abc" {
		t.Fatalf("values alias the input: %q %v", raw, got)
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + string(rune('a'+i)) + `":"v"`)
	}
	return b.String()
}

// StringBytes on a malformed string fails; it used to slice a nil result.
func TestStringBytesMalformed(t *testing.T) {
	for _, in := range []string{`"abc`, `"\x01"`, `"\u12"`, `"\ud800"`} {
		r, err := NewReader([]byte(in), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.StringBytes(); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
	r, _ := NewReader([]byte(`"a\"b"`), Options{})
	if b, err := r.StringBytes(); err != nil || string(b) != `a"b` {
		t.Errorf("escaped string: %q %v", b, err)
	}
}

// BenchmarkStringBytes reads a 12 KiB base64 string, the shape of a DSSE
// payload or inline evidence: the string scanner's fast path.
func BenchmarkStringBytes(b *testing.B) {
	doc := []byte(`{"payload":"` + strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkrLw==", 256) + `"}`)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		r, err := NewReader(doc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Object([]string{"payload"}, func(string) error { _, err := r.StringBytes(); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

// Objects with more fields than the 64 tracked by index fall back to
// tracking keys by name: duplicates and case-folded twins are caught on
// both sides of the boundary.
func TestObjectManyFields(t *testing.T) {
	var fields []string
	for i := range 70 {
		fields = append(fields, fmt.Sprintf("f%d", i))
	}
	for _, c := range []struct {
		doc  string
		want error
	}{
		{`{"f0":1,"f63":1,"f64":1,"f69":1}`, nil},
		{`{"f0":1,"f0":2}`, ErrDuplicateKey},
		{`{"f63":1,"\u0066\u0036\u0033":2}`, ErrDuplicateKey},
		{`{"f65":1,"f1":1,"f65":2}`, ErrDuplicateKey},
		{`{"f66":1,"F66":2}`, ErrCaseMismatch},
		{`{"F2":1,"f2":2}`, ErrCaseMismatch},
		{`{"F66":1}`, nil},
	} {
		r, err := NewReader([]byte(c.doc), Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = r.Object(fields, func(string) error { return r.Skip() })
		if c.want == nil && err != nil || !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.doc, err, c.want)
		}
	}
}
