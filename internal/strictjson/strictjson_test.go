package strictjson

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust/internal/limits"
)

type inner struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

type doc struct {
	Type    string            `json:"_type"`
	Items   []inner           `json:"items"`
	ByKey   map[string]inner  `json:"byKey"`
	Ptr     *inner            `json:"ptr"`
	Raw     json.RawMessage   `json:"raw"`
	Any     any               `json:"any"`
	Skipped string            `json:"-"`
	NoTag   string            // JSON name "NoTag"
	Extra   map[string]string `json:"extra,omitempty"`
	embedded
}

type embedded struct {
	Promoted string `json:"promoted"`
}

func TestUnmarshal(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opts    Options
		wantErr error
	}{
		{"valid", `{"_type":"t","items":[{"name":"a"}],"byKey":{"K":{"name":"b"}},"ptr":{"name":"c"},"raw":{"Name":1},"any":{"X":1},"NoTag":"x","promoted":"p"}`, Options{}, nil},
		{"unknown ignored", `{"_type":"t","other":1}`, Options{}, nil},
		{"unknown rejected", `{"_type":"t","other":1}`, Options{DisallowUnknownFields: true}, ErrUnknownField},
		{"unknown nested rejected", `{"items":[{"name":"a","x":1}]}`, Options{DisallowUnknownFields: true}, ErrUnknownField},
		{"duplicate top", `{"_type":"a","_type":"b"}`, Options{}, ErrDuplicateKey},
		{"duplicate via escape", `{"_type":"a","\u005ftype":"b"}`, Options{}, ErrDuplicateKey},
		{"duplicate inside raw", `{"raw":{"a":1,"a":2}}`, Options{}, ErrDuplicateKey},
		{"duplicate in map", `{"byKey":{"k":{},"k":{}}}`, Options{}, ErrDuplicateKey},
		// A key matching a field only by case is an unknown field: ignored
		// alone (TestCaseFoldedKeysAreNotFolded shows the field stays
		// empty), rejected next to the field it imitates or when unknown
		// fields are.
		{"case-folded field alone", `{"_TYPE":"a"}`, Options{}, nil},
		{"case-folded field, closed format", `{"_TYPE":"a"}`, Options{DisallowUnknownFields: true}, ErrCaseMismatch},
		{"case-folded beside field", `{"_TYPE":"a","_type":"b"}`, Options{}, ErrCaseMismatch},
		{"field beside case-folded", `{"_type":"b","_TYPE":"a"}`, Options{}, ErrCaseMismatch},
		{"case-folded nested beside field", `{"items":[{"Name":"a","name":"b"}]}`, Options{}, ErrCaseMismatch},
		{"case-folded promoted beside field", `{"promoted":"x","Promoted":"a"}`, Options{}, ErrCaseMismatch},
		// encoding/json folds the Kelvin sign (U+212A) to "k" and long s
		// (U+017F) to "s".
		{"kelvin sign folds to k", `{"ptr":{"\u212aey":"x","key":"y"}}`, Options{}, ErrCaseMismatch},
		{"long s folds to s", `{"item\u017f":[],"items":[]}`, Options{}, ErrCaseMismatch},
		{"map keys may differ in case", `{"byKey":{"a":{},"A":{}}}`, Options{}, nil},
		{"any keys may differ in case", `{"any":{"a":1,"A":2}}`, Options{}, nil},
		{"invalid utf8", "{\"_type\":\"\xff\"}", Options{}, ErrInvalidUTF8},
		{"lone high surrogate", `{"_type":"\ud800"}`, Options{}, ErrBadSurrogate},
		{"lone low surrogate", `{"_type":"\udc00x"}`, Options{}, ErrBadSurrogate},
		{"surrogate pair ok", `{"_type":"\ud83d\ude00"}`, Options{}, nil},
		{"too deep", `{"any":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`, Options{}, ErrTooDeep},
		{"depth option", `{"any":[[[1]]]}`, Options{MaxDepth: 3}, ErrTooDeep},
		{"too large", `{"_type":"` + strings.Repeat("a", 100) + `"}`, Options{MaxBytes: 50}, limits.ErrTooLarge},
		{"trailing data", `{} {}`, Options{}, ErrTrailingData},
		{"empty", `  `, Options{}, ErrEmptyDocument},
		{"bad number", `{"any":01}`, Options{}, ErrSyntax},
		{"bad literal", `{"any":tru}`, Options{}, ErrSyntax},
		{"control char", "{\"_type\":\"a\tb\"}", Options{}, ErrSyntax},
		{"wrong type", `{"_type":1}`, Options{}, ErrWrongType},
		{"unterminated", `{"_type":"a"`, Options{}, ErrSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			err := Unmarshal([]byte(tc.in), &d, tc.opts)
			if tc.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// A lone case-folded key must not reach the field: encoding/json would put
// "evil" into Type, while a case-sensitive parser sees no _type at all.
func TestCaseFoldedKeysAreNotFolded(t *testing.T) {
	for _, in := range []string{
		`{"_TYPE":"evil"}`,
		`{"_TYPE":"evil","items":[{"KEY":"evil","name":"ok"}]}`,
		`{ "a" : 1 , "_TYPE" : "evil" }`,
		`{"_TYPE":"evil","Promoted":"evil","NoTAG":"evil"}`,
		`{"items":[{"\u212aEY":"evil"}],"ptr":{"NAME":{"deep":["x"]}}}`,
	} {
		var d doc
		if err := Unmarshal([]byte(in), &d, Options{}); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if d.Type != "" || d.Promoted != "" || d.NoTag != "" || (d.Ptr != nil && d.Ptr.Name != "") || (len(d.Items) > 0 && d.Items[0].Key != "") {
			t.Errorf("%s: case-folded key reached a field: %+v", in, d)
		}
		if strings.Contains(in, `"ok"`) && d.Items[0].Name != "ok" {
			t.Errorf("%s: real field lost: %+v", in, d)
		}
	}
}

func TestUnmarshalKeepsNumbersExact(t *testing.T) {
	var v any
	if err := Unmarshal([]byte(`{"n":9007199254740993}`), &v, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := v.(map[string]any)["n"].(json.Number).String(); got != "9007199254740993" {
		t.Errorf("number = %s", got)
	}
	if err := Unmarshal([]byte(`{}`), nil, Options{}); err == nil {
		t.Error("nil target accepted")
	}
}

// FuzzUnmarshal checks the strict decoder against encoding/json: whatever we
// accept, encoding/json accepts and decodes to the same value; a document
// whose keys are all distinct, UTF-8 valid and shallow is accepted by both.
func FuzzUnmarshal(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var strict any
		err := Unmarshal(data, &strict, Options{})
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("strict accepted invalid JSON %q", data)
		}
		var loose any
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		if err := dec.Decode(&loose); err != nil {
			t.Fatalf("encoding/json rejects what strict accepted: %v", err)
		}
		if !reflect.DeepEqual(strict, loose) {
			t.Fatalf("decoders disagree on %q", data)
		}
		var d doc
		_ = Unmarshal(data, &d, Options{DisallowUnknownFields: true})
	})
}

// TestSpecialBytes checks the eight-byte fast path against the byte-by-byte
// rule: every byte value in every position, among plain neighbours and
// among other special bytes (the SWAR tests must not borrow across bytes
// into a false "plain").
func TestSpecialBytes(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	check := func(b [8]byte) {
		t.Helper()
		want := true
		for _, c := range b {
			want = want && plain(c)
		}
		if got := specialBytes(binary.LittleEndian.Uint64(b[:])) == 0; got != want {
			t.Fatalf("specialBytes(%q) == 0 is %v, want %v", b[:], got, want)
		}
	}
	for _, fill := range []byte{'A', ' ', 0x7f, 0x21, 0x5d} {
		for pos := range 8 {
			for c := range 256 {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				check(b)
				b[(pos+3)%8] = 0x1f
				check(b)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b [8]byte // mostly printable ASCII, so both outcomes occur often
		for i := range b {
			if b[i] = byte(0x20 + rng.IntN(0x60)); rng.IntN(16) == 0 {
				b[i] = byte(rng.IntN(256))
			}
		}
		check(b)
	}
}
