package docdecode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
)

// SchemaOptions name a generated schema. The zero value names nothing.
type SchemaOptions struct {
	ID    string // "$id"; omitted when empty
	Title string // "title"; omitted when empty
}

// schemaDialect is the JSON Schema version Schema writes.
const schemaDialect = "https://json-schema.org/draft/2020-12/schema"

// DurationPattern is the regular expression (ECMA-262, as JSON Schema uses)
// of the time.Duration strings Decode accepts: those of time.ParseDuration.
const DurationPattern = `^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$`

// Schema returns a JSON Schema (draft 2020-12) for documents Decode accepts
// into a value of v's type (v may be a value or a pointer to one). Objects
// list their properties and forbid others; fields tagged doc:"required" are
// required; a desc:"…" tag becomes the description. Named struct types other
// than the root go into "$defs", under their Go type name, and are
// referenced with "$ref", so shared and recursive types appear once.
//
// The schema describes types, not the caller's semantic rules: a document
// it accepts can still fail the caller's checks. It is slightly stricter
// than Decode on one point: Decode reads null as "absent" for pointers,
// slices, maps and any, while the schema expects such a field to be left
// out instead. The output is deterministic: keys sorted, two-space indent,
// a final newline.
func Schema(v any, o SchemaOptions) ([]byte, error) {
	t := reflect.TypeOf(v)
	if t == nil {
		return nil, fmt.Errorf("%w: Schema needs a value or a pointer, got nil", ErrInvalidTarget)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	ti, err := infoOf(t)
	if err != nil {
		return nil, err
	}
	g := &schemaGen{root: ti, defs: map[string]any{}, names: map[reflect.Type]string{}, owners: map[string]reflect.Type{}}
	root, err := g.body(ti)
	if err != nil {
		return nil, err
	}
	root["$schema"] = schemaDialect
	if o.ID != "" {
		root["$id"] = o.ID
	}
	if o.Title != "" {
		root["title"] = o.Title
	}
	if len(g.defs) > 0 {
		root["$defs"] = g.defs
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil { // maps: keys come out sorted
		return nil, err
	}
	return buf.Bytes(), nil
}

type schemaGen struct {
	root   *typeInfo
	defs   map[string]any
	names  map[reflect.Type]string // type → its $defs key
	owners map[string]reflect.Type // $defs key → type, to catch clashes
}

var unsafeDefChars = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// ref returns the schema of ti where it is used: a reference for named
// structs, the schema itself otherwise.
func (g *schemaGen) ref(ti *typeInfo) (map[string]any, error) {
	if ti.codec != cStruct || ti.t.Name() == "" {
		return g.body(ti)
	}
	if ti == g.root {
		return map[string]any{"$ref": "#"}, nil
	}
	if name, ok := g.names[ti.t]; ok {
		return map[string]any{"$ref": "#/$defs/" + name}, nil
	}
	name := unsafeDefChars.ReplaceAllString(ti.t.Name(), "_")
	if other, ok := g.owners[name]; ok {
		return nil, fmt.Errorf("%w: types %v and %v would share the schema name %q", ErrInvalidTarget, other, ti.t, name)
	}
	g.names[ti.t], g.owners[name] = name, ti.t
	g.defs[name] = nil // placeholder: ti may refer to itself
	body, err := g.body(ti)
	if err != nil {
		return nil, err
	}
	g.defs[name] = body
	return map[string]any{"$ref": "#/$defs/" + name}, nil
}

// body returns the schema of ti itself.
func (g *schemaGen) body(ti *typeInfo) (map[string]any, error) {
	switch ti.codec {
	case cString, cText:
		return map[string]any{"type": "string"}, nil
	case cBool:
		return map[string]any{"type": "boolean"}, nil
	case cInt, cUint:
		return intSchema(ti.t), nil
	case cFloat:
		return map[string]any{"type": "number"}, nil
	case cTime:
		return map[string]any{"type": "string", "format": "date-time"}, nil
	case cDuration:
		return map[string]any{"type": "string", "pattern": DurationPattern}, nil
	case cAny:
		return map[string]any{}, nil
	case cPtr:
		return g.ref(ti.elem)
	case cSlice:
		items, err := g.ref(ti.elem)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "array", "items": items}, nil
	case cMap:
		values, err := g.ref(ti.elem)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "object", "additionalProperties": values}, nil
	case cStruct:
		props := map[string]any{}
		required := []string{}
		for _, f := range ti.fields {
			s, err := g.ref(f.info)
			if err != nil {
				return nil, err
			}
			if f.desc != "" {
				s = withDescription(s, f.desc)
			}
			props[f.name] = s
			if f.required {
				required = append(required, f.name)
			}
		}
		s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		if len(required) > 0 {
			s["required"] = required
		}
		return s, nil
	}
	return nil, fmt.Errorf("%w: no schema for %v", ErrInvalidTarget, ti.t)
}

// withDescription returns a copy of s with a description: s may be shared
// (a $defs body is not, but a copy costs nothing and keeps it so).
func withDescription(s map[string]any, desc string) map[string]any {
	out := make(map[string]any, len(s)+1)
	for k, v := range s {
		out[k] = v
	}
	out["description"] = desc
	return out
}

// intSchema bounds an integer type by its Go range; 64-bit (and
// platform-sized) bounds are left out, as many JSON readers cannot hold
// them exactly.
func intSchema(t reflect.Type) map[string]any {
	s := map[string]any{"type": "integer"}
	switch t.Kind() {
	case reflect.Int8, reflect.Int16, reflect.Int32:
		bits := t.Bits()
		s["minimum"] = -(int64(1) << (bits - 1))
		s["maximum"] = int64(1)<<(bits-1) - 1
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		s["minimum"] = 0
		s["maximum"] = int64(1)<<t.Bits() - 1
	case reflect.Uint, reflect.Uint64:
		s["minimum"] = 0
	}
	return s
}
