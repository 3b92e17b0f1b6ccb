// Package strictjson decodes JSON the way a security verifier must.
//
// encoding/json (v1) accepts documents that mean different things to
// different parsers: duplicate object keys (last one wins), invalid UTF-8
// (silently replaced), unpaired UTF-16 surrogate escapes, and field names that
// match a struct field only case-insensitively. An attacker can use each to
// make a signed document read one way by a human or another tool and another
// way by us. A key that differs from a field name only in case is an unknown
// field, as it is for case-sensitive parsers: ignored (and hidden from
// encoding/json, which would fold it in), or rejected when unknown fields
// are; next to the field it imitates, it is always rejected as ambiguous. Unmarshal first walks the document once, alongside the Go type it
// is decoded into, and rejects all of these, bounds size and nesting depth,
// and optionally rejects unknown fields; only then does encoding/json decode
// it (with UseNumber where the target can hold interface values, so numbers
// keep their exact text).
//
// Reader applies the same rules while the caller pulls values out in a
// single pass, for formats decoded on every verification (DSSE envelopes,
// Statements); Validate is itself a Reader walk guided by the target type.
package strictjson

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
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
	t := rv.Type().Elem()
	r, err := validate(data, t, opts)
	if err != nil {
		return err
	}
	if len(r.dropped) > 0 {
		data = r.withoutDropped()
	}
	// Validate has enforced DisallowUnknownFields for every struct it could
	// see. A Decoder is needed only for UseNumber, when the target can hold
	// an interface value; json.Unmarshal is several times faster otherwise.
	if holdsInterface(t) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if opts.DisallowUnknownFields {
			dec.DisallowUnknownFields()
		}
		err = dec.Decode(v)
	} else {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
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
	_, err := validate(data, t, opts)
	return err
}

func validate(data []byte, t reflect.Type, opts Options) (*Reader, error) {
	r, err := NewReader(data, opts)
	if err != nil {
		return nil, err
	}
	if err := r.value(t); err != nil {
		return nil, err
	}
	return r, r.Close()
}

// scanner holds the position in a document and the low-level token rules;
// Reader builds objects and arrays on it.
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

// scalar scans a string, number or literal.
func (s *scanner) scalar() error {
	if s.pos >= len(s.data) {
		return s.errAt(fmt.Errorf("%w: unexpected end", ErrSyntax))
	}
	switch c := s.data[s.pos]; {
	case c == '"':
		_, _, err := s.scanStr()
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

// str scans a string starting at the opening quote and returns its decoded
// value as a fresh string.
func (s *scanner) str() (string, error) {
	raw, escaped, err := s.scanStr()
	if err != nil {
		return "", err
	}
	if !escaped {
		return string(raw[1 : len(raw)-1]), nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", s.errAt(fmt.Errorf("%w: %v", ErrSyntax, err))
	}
	return v, nil
}

// scanStr validates a string starting at the opening quote and returns its
// raw bytes, quotes included, and whether it contains escapes.
func (s *scanner) scanStr() (raw []byte, escaped bool, err error) {
	start := s.pos
	s.pos++ // opening quote
	for s.pos < len(s.data) {
		// Strings here are mostly long base64 (payloads, evidence), so plain
		// ASCII is skipped eight bytes at a time; any byte that needs a look
		// (quote, backslash, control, non-ASCII) drops to the loop below.
		data, pos := s.data, s.pos // locals: the loop stays in registers
		for pos+8 <= len(data) && specialBytes(binary.LittleEndian.Uint64(data[pos:])) == 0 {
			pos += 8
		}
		s.pos = pos
		if s.pos >= len(s.data) {
			break
		}
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return s.data[start:s.pos], escaped, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return nil, false, err
			}
		case c < 0x20:
			return nil, false, s.errAt(fmt.Errorf("%w: control character in string", ErrSyntax))
		case c < utf8.RuneSelf:
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && size <= 1 {
				return nil, false, s.errAt(ErrInvalidUTF8)
			}
			s.pos += size
		}
	}
	return nil, false, s.errAt(fmt.Errorf("%w: unterminated string", ErrSyntax))
}

// specialBytes is zero exactly when none of the eight bytes in x is a
// quote, a backslash, a control character or non-ASCII. Each test is the
// classic SWAR "has a byte less than n / equal to c" expression, which is
// non-zero exactly when some byte matches.
func specialBytes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := x^(ones*'"'), x^(ones*'\\') // zero bytes where x has a quote, a backslash
	special := x |                       // non-ASCII
		(x-ones*0x20)&^x | // control character
		(q-ones)&^q |
		(bs-ones)&^bs
	return special & highs
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
	if t == nil {
		return nil
	}
	if v, ok := indirectCache.Load(t); ok {
		r, _ := v.(reflect.Type)
		return r
	}
	orig := t
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Interface || t == rawMessageType ||
		t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType) {
		t = nil
	}
	indirectCache.Store(orig, t)
	return t
}

var indirectCache sync.Map // reflect.Type → reflect.Type (nil interface when opaque)

// fieldSet is the set of JSON names encoding/json would map to fields of a
// struct type, following its rules for tags, "-", and embedded structs.
type fieldSet struct {
	names []string // never nil: a struct's field names, for Reader.Object
	exact map[string]reflect.Type
}

var interfaceCache sync.Map // reflect.Type → bool

// holdsInterface reports whether decoding into t may create interface values
// (whose numbers UseNumber must keep exact). Types with their own
// UnmarshalJSON decide that for themselves.
func holdsInterface(t reflect.Type) bool {
	if v, ok := interfaceCache.Load(t); ok {
		return v.(bool)
	}
	v := walkInterface(t, map[reflect.Type]bool{})
	interfaceCache.Store(t, v)
	return v
}

func walkInterface(t reflect.Type, seen map[reflect.Type]bool) bool {
	if t.Kind() == reflect.Interface {
		return true
	}
	t = indirect(t)
	if t == nil || seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return walkInterface(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if walkInterface(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

var fieldCache sync.Map // reflect.Type → *fieldSet

func fieldsOf(t reflect.Type) *fieldSet {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*fieldSet)
	}
	f := &fieldSet{names: []string{}, exact: make(map[string]reflect.Type)}
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
			f.names = append(f.names, name)
		}
	}
}
