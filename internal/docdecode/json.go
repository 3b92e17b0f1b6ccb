package docdecode

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonParser is a recursive-descent parser for RFC 8259 JSON with the
// grammar of encoding/json (the differential tests and FuzzDecodeJSON hold
// it to that). It is ours rather than json.Decoder's token stream because
// it must know the position of every value, bound depth and node count
// while parsing, and see the raw escapes encoding/json hides (unpaired
// surrogates). The input is valid UTF-8: Decode checks that first.
type jsonParser struct {
	builder
	data  []byte
	off   int
	cur   *cursor
	fatal bool
}

// parseJSON parses data into a tree, recording the position of every value
// in pos. It returns nil after a problem that stops parsing (a syntax
// error, a limit); other problems are only collected.
func parseJSON(data []byte, c *collector, pos map[string]Position) *node {
	p := &jsonParser{builder: builder{c: c, pos: pos}, data: data, cur: newCursor(data)}
	p.skipSpace()
	if p.off == len(data) {
		p.failAt(0, ErrSyntax, "empty document")
		return nil
	}
	root := p.value("", 0)
	if p.fatal {
		return nil
	}
	p.skipSpace()
	if p.off < len(data) {
		p.failAt(p.off, ErrSyntax, "unexpected %s after the top-level value", p.describeByte())
		return nil
	}
	return root
}

func (p *jsonParser) failAt(off int, err error, format string, args ...any) {
	p.c.add(p.cur.at(off), "", err, format, args...)
	p.fatal = true
}

// unexpected fails at the current offset, saying what was wanted there.
func (p *jsonParser) unexpected(want string) {
	if p.off >= len(p.data) {
		p.failAt(p.off, ErrSyntax, "unexpected end of input, expected %s", want)
		return
	}
	p.failAt(p.off, ErrSyntax, "unexpected %s, expected %s", p.describeByte(), want)
}

// describeByte names the character at the current offset.
func (p *jsonParser) describeByte() string {
	r, _ := utf8.DecodeRune(p.data[p.off:])
	return "character " + strconv.QuoteRuneToASCII(r)
}

func (p *jsonParser) peek() byte {
	if p.off < len(p.data) {
		return p.data[p.off]
	}
	return 0
}

func (p *jsonParser) skipSpace() {
	for p.off < len(p.data) {
		switch p.data[p.off] {
		case ' ', '\t', '\n', '\r':
			p.off++
		default:
			return
		}
	}
}

// value parses the value at the current offset, which belongs at ptr inside
// a collection of the given depth (0 for the root).
func (p *jsonParser) value(ptr string, depth int) *node {
	if p.off >= len(p.data) {
		p.unexpected("a value")
		return nil
	}
	pos := p.cur.at(p.off)
	p.record(ptr, pos)
	if !p.count(1) {
		p.failAt(p.off, ErrTooLarge, "document has more than %d values and keys", maxNodes)
		return nil
	}
	switch c := p.data[p.off]; {
	case c == '{':
		return p.object(ptr, depth+1, pos)
	case c == '[':
		return p.array(ptr, depth+1, pos)
	case c == '"':
		s, ok := p.str(ptr)
		if !ok {
			return nil
		}
		return &node{kind: kString, pos: pos, text: s}
	case c == '-' || '0' <= c && c <= '9':
		return p.number(pos)
	case c == 't':
		return p.literal("true", &node{kind: kBool, pos: pos, text: "true"})
	case c == 'f':
		return p.literal("false", &node{kind: kBool, pos: pos, text: "false"})
	case c == 'n':
		return p.literal("null", &node{kind: kNull, pos: pos})
	}
	p.unexpected("a value")
	return nil
}

func (p *jsonParser) literal(lit string, n *node) *node {
	if !bytes.HasPrefix(p.data[p.off:], []byte(lit)) {
		p.unexpected("a value")
		return nil
	}
	p.off += len(lit)
	return n
}

