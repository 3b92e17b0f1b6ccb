package docdecode

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// Format names the syntax of a document.
type Format int

const (
	// Auto picks JSON when the first byte that is not white space is '{',
	// and YAML otherwise. Every JSON object document is also YAML, but the
	// JSON decoder gives exact columns and the exact encoding/json grammar.
	Auto Format = iota
	// JSON is RFC 8259 JSON, with the grammar of encoding/json.
	JSON
	// YAML is YAML 1.2 as gopkg.in/yaml.v3 reads it, restricted to what
	// JSON can express (see the package documentation).
	YAML
)

func (f Format) String() string {
	switch f {
	case Auto:
		return "auto"
	case JSON:
		return "JSON"
	case YAML:
		return "YAML"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// Errors a [Problem] wraps. Each problem wraps exactly one of them, so a
// caller can branch with errors.Is on a single problem or on the whole
// [Problems] list (which unwraps to all of its problems).
var (
	// ErrSyntax: the document is not well-formed JSON or YAML, or is empty.
	ErrSyntax = errors.New("docdecode: syntax error")
	// ErrEncoding: the document is not valid UTF-8, or a JSON string
	// holds an unpaired UTF-16 surrogate escape. encoding/json replaces
	// both with U+FFFD silently, so two readers could disagree on a value.
	ErrEncoding = errors.New("docdecode: invalid text encoding")
	// ErrUnknownField: an object key names no field of the target struct.
	ErrUnknownField = errors.New("docdecode: unknown field")
	// ErrDuplicateKey: an object holds the same key twice.
	ErrDuplicateKey = errors.New("docdecode: duplicate key")
	// ErrType: a value has the wrong type for its field (including
	// integers that overflow it and strings its type cannot parse).
	ErrType = errors.New("docdecode: wrong type")
	// ErrRequired: a field tagged doc:"required" is absent (or null).
	ErrRequired = errors.New("docdecode: missing required field")
	// ErrUnsupported: a YAML feature that JSON cannot express or that YAML
	// 1.1 and 1.2 readers interpret differently: anchors, aliases, merge
	// keys, tags other than the core ones, several documents in one
	// stream, non-finite numbers, and integers such as 0777 or 1_000.
	ErrUnsupported = errors.New("docdecode: unsupported document feature")
	// ErrTooLarge: the document exceeds a limit of internal/limits (size,
	// nesting depth, node count), or had too many problems to list.
	ErrTooLarge = limits.ErrTooLarge
	// ErrInvalidTarget is returned, not as a Problem, when the Go value
	// given to Decode or Schema cannot be decoded into. It is a programming
	// error, found on the first call whatever the document says.
	ErrInvalidTarget = errors.New("docdecode: invalid target type")
)

// Position is a place in a document. Line and Column are 1-based; Column
// counts characters (Unicode code points), not bytes, in both formats, the
// way the YAML parser does. A zero Line means the position is unknown; a
// zero Column that only the line is known (some YAML syntax errors).
type Position struct {
	Line, Column int
}

// String formats p as "line:column", "line", or "" when unknown.
func (p Position) String() string {
	switch {
	case p.Line == 0:
		return ""
	case p.Column == 0:
		return strconv.Itoa(p.Line)
	}
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

func (p Position) before(q Position) bool {
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Column < q.Column
}

// Problem is one thing wrong with a document.
type Problem struct {
	Pos  Position // where; for a missing field, the object that lacks it
	Path string   // JSON Pointer (RFC 6901) of the value, "" for the root
	Msg  string   // what is wrong, for a human
	Err  error    // the sentinel to branch on, such as ErrUnknownField
}

// Error formats p as "line:col: path: msg", leaving out the parts that are
// unknown or empty.
func (p *Problem) Error() string {
	var b strings.Builder
	if s := p.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Unwrap returns the sentinel p wraps.
func (p *Problem) Unwrap() error { return p.Err }

// Problems lists everything wrong with a document, in position order. It
// is the error type of [Decode]; a caller may append its own semantic
// problems (see [Document.Problemf]), then call Sort and Err.
type Problems []*Problem

// Error lists the problems one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, so errors.Is(ps, ErrType) reports whether
// any problem wraps ErrType.
func (ps Problems) Unwrap() []error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errs
}

// Sort orders the problems by position; problems at the same position (or
// with none) keep their order. Problems without a position come first.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b *Problem) int {
		switch {
		case a.Pos.before(b.Pos):
			return -1
		case b.Pos.before(a.Pos):
			return 1
		}
		return 0
	})
}

