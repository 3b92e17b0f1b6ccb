package docdecode

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// codec says how a Go type is decoded.
type codec uint8

const (
	cString codec = iota + 1
	cBool
	cInt
	cUint
	cFloat
	cSlice
	cMap
	cPtr
	cAny
	cTime
	cDuration
	cText
	cStruct
)

// typeInfo is what Decode and Schema know about a Go type, checked once.
type typeInfo struct {
	t      reflect.Type
	codec  codec
	elem   *typeInfo // cSlice, cMap, cPtr
	fields []fieldInfo
	byName map[string]int // JSON name → index in fields
}

type fieldInfo struct {
	name     string // the JSON name
	index    int    // in the Go struct
	info     *typeInfo
	required bool
	desc     string
}

var (
	timeType            = reflect.TypeFor[time.Time]()
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	yamlUnmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
)

var typeCache sync.Map // reflect.Type → *typeInfo

// infoOf checks that t can be decoded into and describes how. Its errors
// wrap ErrInvalidTarget.
func infoOf(t reflect.Type) (*typeInfo, error) {
	if ti, ok := typeCache.Load(t); ok {
		return ti.(*typeInfo), nil
	}
	b := typeBuilder{building: make(map[reflect.Type]*typeInfo)}
	ti, err := b.build(t)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidTarget, err)
	}
	actual, _ := typeCache.LoadOrStore(t, ti)
	return actual.(*typeInfo), nil
}

type typeBuilder struct {
	building map[reflect.Type]*typeInfo // also ends recursion in recursive types
}

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface)
}

func (b *typeBuilder) build(t reflect.Type) (*typeInfo, error) {
	if ti, ok := b.building[t]; ok {
		return ti, nil
	}
	ti := &typeInfo{t: t}
	b.building[t] = ti
	switch {
	case t == timeType:
		ti.codec = cTime
		return ti, nil
	case t == durationType:
		ti.codec = cDuration
		return ti, nil
	case t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && implements(t, textUnmarshalerType):
		ti.codec = cText
		return ti, nil
	case t.Kind() != reflect.Interface && (implements(t, jsonUnmarshalerType) || implements(t, yamlUnmarshalerType)):
		// Calling them would bypass every check here and lose positions.
		return nil, fmt.Errorf("%v has its own UnmarshalJSON or UnmarshalYAML, which docdecode does not call; implement encoding.TextUnmarshaler or use plain fields", t)
	}
	switch t.Kind() {
	case reflect.String:
		ti.codec = cString
	case reflect.Bool:
		ti.codec = cBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		ti.codec = cInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		ti.codec = cUint
	case reflect.Float64:
		ti.codec = cFloat
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return nil, fmt.Errorf("interface type %v: only any (interface{}) is supported", t)
		}
		ti.codec = cAny
	case reflect.Pointer, reflect.Slice, reflect.Map:
		switch {
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
			// encoding/json reads base64 into []byte; reading an array of
			// numbers instead would surprise. Say what the bytes are.
			return nil, fmt.Errorf("%v: byte slices are not supported; use a string (hex, base64) or an encoding.TextUnmarshaler", t)
		case t.Kind() == reflect.Map && t.Key().Kind() != reflect.String:
			return nil, fmt.Errorf("%v: map keys must be strings", t)
		}
		ti.codec = map[reflect.Kind]codec{reflect.Pointer: cPtr, reflect.Slice: cSlice, reflect.Map: cMap}[t.Kind()]
		elem, err := b.build(t.Elem())
		if err != nil {
			return nil, err
		}
		ti.elem = elem
	case reflect.Struct:
		ti.codec = cStruct
		if err := b.fields(ti); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%v: kind %v is not supported", t, t.Kind())
	}
	return ti, nil
}

func (b *typeBuilder) fields(ti *typeInfo) error {
	t := ti.t
	ti.byName = make(map[string]int)
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			// encoding/json would promote its fields; we do not guess.
			return fmt.Errorf("%v.%s: embedded fields are not supported; name the field", t, sf.Name)
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		for opt := range strings.SplitSeq(opts, ",") {
			switch opt {
			case "", "omitempty", "omitzero":
			default:
				return fmt.Errorf("%v.%s: json tag option %q is not supported", t, sf.Name, opt)
			}
		}
		required := false
		for opt := range strings.SplitSeq(sf.Tag.Get("doc"), ",") {
			switch opt {
			case "":
			case "required":
				required = true
			default:
				return fmt.Errorf("%v.%s: unknown doc tag option %q", t, sf.Name, opt)
			}
		}
		if j, dup := ti.byName[name]; dup {
			return fmt.Errorf("%v: fields %s and %s have the same name %q", t, t.Field(ti.fields[j].index).Name, sf.Name, name)
		}
		fi, err := b.build(sf.Type)
		if err != nil {
			return fmt.Errorf("%v.%s: %w", t, sf.Name, err)
		}
		ti.byName[name] = len(ti.fields)
		ti.fields = append(ti.fields, fieldInfo{name: name, index: i, info: fi, required: required, desc: sf.Tag.Get("desc")})
	}
	return nil
}

