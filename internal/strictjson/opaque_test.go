package strictjson

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// slowValue walks data with value(nil) member by member, as before the fast
// path existed, and returns its error and where it stopped.
func slowValue(data []byte, depth int) (int, error) {
	r, err := NewReader(data, Options{})
	if err != nil {
		return 0, err
	}
	r.depth, r.slow = depth, true
	err = r.value(nil)
	return r.s.pos, err
}

// fastValue runs the fast path alone.
func fastValue(data []byte, depth int) (int, bool) {
	r, err := NewReader(data, Options{})
	if err != nil {
		return 0, false
	}
	r.depth = depth
	ok := r.opaque()
	return r.s.pos, ok
}

// checkOpaque fails when the fast path accepts what the slow path rejects,
// or stops elsewhere; and checks that value(nil), which tries the fast path
// first, gives the slow path's exact result either way.
func checkOpaque(t *testing.T, data []byte, depth int) (fast bool) {
	t.Helper()
	slowPos, slowErr := slowValue(data, depth)
	fastPos, ok := fastValue(data, depth)
	if ok && (slowErr != nil || fastPos != slowPos) {
		t.Fatalf("%.80q: fast path accepted up to %d, slow path: %d, %v", data, fastPos, slowPos, slowErr)
	}
	r, err := NewReader(data, Options{})
	if err == nil {
		r.depth = depth
		err = r.value(nil)
		if fmt.Sprint(err) != fmt.Sprint(slowErr) || err == nil && r.s.pos != slowPos {
			t.Fatalf("%.80q: value(nil) = %d, %v; slow path = %d, %v", data, r.s.pos, err, slowPos, slowErr)
		}
	}
	return ok
}

