// Package docdecode strictly decodes a document written in JSON or YAML
// into a Go struct, reports every problem with its line and column, and
// writes a JSON Schema for the same struct. It exists for the policy
// document: a policy says what to trust, so a policy that reads one way to
// its author and another way to the verifier is a vulnerability, and a
// policy that is rejected one error at a time is a policy nobody fixes.
//
// # Decoding
//
// [Decode] parses the whole document into a tree that keeps the position of
// every value, then walks it alongside the target type. It does not stop at
// the first problem: the result is a [Problems] list, in position order,
// each with its line:column, its JSON Pointer and a sentinel error
// (ErrUnknownField, ErrType, …) to branch on. The [Document] it returns maps
// every JSON Pointer to a position, so the caller's own semantic checks can
// report positions too ([Document.Problemf]).
//
// Supported Go types: structs (fields named by their `json:"name"` tag, or
// their Go name; `json:"-"` and unexported fields skipped), string, bool,
// all integer kinds, float64, slices, maps with string keys, pointers,
// any (map[string]any, []any, string, bool, json.Number, nil — every number
// a json.Number, in both formats, so none loses precision), time.Time (an
// RFC 3339 string), time.Duration (a string such as "24h") and any type
// implementing encoding.TextUnmarshaler (from a string). Anything else —
// embedded structs, []byte, float32, types with their own UnmarshalJSON or
// UnmarshalYAML, unknown tag options — makes Decode and [Schema] fail with
// ErrInvalidTarget whatever the document, since that is a programming error.
//
// Struct tags: `doc:"required"` makes a field required (absent or null is
// an ErrRequired problem; an empty string is present: emptiness is a
// semantic check for the caller); `desc:"…"` describes it in the schema.
//
// # Strictness
//
// Nothing is silently ignored, guessed or folded:
//
//   - A key that names no field is an ErrUnknownField problem, at the key.
//     Keys are matched exactly: "ApiVersion" never fills "apiVersion" (a
//     problem says "did you mean"), and neither does a key spelled with a
//     Unicode look-alike such as the Kelvin sign, which encoding/json would
//     fold into the field.
//   - A duplicate key is an ErrDuplicateKey problem in both formats: which
//     of the two values counts differs between parsers.
//   - A value of the wrong type is an ErrType problem: no string-to-number
//     or number-to-string conversion, integers must fit their Go type, and
//     null is "absent" only for pointers, slices, maps and any. In YAML a
//     quoted scalar is always a string and a plain one has the type the
//     YAML 1.2 core schema gives it, so `version: 1.10` is a number (quote
//     it) and `enabled: yes` is the string "yes", not a boolean.
//   - JSON is exactly the grammar of encoding/json, but invalid UTF-8 and
//     unpaired UTF-16 surrogate escapes ("\ud800"), which encoding/json
//     replaces by U+FFFD without a word, are ErrEncoding problems; nothing
//     may follow the top-level value.
//   - Both formats must be UTF-8 (yaml.v3 would also read UTF-16).
//   - YAML is what JSON can express: anchors, aliases, merge keys ("<<"),
//     tags other than the core ones (and core tags that contradict the
//     value), several documents, non-string keys (a date such as
//     2024-01-01 too: quote it), .inf and .nan are rejected
//     (ErrUnsupported, or ErrType for keys), and so are numbers
//     that YAML 1.1 readers read differently from YAML 1.2 readers (0777,
//     0o17, 0b1, 1_000, 1e3). An empty document is an ErrSyntax problem.
//
// # Limits
//
// Input is bounded by internal/limits before any work that grows with it:
// MaxPolicyBytes, MaxJSONDepth nested objects and arrays, MaxPolicyNodes
// values and keys (ErrTooLarge). After MaxPolicyProblems problems Decode
// stops and says so. No input makes it panic; FuzzDecodeJSON and
// FuzzDecodeYAML check that, and that it agrees with encoding/json and
// gopkg.in/yaml.v3 wherever it accepts a document.
//
// Positions: lines and columns are 1-based and count characters. For YAML
// syntax errors, yaml.v3 reports only a line, and for some errors the line
// where the enclosing block starts.
//
// # Schema
//
// [Schema] writes a JSON Schema (draft 2020-12) from the same struct, so
// editors can complete and check policy files; see its documentation for
// the mapping.
package docdecode