func (p *jsonParser) object(ptr string, depth int, pos Position) *node {
	if depth > maxDepth {
		p.failAt(p.off, ErrTooLarge, "objects and arrays nest deeper than %d", maxDepth)
		return nil
	}
	p.off++ // '{'
	n := &node{kind: kObject, pos: pos}
	p.skipSpace()
	if p.peek() == '}' {
		p.off++
		return n
	}
	var seen map[string]Position
	for {
		p.skipSpace()
		if p.peek() != '"' {
			p.unexpected("a string (an object key)")
			return nil
		}
		keyPos := p.cur.at(p.off)
		key, ok := p.str(ptr)
		if !ok {
			return nil
		}
		if !p.count(1) {
			p.failAt(p.off, ErrTooLarge, "document has more than %d values and keys", maxNodes)
			return nil
		}
		p.skipSpace()
		if p.peek() != ':' {
			p.unexpected("':' after an object key")
			return nil
		}
		p.off++
		p.skipSpace()
		child := ptr + "/" + escapeToken(key)
		first, dup := seen[key]
		if dup {
			p.c.add(keyPos, child, ErrDuplicateKey, "duplicate key %s (first at %v)", quoteShort(key), first)
			p.muted++
		}
		val := p.value(child, depth)
		if dup {
			p.muted--
		}
		if p.fatal {
			return nil
		}
		if !dup {
			if seen == nil {
				seen = make(map[string]Position)
			}
			seen[key] = keyPos
			n.members = append(n.members, member{key: key, keyPos: keyPos, val: val})
		}
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.off++
			continue
		case '}':
			p.off++
			return n
		}
		p.unexpected("',' or '}' after an object member")
		return nil
	}
}

func (p *jsonParser) array(ptr string, depth int, pos Position) *node {
	if depth > maxDepth {
		p.failAt(p.off, ErrTooLarge, "objects and arrays nest deeper than %d", maxDepth)
		return nil
	}
	p.off++ // '['
	n := &node{kind: kArray, pos: pos}
	p.skipSpace()
	if p.peek() == ']' {
		p.off++
		return n
	}
	for i := 0; ; i++ {
		p.skipSpace()
		item := p.value(ptr+"/"+strconv.Itoa(i), depth)
		if p.fatal {
			return nil
		}
		n.items = append(n.items, item)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.off++
			continue
		case ']':
			p.off++
			return n
		}
		p.unexpected("',' or ']' after an array element")
		return nil
	}
}

// number parses a number per RFC 8259 §6, keeping its text.
func (p *jsonParser) number(pos Position) *node {
	d := p.data
	start, i := p.off, p.off
	digits := func() int {
		n := 0
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	bad := func() *node {
		p.off = i
		p.unexpected("a digit")
		return nil
	}
	if d[i] == '-' {
		i++
	}
	if i < len(d) && d[i] == '0' {
		i++
	} else if digits() == 0 {
		return bad()
	}
	k := kInt
	if i < len(d) && d[i] == '.' {
		i++
		k = kFloat
		if digits() == 0 {
			return bad()
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		k = kFloat
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return bad()
		}
	}
	p.off = i
	return &node{kind: k, pos: pos, text: string(d[start:i])}
}

// str parses the string at the current offset (its opening quote). ptr
// names the value for a problem, or the enclosing object for a key.
func (p *jsonParser) str(ptr string) (string, bool) {
	d := p.data
	start := p.off + 1
	for i := start; i < len(d); i++ {
		switch c := d[i]; {
		case c == '"':
			p.off = i + 1
			return string(d[start:i]), true
		case c == '\\':
			return p.strEscaped(ptr, start, i)
		case c < 0x20:
			p.failAt(i, ErrSyntax, "control character %U in a string (escape it)", c)
			return "", false
		}
	}
	p.failAt(p.off, ErrSyntax, "string is not terminated")
	return "", false
}

// strEscaped is the slow path of str, from the first backslash at i.
func (p *jsonParser) strEscaped(ptr string, start, i int) (string, bool) {
	d := p.data
	b := append([]byte(nil), d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.off = i + 1
			return string(b), true
		case c < 0x20:
			p.failAt(i, ErrSyntax, "control character %U in a string (escape it)", c)
			return "", false
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(d) {
			break
		}
		switch e := d[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(d, i+2)
			if !ok {
				p.failAt(i, ErrSyntax, "invalid \\u escape in a string")
				return "", false
			}
			esc := i
			i += 6
			if utf16.IsSurrogate(r) {
				if r < 0xDC00 && i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
					if r2, ok := hex4(d, i+2); ok && 0xDC00 <= r2 && r2 <= 0xDFFF {
						b = utf8.AppendRune(b, utf16.DecodeRune(r, r2))
						i += 6
						continue
					}
				}
				// encoding/json would silently read U+FFFD here.
				p.c.add(p.cur.at(esc), ptr, ErrEncoding, "unpaired UTF-16 surrogate escape \\u%04x in a string", r)
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			p.failAt(i, ErrSyntax, "invalid escape %s in a string", strconv.QuoteToASCII(string(d[i:i+2])))
			return "", false
		}
		i += 2
	}
	p.failAt(p.off, ErrSyntax, "string is not terminated")
	return "", false
}

func hex4(d []byte, at int) (rune, bool) {
	if at+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[at : at+4] {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}