// expected names what ti accepts, for a message.
func (ti *typeInfo) expected() string {
	switch ti.codec {
	case cString:
		return "string"
	case cBool:
		return "boolean"
	case cInt:
		return "integer"
	case cUint:
		return "non-negative integer"
	case cFloat:
		return "number"
	case cSlice:
		return "array"
	case cMap, cStruct:
		return "object"
	case cPtr:
		return ti.elem.expected()
	case cTime:
		return "date-time string (RFC 3339, like \"2025-01-31T12:00:00Z\")"
	case cDuration:
		return "duration string (like \"24h\" or \"90m\")"
	case cText:
		return "string"
	}
	return "value"
}

// nullable reports whether ti reads null as "absent". For other types null
// is a type problem, so a field does not silently keep its zero value.
func (ti *typeInfo) nullable() bool {
	return ti.codec == cPtr || ti.codec == cSlice || ti.codec == cMap || ti.codec == cAny
}

// stringy reports whether ti is decoded from a string.
func (ti *typeInfo) stringy() bool {
	return ti.codec == cString || ti.codec == cTime || ti.codec == cDuration || ti.codec == cText
}

// decoder decodes a tree into Go values, collecting problems.
type decoder struct {
	c *collector
}

// decode stores n, the value at ptr, into v, which is addressable and
// zero.
func (d *decoder) decode(n *node, ti *typeInfo, v reflect.Value, ptr string) {
	if d.c.full || n.kind == kInvalid {
		return
	}
	if n.kind == kNull {
		if !ti.nullable() {
			d.mismatch(n, ti, ptr)
		}
		return
	}
	switch ti.codec {
	case cString:
		if n.kind != kString {
			d.mismatch(n, ti, ptr)
			return
		}
		v.SetString(n.text)
	case cBool:
		if n.kind != kBool {
			d.mismatch(n, ti, ptr)
			return
		}
		v.SetBool(n.text == "true")
	case cInt:
		if n.kind != kInt {
			d.mismatch(n, ti, ptr)
			return
		}
		i, err := strconv.ParseInt(n.text, 10, v.Type().Bits())
		if err != nil {
			d.c.add(n.pos, ptr, ErrType, "integer %s overflows %v", short(n.text), v.Type())
			return
		}
		v.SetInt(i)
	case cUint:
		if n.kind != kInt || strings.HasPrefix(n.text, "-") {
			d.mismatch(n, ti, ptr)
			return
		}
		u, err := strconv.ParseUint(n.text, 10, v.Type().Bits())
		if err != nil {
			d.c.add(n.pos, ptr, ErrType, "integer %s overflows %v", short(n.text), v.Type())
			return
		}
		v.SetUint(u)
	case cFloat:
		if n.kind != kInt && n.kind != kFloat {
			d.mismatch(n, ti, ptr)
			return
		}
		f, err := strconv.ParseFloat(n.text, 64)
		if err != nil {
			d.c.add(n.pos, ptr, ErrType, "number %s is out of range for %v", short(n.text), v.Type())
			return
		}
		v.SetFloat(f)
	case cTime:
		if n.kind != kString {
			d.mismatch(n, ti, ptr)
			return
		}
		t, err := time.Parse(time.RFC3339, n.text)
		if err != nil {
			d.c.add(n.pos, ptr, ErrType, "expected %s, got %s", ti.expected(), n.describe())
			return
		}
		v.Set(reflect.ValueOf(t))
	case cDuration:
		if n.kind != kString {
			d.mismatch(n, ti, ptr)
			return
		}
		dur, err := time.ParseDuration(n.text)
		if err != nil {
			d.c.add(n.pos, ptr, ErrType, "expected %s, got %s", ti.expected(), n.describe())
			return
		}
		v.SetInt(int64(dur))
	case cText:
		if n.kind != kString {
			d.mismatch(n, ti, ptr)
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.text)); err != nil {
			d.c.add(n.pos, ptr, ErrType, "invalid %v %s: %v", ti.t, quoteShort(n.text), err)
		}
	case cPtr:
		p := reflect.New(ti.elem.t)
		d.decode(n, ti.elem, p.Elem(), ptr)
		v.Set(p)
	case cSlice:
		if n.kind != kArray {
			d.mismatch(n, ti, ptr)
			return
		}
		s := reflect.MakeSlice(ti.t, len(n.items), len(n.items))
		for i, item := range n.items {
			d.decode(item, ti.elem, s.Index(i), ptr+"/"+strconv.Itoa(i))
		}
		v.Set(s)
	case cMap:
		if n.kind != kObject {
			d.mismatch(n, ti, ptr)
			return
		}
		m := reflect.MakeMapWithSize(ti.t, len(n.members))
		for _, mem := range n.members {
			e := reflect.New(ti.elem.t).Elem()
			d.decode(mem.val, ti.elem, e, ptr+"/"+escapeToken(mem.key))
			m.SetMapIndex(reflect.ValueOf(mem.key).Convert(ti.t.Key()), e)
		}
		v.Set(m)
	case cAny:
		if a := toAny(n); a != nil {
			v.Set(reflect.ValueOf(a))
		}
	case cStruct:
		d.object(n, ti, v, ptr)
	}
}

