// Package strictjson decodes JSON the way a security verifier must.
//
// encoding/json (v1) accepts documents that mean different things to
// different parsers: duplicate object keys (last one wins), invalid UTF-8
// (silently replaced), unpaired UTF-16 surrogate escapes, and field names that
// match a struct field only case-insensitively. An attacker can use each to
// make a signed document read one way by a human or another tool and another
// way by us. Unmarshal first walks the document once, alongside the Go type it
// is decoded into, and rejects all of these, bounds size and nesting depth,
// and optionally rejects unknown fields; only then does encoding/json decode
// it (with UseNumber, so numbers keep their exact text).
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// Errors returned (wrapped, with the byte offset) by Unmarshal.
var (
	ErrSyntax         = errors.New("strictjson: invalid JSON")
	ErrDuplicateKey   = errors.New("strictjson: duplicate object key")
	ErrInvalidUTF8    = errors.New("strictjson: invalid UTF-8")
	ErrBadSurrogate   = errors.New("strictjson: unpaired UTF-16 surrogate escape")
	ErrTooDeep        = errors.New("strictjson: nesting too deep")
	ErrCaseMismatch   = errors.New("strictjson: object key matches a field name only case-insensitively")
	ErrUnknownField   = errors.New("strictjson: unknown field")
	ErrTrailingData   = errors.New("strictjson: data after the top-level value")
	ErrWrongType      = errors.New("strictjson: value has the wrong JSON type")
	ErrEmptyDocument  = errors.New("strictjson: empty document")
	errUnexpectedByte = errors.New("unexpected byte")
)

// Options bound and shape decoding. The zero value applies the default limits
// and ignores unknown fields (the in-toto rule, ITE-PR-1).
type Options struct {
	// MaxBytes bounds the document size. Zero means limits.MaxEnvelopeBytes.
	MaxBytes int
	// MaxDepth bounds object/array nesting. Zero means limits.MaxJSONDepth.
	MaxDepth int
	// DisallowUnknownFields rejects object keys that name no field of the
	// target struct, for closed formats (DSSE envelopes, policy files).
	DisallowUnknownFields bool
}

// Unmarshal validates data strictly against the type of v, then decodes it
// into v. v must be a non-nil pointer.
func Unmarshal(data []byte, v any, opts Options) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("strictjson: Unmarshal needs a non-nil pointer")
	}
	if err := Validate(data, rv.Type().Elem(), opts); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if opts.DisallowUnknownFields {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%w: field %q: %v", ErrWrongType, te.Field, err)
		}
		return fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return nil
}

// Validate runs the strict checks of Unmarshal without decoding. A nil t
// checks syntax, size, depth, UTF-8, surrogates and duplicate keys only.
func Validate(data []byte, t reflect.Type, opts Options) error {
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = limits.MaxEnvelopeBytes
	}
	if len(data) > maxBytes {
		return limits.TooLarge("JSON document", int64(maxBytes))
	}
	maxDepth := opts.MaxDepth
	if maxDepth <= 0 {
		maxDepth = limits.MaxJSONDepth
	}
	s := scanner{data: data, maxDepth: maxDepth, disallowUnknown: opts.DisallowUnknownFields}
	s.skipSpace()
	if s.pos == len(data) {
		return ErrEmptyDocument
	}
	if err := s.value(t, 0); err != nil {
		return err
	}
	s.skipSpace()
	if s.pos != len(data) {
		return fmt.Errorf("%w at offset %d", ErrTrailingData, s.pos)
	}
	return nil
}

type scanner struct {
	data            []byte
	pos             int
	maxDepth        int
	disallowUnknown bool
}

func (s *scanner) errAt(err error) error {
	return fmt.Errorf("%w at offset %d", err, s.pos)
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value scans one JSON value; t is the Go type it will be decoded into, or
// nil when the subtree is opaque to us (interface, RawMessage, Unmarshaler).
func (s *scanner) value(t reflect.Type, depth int) error {
	t = indirect(t)
	if s.pos >= len(s.data) {
		return s.errAt(fmt.Errorf("%w: unexpected end", ErrSyntax))
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		if depth >= s.maxDepth {
			return s.errAt(ErrTooDeep)
		}
		return s.object(t, depth+1)
	case c == '[':
		if depth >= s.maxDepth {
			return s.errAt(ErrTooDeep)
		}
		return s.array(t, depth+1)
	case c == '"':
		_, err := s.str()
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
				s.pos += len(lit)
				return nil
			}
		}
		return s.errAt(fmt.Errorf("%w: %w %q", ErrSyntax, errUnexpectedByte, c))
	}
}