func TestOpaqueMatchesSlowPath(t *testing.T) {
	manyKeys := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"k%d":%d`, i, i)
		}
		return b.String() + "}"
	}
	for _, tc := range []struct {
		doc  string
		fast bool // the fast path decides alone
	}{
		{`{"a":1,"b":[true,false,null,"x",-1.5e3],"c":{"d":{}},"e":[]}`, true},
		{` [ 1 , { "a" : "b" } , [ ] ] `, true},
		{`"caf\u00e9 \ud83d\ude00"`, true},
		{`0`, true},
		{`null`, true},
		{`truex`, true}, // one value, what follows is the caller's
		{manyKeys(maxOpaqueKeys), true},
		{`{"a":{"x":1},"b":{"x":1}}`, true}, // same key in sibling objects
		{manyKeys(maxOpaqueKeys + 1), false},
		{`{"a":1,"a":2}`, false},
		{`{"a":{"b":1,"b":2}}`, false},
		{`{"a":1,"\u0061":2}`, false},
		{`{"\u0061":1}`, false},
		{`{"a":1,}`, false},
		{`[1,]`, false},
		{`{"a" 1}`, false},
		{`{"a":1 "b":2}`, false},
		{`[1 2]`, false},
		{`{"a":1]`, false},
		{`[1}`, false},
		{`{1:2}`, false},
		{`"\ud800"`, false},
		{"\"\xff\"", false},
		{"\"a\x01\"", false},
		{`01`, true}, // the number is 0; what follows is the caller's
		{`-`, false},
		{`1.`, false},
		{`1e`, false},
		{`tru`, false},
		{`nul`, false},
		{`{`, false},
		{`[`, false},
		{`{"a":`, false},
		{`x`, false},
		{strings.Repeat("[", 64) + strings.Repeat("]", 64), true},
		{strings.Repeat("[", 65) + strings.Repeat("]", 65), false},
		{strings.Repeat(`{"a":`, 64) + "1" + strings.Repeat("}", 64), true},
		{strings.Repeat(`{"a":`, 65) + "1" + strings.Repeat("}", 65), false},
	} {
		if got := checkOpaque(t, []byte(tc.doc), 0); got != tc.fast {
			t.Errorf("%.60q: fast path decided alone: %v, want %v", tc.doc, got, tc.fast)
		}
	}
	// Inside other containers the depth left is smaller.
	deep := []byte(strings.Repeat("[", 10) + strings.Repeat("]", 10))
	if !checkOpaque(t, deep, 54) || checkOpaque(t, deep, 55) {
		t.Error("the fast path does not count the depth of the enclosing containers")
	}
}

// TestOpaqueErrorsUnchanged: documents the fast path gives up on keep the
// slow path's errors, including where they are.
func TestOpaqueErrorsUnchanged(t *testing.T) {
	for doc, want := range map[string]error{
		`{"p":{"a":1,"a":2}}`:      ErrDuplicateKey,
		`{"p":{"a":1,"\u0061":2}}`: ErrDuplicateKey,
		`{"p":[1,{"x":"\ud800"}]}`: ErrBadSurrogate,
		`{"p":` + "\"\xc3\"" + `}`: ErrInvalidUTF8,
		`{"p":{"a":1 "b":2}}`:      ErrSyntax,
		`{"p":` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`: ErrTooDeep,
	} {
		var v struct {
			P any `json:"p"`
		}
		err := Unmarshal([]byte(doc), &v, Options{})
		if !errors.Is(err, want) {
			t.Errorf("%.40q: %v, want %v", doc, err, want)
		}
	}
}

// TestOpaqueTakesTypicalDocuments keeps the fast path useful: the
// predicates and annotations in the test data are decided without the
// slow path.
func TestOpaqueTakesTypicalDocuments(t *testing.T) {
	doc := []byte(`{"buildDefinition":{"buildType":"https://example.com/t/v1","externalParameters":{"repository":"https://github.com/o/r","ref":"refs/tags/v1","inputs":{"a":"b","n":[1,2,3]}},"resolvedDependencies":[{"uri":"git+https://github.com/o/r@refs/tags/v1","digest":{"gitCommit":"0123456789abcdef0123456789abcdef01234567"}}]},"runDetails":{"builder":{"id":"https://example.com/b"},"metadata":{"invocationId":"1","startedOn":"2026-01-01T00:00:00Z"}}}`)
	if !checkOpaque(t, doc, 1) {
		t.Fatal("a provenance predicate took the slow path")
	}
}

func FuzzOpaque(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":null}],"c":"\u00e9"}`, `{"a":1,"a":2}`, `[1,]`, `{"\u0061":1,"a":2}`, `-0.5e+3`} {
		f.Add([]byte(s), 0)
	}
	f.Fuzz(func(t *testing.T, data []byte, depth int) {
		if depth < 0 || depth > 64 {
			return
		}
		checkOpaque(t, data, depth)
	})
}

// decodeStrictB64 stands for a decoder that accepts only the base64
// alphabets (encoding/base64's strict decoder, with line breaks refused as
// the descriptor package refuses them).
func decodeStrictB64(b []byte) ([]byte, error) {
	if bytes.ContainsAny(b, "\r\n") {
		return nil, errors.New("line break")
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Strict().Decode(out, b)
	return out[:n], err
}

// TestStringDecodedMatchesStringBytes: the quick read gives what StringBytes
// and the decoder give, error for error, and leaves the reader at the same
// place.
func TestStringDecodedMatchesStringBytes(t *testing.T) {
	docs := []string{`"QUJD"`, `"QUJDRA=="`, `""`, `null`, `"QUJ\u0044"`, `"QUJD\nRA=="`, `"QUJD\\"`, `"QU"JD"`,
		"\"QUJD\nRA==\"", "\"QUJ\xff\"", `"QUJD`, `"QUJD" , "x"`, `"not base64!"`, `12`, `"\"QUJD"`}
	for _, doc := range docs {
		want := func() ([]byte, int, error) {
			r, err := NewReader([]byte(doc), Options{})
			if err != nil {
				return nil, 0, err
			}
			text, err := r.StringBytes()
			if err != nil || len(text) == 0 {
				return nil, r.s.pos, err
			}
			out, err := decodeStrictB64(text)
			return out, r.s.pos, err
		}
		r, err := NewReader([]byte(doc), Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, gotErr := r.StringDecoded(decodeStrictB64)
		wantOut, wantPos, wantErr := want()
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !bytes.Equal(got, wantOut) || gotErr == nil && r.s.pos != wantPos {
			t.Errorf("%q: got %q, %v at %d; want %q, %v at %d", doc, got, gotErr, r.s.pos, wantOut, wantErr, wantPos)
		}
	}
}
