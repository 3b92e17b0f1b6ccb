package strictjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"

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
	// dropped are the members whose key matched a field only
	// case-insensitively: unknown fields, skipped here, and cut out before
	// encoding/json (which would fold them into the field) sees the bytes.
	dropped []span
	// slow is set while value walks, member by member, an opaque value that
	// opaque gave up on, so that no member is tried on the fast path again
	// (which would make a deep document cost its depth times its size).
	slow bool
}

// span is a byte range [start, end) of the input.
type span struct{ start, end int }

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

// withoutDropped returns the input with the dropped members cut out, each
// with one adjacent comma, so that the result is still valid JSON. Dropped
// members never nest (their values are skipped, not walked) and are in
// input order.
func (r *Reader) withoutDropped() []byte {
	data := r.s.data
	out := make([]byte, 0, len(data))
	last := 0
	for _, d := range r.dropped {
		start, end := d.start, d.end
		if i := skipWS(data, end); i < len(data) && data[i] == ',' {
			end = i + 1 // "k":v, — take the comma after
		} else if j := skipWSBack(data, start); j > last && data[j-1] == ',' {
			start = j - 1 // ,"k":v} — take the comma before
		}
		out = append(out, data[last:start]...)
		last = end
	}
	return append(out, data[last:]...)
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func skipWSBack(b []byte, i int) int {
	for i > 0 && (b[i-1] == ' ' || b[i-1] == '\t' || b[i-1] == '\n' || b[i-1] == '\r') {
		i--
	}
	return i
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

// Any reads any value into the types encoding/json would produce with
// UseNumber: map[string]any, []any, string, json.Number, bool or nil.
func (r *Reader) Any() (any, error) {
	switch r.peek() {
	case '{':
		m := map[string]any{}
		err := r.Object(nil, func(key string) error {
			v, err := r.Any()
			m[key] = v
			return err
		})
		return m, err
	case '[':
		l := []any{}
		err := r.Array(func() error {
			v, err := r.Any()
			l = append(l, v)
			return err
		})
		return l, err
	case '"':
		return r.s.str()
	case 't', 'f', 'n':
		start := r.s.pos
		if err := r.s.scalar(); err != nil {
			return nil, err
		}
		switch string(r.s.data[start:r.s.pos]) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, nil
	default:
		start := r.s.pos
		if err := r.s.scalar(); err != nil {
			return nil, err
		}
		return json.Number(r.s.data[start:r.s.pos]), nil
	}
}

// StringBytes reads a string (null reads as empty) and returns its decoded
// bytes. Without escapes the result aliases the input: the caller must copy
// or consume it before the input changes (base64-decoding does).
func (r *Reader) StringBytes() ([]byte, error) {
	if r.Null() {
		return nil, nil
	}
	if r.peek() != '"' {
		return nil, r.wrongType("string")
	}
	raw, escaped, err := r.s.scanStr()
	if err != nil {
		return nil, err
	}
	if !escaped {
		return raw[1 : len(raw)-1 : len(raw)-1], nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, r.s.errAt(fmt.Errorf("%w: %v", ErrSyntax, err))
	}
	return []byte(v), nil
}

// StringDecoded reads a string (null and "" read as nil) and returns
// decode applied to its text. decode must fail on any text that holds
// anything but printable ASCII other than '"' and '\\' (base64 decoders
// do): then a text it accepts is a valid string without escapes, so the
// closing quote is found with bytes.IndexByte and the text is read once,
// by the decoder, instead of scanned and then decoded. When decode fails
// on that text, the string is read the strict way and decoded again, so
// errors are what StringBytes and decode report. Payloads and evidence are
// most of an attestation's bytes.
func (r *Reader) StringDecoded(decode func([]byte) ([]byte, error)) ([]byte, error) {
	if r.peek() == '"' {
		s := &r.s
		if end := bytes.IndexByte(s.data[s.pos+1:], '"'); end > 0 {
			if out, err := decode(s.data[s.pos+1 : s.pos+1+end]); err == nil {
				s.pos += end + 2
				return out, nil
			}
		}
	}
	text, err := r.StringBytes()
	if err != nil || len(text) == 0 {
		return nil, err
	}
	return decode(text)
}

// RawView reads any value and returns its JSON text as a view of the input
// (capacity cut at its end, so appending cannot overwrite what follows):
// for a caller that decodes it at once and keeps nothing that aliases it,
// or that owns the input and never changes it.
func (r *Reader) RawView() ([]byte, error) {
	r.s.skipSpace()
	start := r.s.pos
	if err := r.value(nil); err != nil {
		return nil, err
	}
	return r.s.data[start:r.s.pos:r.s.pos], nil
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

// Offset returns the position of the next value, for Rewind.
func (r *Reader) Offset() int {
	r.s.skipSpace()
	return r.s.pos
}

// Rewind returns to an Offset taken before reading a value at the current
// nesting level (after an error, too: Object and Array restore the depth),
// so that a caller can read the value again another way — for example a
// fast path that falls back to a slower one to report its exact error.
func (r *Reader) Rewind(offset int) {
	r.s.pos = offset
	for len(r.dropped) > 0 && r.dropped[len(r.dropped)-1].start >= offset {
		r.dropped = r.dropped[:len(r.dropped)-1]
	}
}

// Skip reads and discards any value.
func (r *Reader) Skip() error { return r.value(nil) }

// value reads one value, checking object keys against the Go type t it will
// be decoded into (nil: opaque — interface, RawMessage, Unmarshaler).
func (r *Reader) value(t reflect.Type) error {
	t = indirect(t)
	if t == nil && !r.slow {
		start := r.Offset()
		if r.opaque() {
			return nil
		}
		r.s.pos = start
		r.slow = true
		defer func() { r.slow = false }()
	}
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
		return r.object(nil, true, func(string) error { return r.value(elem) })
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
	return r.object(fields, false, fn)
}

// object is Object; with view set, keys without escapes are views of the
// input instead of copies. Only value's walk of maps and opaque objects sets
// it: its fn ignores the key, so no view outlives the call, and it runs over
// every byte of every skipped, raw or pre-validated value.
func (r *Reader) object(fields []string, view bool, fn func(key string) error) error {
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
	// Duplicates: a key spelled like one of the first 64 fields is tracked
	// by its index (exact spelling, so a bit is exact); every other key in
	// seen, then seenMap once the object is large.
	var fieldsSeen uint64
	var seenBuf [16]string
	seen := seenBuf[:0]
	var seenMap map[string]struct{}
	var foldedTo []int // fields that case-folded keys stand for
	present := func(f int) bool {
		if f < 64 {
			return fieldsSeen&(1<<f) != 0
		}
		_, inMap := seenMap[fields[f]]
		return inMap || slices.Contains(seen, fields[f])
	}
	if r.peek() == '}' {
		r.s.pos++
		return nil
	}
	for {
		if r.peek() != '"' {
			return r.s.errAt(fmt.Errorf("%w: expected object key", ErrSyntax))
		}
		keyPos := r.s.pos
		key, field, err := r.key(fields, view)
		if err != nil {
			return err
		}
		dup := false
		switch {
		case field >= 0 && field < 64:
			dup = fieldsSeen&(1<<field) != 0
			fieldsSeen |= 1 << field
		case seenMap != nil:
			_, dup = seenMap[key]
			seenMap[key] = struct{}{}
		default:
			dup = slices.Contains(seen, key)
			if seen = append(seen, key); len(seen) == len(seenBuf) {
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
		known := fields == nil || field >= 0
		folded := -1
		if !known {
			folded = slices.IndexFunc(fields, func(f string) bool { return strings.EqualFold(f, key) })
		}
		switch {
		case known:
			err = fn(key)
		case folded >= 0 && r.s.disallowUnknown:
			r.s.pos = keyPos
			return r.s.errAt(fmt.Errorf("%w: %q", ErrCaseMismatch, key))
		case folded >= 0:
			// An unknown field that a case-insensitive parser would read as
			// fields[folded]. Alone it is ignored, as the in-toto and SLSA
			// parsing rules say; next to the real field it is ambiguous.
			foldedTo = append(foldedTo, folded)
			if err = r.Skip(); err == nil {
				r.dropped = append(r.dropped, span{keyPos, r.s.pos})
			}
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
			for _, f := range foldedTo {
				if present(f) {
					return r.s.errAt(fmt.Errorf("%w: %q appears with another spelling", ErrCaseMismatch, fields[f]))
				}
			}
			return nil
		default:
			return r.s.errAt(fmt.Errorf("%w: expected ',' or '}'", ErrSyntax))
		}
	}
}

// key reads an object key and the index of the field spelled exactly like
// it (-1: none). Such a key is returned as that field's string, so the
// common case allocates nothing.
func (r *Reader) key(fields []string, view bool) (string, int, error) {
	raw, escaped, err := r.s.scanStr()
	if err != nil {
		return "", -1, err
	}
	if escaped {
		r.s.pos -= len(raw)
		k, err := r.s.str()
		return k, slices.Index(fields, k), err
	}
	b := raw[1 : len(raw)-1]
	for i, f := range fields {
		if string(b) == f { // compared in place, not converted
			return f, i, nil
		}
	}
	if view && len(b) > 0 {
		return unsafe.String(&b[0], len(b)), -1, nil
	}
	if k, ok := commonKeys[string(b)]; ok { // map lookups by []byte do not allocate
		return k, -1, nil
	}
	return string(b), -1, nil
}

// commonKeys are map keys that every verification reads (digest algorithm
// names, PCR indexes), returned without allocating.
var commonKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"sha256", "sha384", "sha512", "sha1", "md5", "sha224", "sha512_224", "sha512_256",
		"sha3_224", "sha3_256", "sha3_384", "sha3_512", "gitCommit", "gitTree", "gitBlob", "dirHash"} {
		m[k] = k
	}
	for i := range 24 {
		k := strconv.Itoa(i)
		m[k] = k
	}
	return m
}()

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
