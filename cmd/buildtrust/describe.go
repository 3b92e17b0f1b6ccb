package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// node is an ordered description of something inspect found: a kind and
// its fields, in the order a reader wants them. One description renders as
// indented text and as JSON, so the two outputs never disagree.
type node struct {
	kind   string
	fields []field
}

// field values are string, integers, bool, []string, json.RawMessage, *node
// or []*node.
type field struct {
	key string
	val any
}

func newNode(kind string) *node { return &node{kind: kind} }

// set appends a field, skipping empty values so output shows what is there.
func (n *node) set(key string, val any) *node {
	switch v := val.(type) {
	case nil:
		return n
	case string:
		if v == "" {
			return n
		}
	case []string:
		if len(v) == 0 {
			return n
		}
	case *node:
		if v == nil {
			return n
		}
	case []*node:
		if len(v) == 0 {
			return n
		}
	}
	n.fields = append(n.fields, field{key, val})
	return n
}

// MarshalJSON writes {"kind": …, fields in order}.
func (n *node) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	k, _ := json.Marshal(n.kind)
	b.WriteString(`"kind":`)
	b.Write(k)
	for _, f := range n.fields {
		key, _ := json.Marshal(f.key)
		val, err := json.Marshal(f.val)
		if err != nil {
			return nil, err
		}
		b.WriteByte(',')
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeText renders the node as an indented outline.
func (n *node) writeText(w io.Writer, indent string) {
	fmt.Fprintf(w, "%s%s\n", indent, n.kind)
	n.writeFields(w, indent+"  ")
}

func (n *node) writeFields(w io.Writer, indent string) {
	width := 0
	for _, f := range n.fields {
		if _, nested := f.val.(*node); !nested && len(f.key) > width {
			width = len(f.key)
		}
	}
	for _, f := range n.fields {
		switch v := f.val.(type) {
		case *node:
			fmt.Fprintf(w, "%s%s: %s\n", indent, f.key, v.kind)
			v.writeFields(w, indent+"  ")
		case []*node:
			fmt.Fprintf(w, "%s%s (%d):\n", indent, f.key, len(v))
			for i, c := range v {
				fmt.Fprintf(w, "%s  [%d] %s\n", indent, i, c.kind)
				c.writeFields(w, indent+"      ")
			}
		case []string:
			if len(v) == 1 {
				fmt.Fprintf(w, "%s%-*s  %s\n", indent, width+1, f.key+":", sanitize(v[0]))
				continue
			}
			fmt.Fprintf(w, "%s%s (%d):\n", indent, f.key, len(v))
			for _, s := range v {
				fmt.Fprintf(w, "%s  - %s\n", indent, sanitize(s))
			}
		case json.RawMessage:
			var c bytes.Buffer
			if json.Compact(&c, v) != nil {
				c.Reset()
				c.Write(v)
			}
			fmt.Fprintf(w, "%s%-*s  %s\n", indent, width+1, f.key+":", sanitize(truncate(c.String(), 300)))
		default:
			fmt.Fprintf(w, "%s%-*s  %s\n", indent, width+1, f.key+":", sanitize(fmt.Sprint(v)))
		}
	}
}

// sanitize keeps attacker-chosen strings from driving the terminal: inspect
// prints unverified input, so control characters (escape sequences, carriage
// returns that overwrite a line) are shown quoted instead.
func sanitize(s string) string {
	for _, r := range s {
		// Controls, and format characters (bidi overrides, zero-width
		// spaces) that make text read differently from what it is.
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) {
			q := fmt.Sprintf("%q", s)
			return q
		}
	}
	return s
}

// truncate shortens long strings for text fields (JSON blobs in predicates).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d bytes)", len(s))
}

func isRuneStart(b byte) bool { return b&0xc0 != 0x80 }

// joinNonEmpty joins the non-empty strings with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