func (s *scanner) object(t reflect.Type, depth int) error {
	s.pos++ // '{'
	var fields *fieldSet
	var elem reflect.Type
	if t != nil {
		switch t.Kind() {
		case reflect.Struct:
			fields = fieldsOf(t)
		case reflect.Map:
			elem = t.Elem()
		}
	}
	seen := make(map[string]struct{})
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return s.errAt(fmt.Errorf("%w: expected object key", ErrSyntax))
		}
		keyPos := s.pos
		key, err := s.str()
		if err != nil {
			return err
		}
		if _, dup := seen[key]; dup {
			s.pos = keyPos
			return s.errAt(fmt.Errorf("%w %q", ErrDuplicateKey, key))
		}
		seen[key] = struct{}{}
		valueType := elem
		if fields != nil {
			ft, ok := fields.exact[key]
			switch {
			case ok:
				valueType = ft
			case fields.folded(key):
				s.pos = keyPos
				return s.errAt(fmt.Errorf("%w: %q", ErrCaseMismatch, key))
			case s.disallowUnknown:
				s.pos = keyPos
				return s.errAt(fmt.Errorf("%w %q", ErrUnknownField, key))
			}
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return s.errAt(fmt.Errorf("%w: expected ':'", ErrSyntax))
		}
		s.pos++
		s.skipSpace()
		if err := s.value(valueType, depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.errAt(fmt.Errorf("%w: unterminated object", ErrSyntax))
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.errAt(fmt.Errorf("%w: expected ',' or '}'", ErrSyntax))
		}
	}
}

func (s *scanner) array(t reflect.Type, depth int) error {
	s.pos++ // '['
	var elem reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		elem = t.Elem()
	}
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	for {
		s.skipSpace()
		if err := s.value(elem, depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return s.errAt(fmt.Errorf("%w: unterminated array", ErrSyntax))
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.errAt(fmt.Errorf("%w: expected ',' or ']'", ErrSyntax))
		}
	}
}

// str scans a string starting at the opening quote and returns its decoded
// value (decoded only when it contains escapes; callers use it for keys).
func (s *scanner) str() (string, error) {
	start := s.pos
	s.pos++ // opening quote
	escaped := false
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			raw := s.data[start:s.pos]
			if !escaped {
				return string(raw[1 : len(raw)-1]), nil
			}
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return "", s.errAt(fmt.Errorf("%w: %v", ErrSyntax, err))
			}
			return v, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", s.errAt(fmt.Errorf("%w: control character in string", ErrSyntax))
		case c < utf8.RuneSelf:
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", s.errAt(ErrInvalidUTF8)
			}
			s.pos += size
		}
	}
	return "", s.errAt(fmt.Errorf("%w: unterminated string", ErrSyntax))
}

// escape scans one backslash escape, rejecting unpaired surrogates, which
// encoding/json would silently turn into U+FFFD.
func (s *scanner) escape() error {
	if s.pos+1 >= len(s.data) {
		return s.errAt(fmt.Errorf("%w: truncated escape", ErrSyntax))
	}
	switch s.data[s.pos+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.pos += 2
		return nil
	case 'u':
		r, ok := s.hex4(s.pos + 2)
		if !ok {
			return s.errAt(fmt.Errorf("%w: bad \\u escape", ErrSyntax))
		}
		s.pos += 6
		switch {
		case utf16.IsSurrogate(r) && r < 0xDC00: // high surrogate: a low one must follow
			if s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
				if r2, ok := s.hex4(s.pos + 2); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
					s.pos += 6
					return nil
				}
			}
			return s.errAt(ErrBadSurrogate)
		case utf16.IsSurrogate(r):
			return s.errAt(ErrBadSurrogate)
		}
		return nil
	default:
		return s.errAt(fmt.Errorf("%w: bad escape", ErrSyntax))
	}
}

func (s *scanner) hex4(at int) (rune, bool) {
	if at+4 > len(s.data) {
		return 0, false
	}
	var r rune
	for _, c := range s.data[at : at+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number scans a JSON number per RFC 8259 §6.
func (s *scanner) number() error {
	bad := func() error { return s.errAt(fmt.Errorf("%w: bad number", ErrSyntax)) }
	if s.data[s.pos] == '-' {
		s.pos++
	}
	digits := func() int {
		n := 0
		for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	if s.pos < len(s.data) && s.data[s.pos] == '0' {
		s.pos++
	} else if digits() == 0 {
		return bad()
	}
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		s.pos++
		if digits() == 0 {
			return bad()
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if digits() == 0 {
			return bad()
		}
	}
	return nil
}

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// indirect returns the type a JSON value is matched against: pointers are
// followed; interfaces, json.RawMessage and types with their own UnmarshalJSON
// are opaque (nil) because their keys are not struct field names.
func indirect(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface || t == rawMessageType ||
		t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	return t
}

// fieldSet is the set of JSON names encoding/json would map to fields of a
// struct type, following its rules for tags, "-", and embedded structs.
type fieldSet struct {
	exact map[string]reflect.Type
}

func (f *fieldSet) folded(key string) bool {
	for name := range f.exact {
		if strings.EqualFold(name, key) {
			return true
		}
	}
	return false
}

var fieldCache sync.Map // reflect.Type → *fieldSet

func fieldsOf(t reflect.Type) *fieldSet {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*fieldSet)
	}
	f := &fieldSet{exact: make(map[string]reflect.Type)}
	collectFields(t, f, 0)
	actual, _ := fieldCache.LoadOrStore(t, f)
	return actual.(*fieldSet)
}

func collectFields(t reflect.Type, f *fieldSet, depth int) {
	if depth > 8 { // embedding deeper than this does not occur in our types
		return
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				collectFields(ft, f, depth+1)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if _, ok := f.exact[name]; !ok {
			f.exact[name] = sf.Type
		}
	}
}