func (d *decoder) object(n *node, ti *typeInfo, v reflect.Value, ptr string) {
	if n.kind != kObject {
		d.mismatch(n, ti, ptr)
		return
	}
	present := make([]bool, len(ti.fields))
	for _, mem := range n.members {
		child := ptr + "/" + escapeToken(mem.key)
		i, ok := ti.byName[mem.key]
		if !ok {
			d.c.add(mem.keyPos, child, ErrUnknownField, "unknown field %s%s", quoteShort(mem.key), suggest(mem.key, ti.fields))
			continue
		}
		f := &ti.fields[i]
		// A null where null is not allowed is a type problem, not a
		// missing field.
		present[i] = mem.val.kind != kNull || !f.info.nullable()
		d.decode(mem.val, f.info, v.Field(f.index), child)
	}
	for i, f := range ti.fields {
		if f.required && !present[i] {
			d.c.add(n.pos, ptr+"/"+escapeToken(f.name), ErrRequired, "missing required field %s", quoteShort(f.name))
		}
	}
}

// mismatch reports that n is not what ti accepts.
func (d *decoder) mismatch(n *node, ti *typeInfo, ptr string) {
	if n.kind == kNull && n.plain && n.text == "" {
		d.c.add(n.pos, ptr, ErrType, "expected %s, got an empty value (null)", ti.expected())
		return
	}
	hint := ""
	switch {
	case ti.stringy() && (n.kind == kInt || n.kind == kFloat || n.kind == kBool || n.kind == kNull && n.plain):
		hint = " (quote it)"
	case ti.codec == cBool && n.kind == kString && n.plain && yaml11Bool(n.text):
		hint = " (YAML 1.1 booleans are strings in YAML 1.2: write true or false)"
	case (ti.codec == cInt || ti.codec == cUint) && n.kind == kFloat:
		hint = " (not an integer)"
	}
	d.c.add(n.pos, ptr, ErrType, "expected %s, got %s%s", ti.expected(), n.describe(), hint)
}

func yaml11Bool(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off":
		return true
	}
	return false
}

// suggest returns ` (did you mean "x"?)` when key differs from a field name
// only in ASCII case. Keys that match only through Unicode case folding
// (the Kelvin sign K for k, the long s ſ for s), which encoding/json would
// fold into the field, get no suggestion: they are look-alikes, not typos.
func suggest(key string, fields []fieldInfo) string {
	for _, f := range fields {
		if strings.EqualFold(f.name, key) && asciiFold(f.name) == asciiFold(key) {
			return fmt.Sprintf(" (did you mean %s?)", quoteShort(f.name))
		}
	}
	return ""
}

func asciiFold(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// toAny converts n to the values encoding/json produces with UseNumber.
func toAny(n *node) any {
	switch n.kind {
	case kBool:
		return n.text == "true"
	case kString:
		return n.text
	case kInt, kFloat:
		return json.Number(n.text)
	case kObject:
		m := make(map[string]any, len(n.members))
		for _, mem := range n.members {
			m[mem.key] = toAny(mem.val)
		}
		return m
	case kArray:
		s := make([]any, len(n.items))
		for i, item := range n.items {
			s[i] = toAny(item)
		}
		return s
	}
	return nil // kNull, kInvalid
}
