package docdecode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// yamlConv turns the node tree of gopkg.in/yaml.v3 into ours, rejecting
// what JSON cannot express or what YAML readers disagree on.
type yamlConv struct {
	builder
	cur   *cursor
	fatal bool
}

// parseYAML parses data, which is valid UTF-8, into a tree, recording the
// position of every value in pos. It returns nil after a problem that stops
// parsing; other problems are only collected.
func parseYAML(data []byte, c *collector, pos map[string]Position) *node {
	y := &yamlConv{builder: builder{c: c, pos: pos}, cur: newCursor(data)}
	// The YAML reader rejects these characters anywhere, without saying
	// where; finding them first gives the position.
	if off, r := nonPrintable(data); off >= 0 {
		c.add(y.cur.at(off), "", ErrSyntax, "character %U is not allowed in YAML", r)
		return nil
	}
	docs, err := yamlDocuments(data)
	if err != nil {
		y.syntaxError(data, err)
		return nil
	}
	if len(docs) == 0 || isEmptyDocument(docs[0]) {
		c.add(Position{Line: 1, Column: 1}, "", ErrSyntax, "empty document")
		return nil
	}
	if len(docs) > 1 {
		c.add(Position{Line: docs[1].Line, Column: docs[1].Column}, "", ErrUnsupported,
			"a second document; a policy file holds exactly one")
	}
	root := y.conv(docs[0].Content[0], "", 0)
	if y.fatal {
		return nil
	}
	return root
}

// yamlDocuments parses the first two documents of data: a second one is
// only reported, so its content need not be read.
func yamlDocuments(data []byte) (docs []*yaml.Node, err error) {
	defer func() {
		// yaml.v3 panics on a few malformed inputs instead of returning an
		// error; such a document is not one we can read.
		if r := recover(); r != nil {
			docs, err = nil, fmt.Errorf("yaml: parser failed: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for len(docs) < 2 {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
			return nil, errors.New("yaml: unexpected document structure")
		}
		docs = append(docs, &doc)
	}
	return docs, nil
}

// isEmptyDocument reports whether doc holds nothing but an implicit null:
// "---" alone, or comments.
func isEmptyDocument(doc *yaml.Node) bool {
	n := doc.Content[0]
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Value == "" && n.Style == 0
}

// nonPrintable returns the offset and value of the first character the
// YAML 1.2 reader rejects (§5.1), or -1. A byte order mark is allowed.
func nonPrintable(data []byte) (int, rune) {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			0x20 <= r && r <= 0x7E,
			r == 0x85,
			0xA0 <= r && r <= 0xD7FF,
			0xE000 <= r && r <= 0xFFFD,
			0x10000 <= r && r <= 0x10FFFF:
		default:
			return i, r
		}
		i += size
	}
	return -1, 0
}

var yamlErrorLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlParserProblems are the problems libyaml's parser (rather than its
// scanner) reports. yaml.v3 prints the line of a parser error 0-based, and
// for most of them it is the line where the enclosing block starts.
var yamlParserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found undefined tag handle",
	"found duplicate %YAML directive",
	"found duplicate %TAG directive",
	"found incompatible YAML document",
}

// syntaxError turns a yaml.v3 parse error into a problem, with the best
// position it allows: yaml.v3 reports a line but no column.
func (y *yamlConv) syntaxError(data []byte, err error) {
	msg := err.Error()
	line := 1 // libyaml leaves the line out when it is the first
	if m := yamlErrorLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		for _, p := range yamlParserProblems {
			if msg == p {
				line++
			}
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		if strings.HasPrefix(msg, "parser failed") || strings.HasPrefix(msg, "attempted to go past") {
			line = 0 // not a libyaml error: the position is unknown
		}
	}
	if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok {
		// An alias of an anchor that does not exist: the alias is the
		// problem, and we know where it is.
		name = strings.TrimSuffix(name, "' referenced")
		pos := Position{}
		if i := bytes.Index(data, []byte("*"+name)); i >= 0 {
			pos = y.cur.at(i)
		}
		y.c.add(pos, "", ErrUnsupported, "alias *%s: anchors and aliases are not supported", name)
		return
	}
	// libyaml puts the end of the stream on a line of its own.
	if last := y.cur.at(len(data)).Line; line > last {
		line = last
	}
	y.c.add(Position{Line: line}, "", ErrSyntax, "%s", msg)
}

func (y *yamlConv) pos(n *yaml.Node) Position {
	return Position{Line: n.Line, Column: n.Column}
}

func (y *yamlConv) tooLarge(n *yaml.Node, format string, args ...any) *node {
	y.c.add(y.pos(n), "", ErrTooLarge, format, args...)
	y.fatal = true
	return nil
}

const (
	tagStr       = "!!str"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagBool      = "!!bool"
	tagNull      = "!!null"
	tagTimestamp = "!!timestamp"
	tagMerge     = "!!merge"
	tagMap       = "!!map"
	tagSeq       = "!!seq"
)

