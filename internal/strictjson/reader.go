package strictjson

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// Reader decodes a document in one pass, pulling values as the caller walks
// its known shape, with the same rules as Unmarshal: size and depth bounds,
// duplicate keys, invalid UTF-8, unpaired surrogates, case-folded field names
// and (optionally) unknown fields are rejected. It exists for the hot formats
// (DSSE envelopes, Statements), where encoding/json's second validation and
// reflection cost more than the signature check.
//
// Every method consumes exactly one value. Values returned never alias the
// input.
type Reader struct {
	s     scanner
	depth int
}

// NewReader starts reading data.
func NewReader(data []byte, opts Options) (*Reader, error) {
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = limits.MaxEnvelopeBytes
	}
	if len(data) > maxBytes {
		return nil, limits.TooLarge("JSON document", int64(maxBytes))
	}
	maxDepth := opts.MaxDepth
	if maxDepth <= 0 {
		maxDepth = limits.MaxJSONDepth
	}
	r := &Reader{s: scanner{data: data, maxDepth: maxDepth, disallowUnknown: opts.DisallowUnknownFields}}
	r.s.skipSpace()
	if r.s.pos == len(data) {
		return nil, ErrEmptyDocument
	}
	return r, nil
}

// Close checks that nothing but white space follows the top-level value.
func (r *Reader) Close() error {
	r.s.skipSpace()
	if r.s.pos != len(r.s.data) {
		return r.s.errAt(ErrTrailingData)
	}
	return nil
}

func (r *Reader) peek() byte {
	r.s.skipSpace()
	if r.s.pos >= len(r.s.data) {
		return 0
	}
	return r.s.data[r.s.pos]
}

// Null consumes a null and reports true, or consumes nothing and reports
// false.
func (r *Reader) Null() bool {
	if r.peek() == 'n' && bytes.HasPrefix(r.s.data[r.s.pos:], []byte("null")) {
		r.s.pos += 4
		return true
	}
	return false
}

func (r *Reader) wrongType(want string) error {
	return r.s.errAt(fmt.Errorf("%w: want %s", ErrWrongType, want))
}

// String reads a string (null reads as ""), as encoding/json would.
func (r *Reader) String() (string, error) {
	if r.Null() {
		return "", nil
	}
	if r.peek() != '"' {
		return "", r.wrongType("string")
	}
	return r.s.str() // a fresh string: str copies or decodes
}

// Raw reads any value and returns a copy of its JSON text (null included).
func (r *Reader) Raw() ([]byte, error) {
	r.s.skipSpace()
	start := r.s.pos
	if err := r.value(nil); err != nil {
		return nil, err
	}
	return bytes.Clone(r.s.data[start:r.s.pos]), nil
}

// Skip reads and discards any value.
func (r *Reader) Skip() error { return r.value(nil) }

// value reads one value, checking object keys against the Go type t it will
// be decoded into (nil: opaque — interface, RawMessage, Unmarshaler).
func (r *Reader) value(t reflect.Type) error {
	t = indirect(t)
	switch r.peek() {
	case '{':
		if t != nil && t.Kind() == reflect.Struct {
			fs := fieldsOf(t)
			return r.Object(fs.names, func(key string) error { return r.value(fs.exact[key]) })
		}
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Map {
			elem = t.Elem()
		}
		return r.Object(nil, func(string) error { return r.value(elem) })
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		return r.Array(func() error { return r.value(elem) })
	default:
		return r.s.scalar()
	}
}

func (r *Reader) enter() error {
	if r.depth >= r.s.maxDepth {
		return r.s.errAt(ErrTooDeep)
	}
	r.depth++
	r.s.pos++ // '{' or '['
	return nil
}

// Object reads an object (null reads as empty). With fields == nil it is a
// map: fn is called for every key. Otherwise fields are the struct's JSON
// names: fn is called for those; a key that matches one only
// case-insensitively is rejected; other keys are skipped, or rejected when
// the Reader disallows unknown fields. fn must consume exactly one value.
func (r *Reader) Object(fields []string, fn func(key string) error) error {
	if r.Null() {
		return nil
	}
	if r.peek() != '{' {
		return r.wrongType("object")
	}
	if err := r.enter(); err != nil {
		return err
	}
	defer func() { r.depth-- }()
	var seen []string // objects here are small; a slice beats a map
	var seenMap map[string]struct{}
	if r.peek() == '}' {
		r.s.pos++
		return nil
	}
	for {
		if r.peek() != '"' {
			return r.s.errAt(fmt.Errorf("%w: expected object key", ErrSyntax))
		}
		keyPos := r.s.pos
		key, err := r.s.str()
		if err != nil {
			return err
		}
		dup := false
		if seenMap != nil {
			_, dup = seenMap[key]
			seenMap[key] = struct{}{}
		} else {
			dup = slices.Contains(seen, key)
			if seen = append(seen, key); len(seen) > 16 {
				seenMap = make(map[string]struct{}, 2*len(seen))
				for _, k := range seen {
					seenMap[k] = struct{}{}
				}
			}
		}
		if dup {
			r.s.pos = keyPos
			return r.s.errAt(fmt.Errorf("%w %q", ErrDuplicateKey, key))
		}
		if r.peek() != ':' {
			return r.s.errAt(fmt.Errorf("%w: expected ':'", ErrSyntax))
		}
		r.s.pos++
		known := fields == nil || slices.Contains(fields, key)
		switch {
		case known:
			err = fn(key)
		case slices.ContainsFunc(fields, func(f string) bool { return strings.EqualFold(f, key) }):
			r.s.pos = keyPos
			return r.s.errAt(fmt.Errorf("%w: %q", ErrCaseMismatch, key))
		case r.s.disallowUnknown:
			r.s.pos = keyPos
			return r.s.errAt(fmt.Errorf("%w %q", ErrUnknownField, key))
		default:
			err = r.Skip()
		}
		if err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.s.pos++
		case '}':
			r.s.pos++
			return nil
		default:
			return r.s.errAt(fmt.Errorf("%w: expected ',' or '}'", ErrSyntax))
		}
	}
}

// Array reads an array (null reads as empty), calling fn once per element;
// fn must consume exactly one value.
func (r *Reader) Array(fn func() error) error {
	if r.Null() {
		return nil
	}
	if r.peek() != '[' {
		return r.wrongType("array")
	}
	if err := r.enter(); err != nil {
		return err
	}
	defer func() { r.depth-- }()
	if r.peek() == ']' {
		r.s.pos++
		return nil
	}
	for {
		r.s.skipSpace()
		if err := fn(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.s.pos++
		case ']':
			r.s.pos++
			return nil
		default:
			return r.s.errAt(fmt.Errorf("%w: expected ',' or ']'", ErrSyntax))
		}
	}
}