// Err returns ps as an error, or nil when it is empty. Return ps.Err()
// rather than ps itself: a nil Problems stored in an error interface is
// not a nil error.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// Document records where every value of a decoded document is, so that a
// caller's own checks can report positions too.
type Document struct {
	format Format
	pos    map[string]Position
}

// Format reports the syntax the document was decoded as (never Auto).
func (d *Document) Format() Format {
	if d == nil {
		return Auto
	}
	return d.format
}

// Pos returns the position of the value at the JSON Pointer pointer, and
// true. When no value is there (an optional field left out), it returns the
// position of the nearest enclosing value that is, and false. A nil
// Document knows no positions.
func (d *Document) Pos(pointer string) (Position, bool) {
	if d == nil {
		return Position{}, false
	}
	if p, ok := d.pos[pointer]; ok {
		return p, true
	}
	for pointer != "" {
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			break
		}
		pointer = pointer[:i]
		if p, ok := d.pos[pointer]; ok {
			return p, false
		}
	}
	return Position{}, false
}

// Problemf returns a problem at the value pointer names (or its nearest
// enclosing value), for checks that run after Decode.
func (d *Document) Problemf(pointer string, err error, format string, args ...any) *Problem {
	pos, _ := d.Pos(pointer)
	return &Problem{Pos: pos, Path: pointer, Msg: fmt.Sprintf(format, args...), Err: err}
}

// Pointer joins reference tokens into a JSON Pointer (RFC 6901), escaping
// "~" and "/": Pointer("trust", "builders", "0") is "/trust/builders/0".
func Pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

var tokenEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func escapeToken(t string) string {
	if !strings.ContainsAny(t, "~/") {
		return t
	}
	return tokenEscaper.Replace(t)
}

// Decode decodes the document data, in the given format, into v, which must
// be a non-nil pointer to a supported type (see the package documentation);
// otherwise it returns an error wrapping ErrInvalidTarget.
//
// Every problem with the document is reported, as a [Problems] error in
// position order, up to limits.MaxPolicyProblems. When the document could
// not be parsed at all (a syntax error, invalid UTF-8, a size, depth or
// node limit), the Document is nil and v is left alone. Otherwise Decode
// sets *v to the decoded value, starting from the zero value (it never
// merges into what v held), even when there are problems: a value that had
// a problem is left zero or partly decoded, and the rest is complete, so
// that the caller can run its own checks and report their problems together
// with these. A value decoded with problems must not be used for anything
// else.
func Decode(data []byte, format Format, v any) (*Document, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, fmt.Errorf("%w: Decode needs a non-nil pointer, got %T", ErrInvalidTarget, v)
	}
	ti, err := infoOf(rv.Type().Elem())
	if err != nil {
		return nil, err
	}
	switch format {
	case Auto:
		format = sniff(data)
	case JSON, YAML:
	default:
		return nil, fmt.Errorf("%w: unknown format %v", ErrInvalidTarget, format)
	}
	c := &collector{max: limits.MaxPolicyProblems}
	if len(data) > limits.MaxPolicyBytes {
		c.add(Position{}, "", ErrTooLarge, "document is %d bytes; the limit is %d", len(data), limits.MaxPolicyBytes)
		return nil, c.problems.Err()
	}
	if !utf8.Valid(data) {
		off := invalidUTF8(data)
		c.add(newCursor(data).at(off), "", ErrEncoding, "invalid UTF-8 (byte 0x%02x)", data[off])
		return nil, c.problems.Err()
	}
	doc := &Document{format: format, pos: make(map[string]Position)}
	var root *node
	if format == JSON {
		root = parseJSON(data, c, doc.pos)
	} else {
		root = parseYAML(data, c, doc.pos)
	}
	if root == nil {
		c.problems.Sort()
		return nil, c.problems.Err()
	}
	out := reflect.New(ti.t).Elem()
	(&decoder{c: c}).decode(root, ti, out, "")
	rv.Elem().Set(out)
	c.problems.Sort()
	return doc, c.problems.Err()
}