// conv converts n, the value at ptr inside a collection of the given depth.
func (y *yamlConv) conv(n *yaml.Node, ptr string, depth int) *node {
	pos := y.pos(n)
	y.record(ptr, pos)
	if !y.count(1) {
		return y.tooLarge(n, "document has more than %d values and keys", maxNodes)
	}
	if n.Anchor != "" {
		y.c.add(pos, ptr, ErrUnsupported, "anchor &%s: anchors and aliases are not supported (write the value out)", n.Anchor)
	}
	switch n.Kind {
	case yaml.AliasNode:
		y.c.add(pos, ptr, ErrUnsupported, "alias *%s: anchors and aliases are not supported (write the value out)", n.Value)
		return &node{kind: kInvalid, pos: pos}
	case yaml.MappingNode:
		if n.Tag != tagMap {
			return y.badTag(n, ptr)
		}
		if depth+1 > maxDepth {
			return y.tooLarge(n, "mappings and sequences nest deeper than %d", maxDepth)
		}
		return y.mapping(n, ptr, depth+1)
	case yaml.SequenceNode:
		if n.Tag != tagSeq {
			return y.badTag(n, ptr)
		}
		if depth+1 > maxDepth {
			return y.tooLarge(n, "mappings and sequences nest deeper than %d", maxDepth)
		}
		out := &node{kind: kArray, pos: pos, items: make([]*node, 0, len(n.Content))}
		for i, c := range n.Content {
			item := y.conv(c, ptr+"/"+strconv.Itoa(i), depth+1)
			if y.fatal {
				return nil
			}
			out.items = append(out.items, item)
		}
		return out
	case yaml.ScalarNode:
		return y.scalar(n, ptr)
	}
	y.c.add(pos, ptr, ErrSyntax, "unexpected YAML node")
	return &node{kind: kInvalid, pos: pos}
}

func (y *yamlConv) badTag(n *yaml.Node, ptr string) *node {
	y.c.add(y.pos(n), ptr, ErrUnsupported, "tag %s is not supported", n.Tag)
	return &node{kind: kInvalid, pos: y.pos(n)}
}

func (y *yamlConv) mapping(n *yaml.Node, ptr string, depth int) *node {
	out := &node{kind: kObject, pos: y.pos(n), members: make([]member, 0, len(n.Content)/2)}
	seen := make(map[string]Position, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !y.count(1) {
			return y.tooLarge(k, "document has more than %d values and keys", maxNodes)
		}
		key, ok := y.key(k, ptr)
		if !ok {
			continue
		}
		child := ptr + "/" + escapeToken(key)
		first, dup := seen[key]
		if dup {
			y.c.add(y.pos(k), child, ErrDuplicateKey, "duplicate key %s (first at %v)", quoteShort(key), first)
			y.muted++
		}
		val := y.conv(v, child, depth)
		if dup {
			y.muted--
		}
		if y.fatal {
			return nil
		}
		if !dup {
			seen[key] = y.pos(k)
			out.members = append(out.members, member{key: key, keyPos: y.pos(k), val: val})
		}
	}
	return out
}

// key returns the string a mapping key k stands for, or reports why it is
// not one. Its value is then skipped.
func (y *yamlConv) key(k *yaml.Node, ptr string) (string, bool) {
	pos := y.pos(k)
	switch {
	case k.Kind == yaml.AliasNode:
		y.c.add(pos, ptr, ErrUnsupported, "alias *%s: anchors and aliases are not supported", k.Value)
		return "", false
	case k.Anchor != "":
		y.c.add(pos, ptr, ErrUnsupported, "anchor &%s: anchors and aliases are not supported", k.Anchor)
		return "", false
	case k.Kind != yaml.ScalarNode:
		y.c.add(pos, ptr, ErrType, "a mapping key must be a string, not a collection")
		return "", false
	}
	s := y.scalar(k, ptr)
	switch {
	case s.kind == kInvalid:
		return "", false
	case k.Tag == tagMerge:
		y.c.add(pos, ptr, ErrUnsupported, "merge key <<: merge keys are not supported (write the keys out)")
		return "", false
	case k.Tag == tagTimestamp:
		// yaml.v3 and YAML 1.1 readers make it a time, not a string.
		y.c.add(pos, ptr, ErrType, "a mapping key must be a string, got timestamp %s (quote it)", quoteShort(k.Value))
		return "", false
	case s.kind == kString:
		return s.text, true
	}
	y.c.add(pos, ptr, ErrType, "a mapping key must be a string, got %s (quote it)", s.describe())
	return "", false
}

