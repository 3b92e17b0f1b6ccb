package docdecode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// Seeds beyond testdata/fuzz: the documents of the table tests.
func addSeeds(f *testing.F, format Format) {
	for _, r := range rules {
		if r.format == format {
			f.Add([]byte(r.data))
		}
	}
	if format == JSON {
		f.Add([]byte(validJSON))
		for _, s := range jsonInputs {
			f.Add([]byte(s))
		}
	} else {
		f.Add([]byte(validYAML))
		for _, s := range yamlInputs {
			f.Add([]byte(s))
		}
	}
}

// FuzzDecodeJSON checks that no input panics, that every problem is well
// formed, and that we agree with encoding/json: what we accept it accepts
// with the same value, and what it accepts we reject only for a reason we
// chose (duplicate keys, bad encoding, limits). An accepted value survives
// a round trip through json.Marshal.
func FuzzDecodeJSON(f *testing.F) {
	addSeeds(f, JSON)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkProblemsWellFormed(t, data, JSON)
		var got any
		_, err := Decode(data, JSON, &got)
		want, refErr := referenceJSON(data)
		switch {
		case err == nil && refErr != nil:
			t.Fatalf("accepted what encoding/json rejects (%v)", refErr)
		case err == nil:
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("value %#v, encoding/json %#v", got, want)
			}
			roundTrip(t, got)
		case refErr == nil:
			onlyBecause(t, err, ErrDuplicateKey, ErrEncoding, ErrTooLarge)
		default:
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrEncoding) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("invalid JSON rejected without a syntax problem: %v", err)
			}
		}
	})
}

// FuzzDecodeYAML is FuzzDecodeJSON for YAML, against gopkg.in/yaml.v3
// reading the whole stream; it also checks that the positions the cursor
// computes point where yaml.v3 says each scalar is.
func FuzzDecodeYAML(f *testing.F) {
	addSeeds(f, YAML)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkProblemsWellFormed(t, data, YAML)
		checkCursor(t, data)
		var got any
		_, err := Decode(data, YAML, &got)
		want, refErr := referenceYAMLStream(data)
		switch {
		case err == nil && refErr != nil:
			t.Fatalf("accepted what yaml.v3 rejects (%v)", refErr)
		case err == nil:
			if msg := compareYAML(got, want); msg != "" {
				t.Fatalf("%s\nours    %#v\nyaml.v3 %#v", msg, got, want)
			}
			roundTrip(t, got)
		case refErr == nil:
			// UTF-16 (yaml.v3 reads it after a byte order mark) is ErrEncoding.
			allowed := []error{ErrUnsupported, ErrType, ErrDuplicateKey, ErrTooLarge, ErrEncoding}
			if want == nil {
				allowed = append(allowed, ErrSyntax) // an empty (first) document
			}
			onlyBecause(t, err, allowed...)
		}
		// Both rejecting is agreement: yaml.v3 rejects duplicate keys, bad
		// core tags and complex keys too.
	})
}

// referenceYAMLStream reads data with yaml.v3: the first document into any,
// and the rest of the stream as nodes (yaml.Unmarshal would stop after the
// first document and miss errors in the others).
func referenceYAMLStream(data []byte) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("yaml.v3 panicked: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	for {
		var n yaml.Node
		if err := dec.Decode(&n); errors.Is(err, io.EOF) {
			return v, nil
		} else if err != nil {
			return nil, err
		}
	}
}

var sentinels = []error{ErrSyntax, ErrEncoding, ErrUnknownField, ErrDuplicateKey, ErrType, ErrRequired, ErrUnsupported, ErrTooLarge}

// checkProblemsWellFormed decodes data into the sample policy and checks
// the shape of what comes back.
func checkProblemsWellFormed(t *testing.T, data []byte, format Format) {
	t.Helper()
	var p testPolicy
	doc, err := Decode(data, format, &p)
	if err == nil {
		if doc == nil {
			t.Fatal("no error and no document")
		}
		return
	}
	var ps Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		t.Fatalf("error %v is not a non-empty Problems", err)
	}
	if len(ps) > limits.MaxPolicyProblems+1 {
		t.Fatalf("%d problems", len(ps))
	}
	lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + len(data)/2 + 1 // generous: NEL, LS, PS
	for i, pr := range ps {
		known := false
		for _, s := range sentinels {
			known = known || pr.Err == s
		}
		if !known || pr.Msg == "" || !utf8.ValidString(pr.Error()) {
			t.Fatalf("malformed problem %#v", pr)
		}
		if pr.Pos.Line < 0 || pr.Pos.Line > lines || pr.Pos.Column < 0 || pr.Pos.Column > len(data)+1 {
			t.Fatalf("problem %v out of the document", pr)
		}
		if i > 0 && pr.Pos.before(ps[i-1].Pos) {
			t.Fatalf("problems not sorted: %v", err)
		}
	}
}

// onlyBecause fails t unless every problem of err wraps one of allowed.
func onlyBecause(t *testing.T, err error, allowed ...error) {
	t.Helper()
	var ps Problems
	errors.As(err, &ps)
	for _, p := range ps {
		ok := false
		for _, a := range allowed {
			ok = ok || errors.Is(p, a)
		}
		if !ok {
			t.Fatalf("rejected what the reference accepts, for a reason not chosen: %v", p)
		}
	}
}

// roundTrip checks that an accepted value re-encodes as JSON and decodes to
// itself.
func roundTrip(t *testing.T, v any) {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("accepted value does not encode: %v", err)
	}
	var again any
	if _, err := Decode(out, JSON, &again); err != nil {
		if errors.Is(err, ErrTooLarge) {
			return // escaping can make the encoding larger than the input
		}
		t.Fatalf("re-encoded %s does not decode: %v", out, err)
	}
	if !reflect.DeepEqual(v, again) {
		t.Fatalf("round trip changed %#v into %#v", v, again)
	}
}

// checkCursor checks that for each plain scalar yaml.v3 positions, the
// cursor finds the scalar's first character at that position: the
// non-specific tag check relies on it.
func checkCursor(t *testing.T, data []byte) {
	t.Helper()
	if !utf8.Valid(data) || len(data) > limits.MaxPolicyBytes {
		return
	}
	if off, _ := nonPrintable(data); off >= 0 {
		return
	}
	docs, err := yamlDocuments(data)
	if err != nil || len(docs) == 0 {
		return
	}
	cur := newCursor(data)
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if depth > 100 {
			return
		}
		if n.Kind == yaml.ScalarNode && n.Style == 0 && n.Anchor == "" && n.Value != "" {
			off := cur.offset(Position{Line: n.Line, Column: n.Column})
			r, _ := utf8.DecodeRuneInString(n.Value)
			if got, _ := utf8.DecodeRune(data[off:]); got != r && got != '!' {
				t.Fatalf("scalar %q at %d:%d: cursor finds %q at offset %d", n.Value, n.Line, n.Column, got, off)
			}
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(docs[0].Content[0], 0)
}
