package docdecode

import (
	"strconv"
	"unicode/utf8"

	"github.com/buildtrust/buildtrust/internal/limits"
)

const (
	maxNodes = limits.MaxPolicyNodes
	maxDepth = limits.MaxJSONDepth // objects and arrays, the root being 1
)

// kind is the type of a node in the format-neutral tree both parsers build.
// It is JSON's data model, with integers told apart from other numbers.
type kind uint8

const (
	kInvalid kind = iota // a problem was already reported; skip silently
	kNull
	kBool
	kString
	kInt   // a number written as an integer; text is its decimal digits
	kFloat // any other number; text is a valid JSON number
	kObject
	kArray
)

// node is one value of a parsed document.
type node struct {
	kind    kind
	plain   bool // a YAML plain (unquoted) scalar: "quote it" helps
	pos     Position
	text    string // kString: the value; kInt, kFloat: JSON number text; kBool: "true" or "false"; kNull: as written in YAML
	members []member
	items   []*node
}

type member struct {
	key    string
	keyPos Position
	val    *node
}

// describe names n for a message: `integer 5`, `string "abc"`, `object`.
func (n *node) describe() string {
	switch n.kind {
	case kNull:
		return "null"
	case kBool:
		return "boolean " + n.text
	case kString:
		return "string " + quoteShort(n.text)
	case kInt:
		return "integer " + short(n.text)
	case kFloat:
		return "number " + short(n.text)
	case kObject:
		return "object"
	case kArray:
		return "array"
	}
	return "invalid value"
}

// quoteShort quotes s for a message, escaping everything but printable
// ASCII (so that look-alike characters show), and shortening it.
func quoteShort(s string) string {
	return strconv.QuoteToASCII(short(s))
}

func short(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// builder holds what both parsers share: the problem list, the position
// index, and the node count.
type builder struct {
	c     *collector
	pos   map[string]Position
	nodes int
	muted int // > 0 while parsing the value of a duplicate key
}

// count counts n more nodes (a value, or a key) and reports whether the
// document is still within MaxPolicyNodes.
func (b *builder) count(n int) bool {
	b.nodes += n
	return b.nodes <= maxNodes
}

// record notes the position of the value at ptr, once: a duplicate key's
// value is not indexed over the first one's.
func (b *builder) record(ptr string, pos Position) {
	if _, ok := b.pos[ptr]; !ok && b.muted == 0 {
		b.pos[ptr] = pos
	}
}