// scalar converts a scalar by its tag. A quoted scalar is a string; a plain
// one has the tag the YAML 1.2 core schema (as yaml.v3 implements it)
// resolves. Explicit tags are allowed only when they say what the value
// is anyway.
func (y *yamlConv) scalar(n *yaml.Node, ptr string) *node {
	pos := y.pos(n)
	tag := n.Tag
	switch {
	case n.Style&yaml.TaggedStyle != 0:
		switch tag {
		case tagStr:
			return &node{kind: kString, pos: pos, text: n.Value}
		case tagInt, tagFloat, tagBool, tagNull:
			// What the value would be without the tag.
			implied := (&yaml.Node{Kind: yaml.ScalarNode, Value: n.Value}).ShortTag()
			if implied != tag && !(tag == tagFloat && implied == tagInt) {
				y.c.add(pos, ptr, ErrType, "value %s is not a valid %s", quoteShort(n.Value), tag)
				return &node{kind: kInvalid, pos: pos}
			}
			if tag == tagFloat {
				return y.number(n, ptr, tagFloat)
			}
		default:
			return y.badTag(n, ptr)
		}
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return &node{kind: kString, pos: pos, text: n.Value}
	case tag != tagStr && tag != tagTimestamp && tag != tagMerge && y.nonSpecificTag(n):
		// "! 12": YAML 1.2 reads the string "12", yaml.v3 the integer.
		y.c.add(pos, ptr, ErrUnsupported, "the non-specific tag ! is not supported (quote the value instead)")
		return &node{kind: kInvalid, pos: pos}
	}
	switch tag {
	case tagStr:
		return &node{kind: kString, plain: true, pos: pos, text: n.Value}
	case tagTimestamp, tagMerge:
		// YAML 1.2 has no timestamps and "<<" means a merge only as a key:
		// both are strings here, as yaml.v3 decodes them into a string.
		return &node{kind: kString, plain: true, pos: pos, text: n.Value}
	case tagBool:
		b := "false"
		if n.Value == "true" || n.Value == "True" || n.Value == "TRUE" {
			b = "true"
		}
		return &node{kind: kBool, plain: true, pos: pos, text: b}
	case tagNull:
		return &node{kind: kNull, plain: true, pos: pos, text: n.Value} // text: "", "~", "null"…
	case tagInt, tagFloat:
		return y.number(n, ptr, tag)
	}
	return y.badTag(n, ptr)
}

// nonSpecificTag reports whether the plain scalar n is preceded by the tag
// "!", which yaml.v3 drops from the tree: n's position is where its node
// properties start, and a plain scalar cannot start with '!'.
func (y *yamlConv) nonSpecificTag(n *yaml.Node) bool {
	off := y.cur.offset(y.pos(n))
	return off < len(y.cur.data) && y.cur.data[off] == '!'
}

var (
	yamlDecimal = regexp.MustCompile(`^[-+]?[0-9]+$`)
	yamlHex     = regexp.MustCompile(`^0x[0-9a-fA-F]+$`)
	yamlFloat   = regexp.MustCompile(`^([-+]?)(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
)

// number converts a plain scalar yaml.v3 resolved as !!int or !!float to a
// JSON number, exactly (a decimal integer too large for int64 is kept as
// written). Only the forms on which YAML 1.1 readers (PyYAML, yaml.v2) and
// YAML 1.2 readers agree are accepted: decimal integers without leading
// zeros, unsigned 0x hexadecimal, and decimals with a '.' and, if any, a
// signed exponent. 0777 (octal 511 or decimal 777?), 0o17, 0b101, 1_000
// and 1e3 (numbers or strings?) are rejected, and so are .inf and .nan,
// which JSON cannot hold.
func (y *yamlConv) number(n *yaml.Node, ptr, tag string) *node {
	pos := y.pos(n)
	s := n.Value
	switch lower := strings.ToLower(strings.TrimLeft(s, "+-")); {
	case lower == ".inf" || lower == ".nan":
		y.c.add(pos, ptr, ErrUnsupported, "number %s is not finite; JSON cannot represent it", quoteShort(s))
		return &node{kind: kInvalid, pos: pos}
	case yamlDecimal.MatchString(s):
		if len(lower) > 1 && lower[0] == '0' {
			break
		}
		k := kInt
		if tag == tagFloat && n.Style&yaml.TaggedStyle != 0 {
			k = kFloat // "!!float 1"
		}
		return &node{kind: k, plain: true, pos: pos, text: strings.TrimPrefix(s, "+")}
	case tag == tagInt && yamlHex.MatchString(s):
		u, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			break // yaml.v3 makes such a value a string; not reached
		}
		return &node{kind: kInt, plain: true, pos: pos, text: strconv.FormatUint(u, 10)}
	case tag == tagFloat:
		m := yamlFloat.FindStringSubmatch(s)
		if m == nil || !strings.Contains(m[2], ".") || len(m[4]) > 1 && m[4][1] != '+' && m[4][1] != '-' {
			break
		}
		return &node{kind: kFloat, plain: true, pos: pos, text: jsonFloat(m)}
	}
	y.c.add(pos, ptr, ErrUnsupported, "number %s is read differently by YAML 1.1 and YAML 1.2 readers; write it like 1000 or 1.5 (exponents signed: 1.5e+3), or quote it", quoteShort(s))
	return &node{kind: kInvalid, pos: pos}
}

// jsonFloat rewrites a match of yamlFloat as a JSON number of the same
// value: no '+' sign, no leading zeros, digits on both sides of a '.'.
func jsonFloat(m []string) string {
	sign, mant, exp := m[1], m[2], m[4]
	if sign == "+" {
		sign = ""
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := sign + intPart
	if frac != "" {
		out += "." + frac
	}
	return out + exp
}