// sniff implements Auto.
func sniff(data []byte) Format {
	for _, b := range data {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return JSON
		}
		break
	}
	return YAML
}

func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// collector gathers problems up to a limit.
type collector struct {
	problems Problems
	max      int
	full     bool
}

// add records a problem. Past the limit it records one last problem, without
// a position so that it sorts first, and ignores the rest.
func (c *collector) add(pos Position, path string, err error, format string, args ...any) {
	if c.full {
		return
	}
	if len(c.problems) == c.max {
		c.full = true
		c.problems = append(c.problems, &Problem{Err: ErrTooLarge,
			Msg: fmt.Sprintf("too many problems: only the first %d are listed", c.max)})
		return
	}
	c.problems = append(c.problems, &Problem{Pos: pos, Path: path, Msg: fmt.Sprintf(format, args...), Err: err})
}

// cursor converts byte offsets to positions, moving forward through the
// document so that a whole pass costs one scan. Line breaks are those of
// YAML (LF, CR LF, CR, NEL, LS, PS); JSON white space holds only the first
// three, and the others cannot occur outside JSON strings.
type cursor struct {
	data      []byte
	off       int
	line, col int
}

func newCursor(data []byte) *cursor {
	c := &cursor{data: data, line: 1, col: 1}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		c.off = 3 // a leading byte order mark takes no column, as in YAML
	}
	return c
}

// at returns the position of byte offset off.
func (c *cursor) at(off int) Position {
	if off < c.off {
		*c = *newCursor(c.data)
	}
	for c.off < off && c.off < len(c.data) {
		b := c.data[c.off]
		switch {
		case b == '\n':
			c.newline(1)
		case b == '\r':
			if c.off+1 < len(c.data) && c.data[c.off+1] == '\n' {
				c.off++
				c.col++ // keep the column of the '\n' consistent
				continue
			}
			c.newline(1)
		case b == 0xC2 && c.off+1 < len(c.data) && c.data[c.off+1] == 0x85:
			c.newline(2)
		case b == 0xE2 && c.off+2 < len(c.data) && c.data[c.off+1] == 0x80 && (c.data[c.off+2] == 0xA8 || c.data[c.off+2] == 0xA9):
			c.newline(3)
		default:
			if b&0xC0 != 0x80 {
				c.col++
			}
			c.off++
		}
	}
	return Position{Line: c.line, Column: c.col}
}

func (c *cursor) newline(size int) {
	c.off += size
	c.line++
	c.col = 1
}

// offset returns the byte offset of pos, moving forward like at.
func (c *cursor) offset(pos Position) int {
	if pos.Line < c.line || pos.Line == c.line && pos.Column < c.col {
		*c = *newCursor(c.data)
	}
	for c.off < len(c.data) && (c.line < pos.Line || c.line == pos.Line && c.col < pos.Column) {
		c.at(c.nextRune())
	}
	return c.off
}

// nextRune returns the offset just past the character at c.off.
func (c *cursor) nextRune() int {
	_, size := utf8.DecodeRune(c.data[c.off:])
	return c.off + size
}
