package strictjson

import "bytes"

// maxOpaqueKeys is the most keys one object may have on the fast path;
// larger objects are left to the slow path, whose duplicate check switches
// to a map, so the fast path's linear check stays short.
const maxOpaqueKeys = 32

// opaqueLevel is one open container of the fast path.
type opaqueLevel struct {
	object   bool
	firstKey int // index in the key list of this object's first key
}

// opaque validates one value of any shape with exactly the rules of
// value(nil), in a loop instead of one call and one closure per member:
// predicates, annotations and other values kept as raw JSON are most of
// what a Statement's reader walks. It reports true only when value(nil)
// would accept the value and end where it ended. It reports false, with the
// position anywhere, on an error or on what it leaves to value(nil): a key
// with escapes (a duplicate could be spelled another way) or an object of
// more than maxOpaqueKeys keys; the caller rewinds and takes the slow path,
// which reports the same errors as before (TestOpaqueMatchesSlowPath,
// FuzzOpaque).
func (r *Reader) opaque() bool {
	s := &r.s
	var levelBuf [16]opaqueLevel
	levels := levelBuf[:0]
	var keyBuf [64][]byte // views of the input, compared and dropped here
	keys := keyBuf[:0]
	for {
		// A value starts here.
		s.skipSpace()
		if s.pos >= len(s.data) {
			return false
		}
		switch c := s.data[s.pos]; {
		case c == '{' || c == '[':
			if r.depth+len(levels) >= s.maxDepth {
				return false
			}
			s.pos++
			levels = append(levels, opaqueLevel{object: c == '{', firstKey: len(keys)})
			s.skipSpace()
			if s.pos < len(s.data) && s.data[s.pos] == c+2 { // '}' or ']'
				s.pos++
				levels = levels[:len(levels)-1]
				break // an empty container is a whole value
			}
			if c == '{' {
				k, ok := r.opaqueKey(nil)
				if !ok {
					return false
				}
				keys = append(keys, k)
			}
			continue // the first member's value
		case c == '"':
			if _, _, err := s.scanStr(); err != nil {
				return false
			}
		case c == '-' || c >= '0' && c <= '9':
			if s.number() != nil {
				return false
			}
		case c == 't' && bytes.HasPrefix(s.data[s.pos:], []byte("true")):
			s.pos += 4
		case c == 'f' && bytes.HasPrefix(s.data[s.pos:], []byte("false")):
			s.pos += 5
		case c == 'n' && bytes.HasPrefix(s.data[s.pos:], []byte("null")):
			s.pos += 4
		default:
			return false
		}
		// A value ended: close containers until one has another member.
		for {
			if len(levels) == 0 {
				return true
			}
			s.skipSpace()
			if s.pos >= len(s.data) {
				return false
			}
			top := levels[len(levels)-1]
			c := s.data[s.pos]
			if c == ',' {
				s.pos++
				if top.object {
					k, ok := r.opaqueKey(keys[top.firstKey:])
					if !ok {
						return false
					}
					keys = append(keys, k)
				}
				break
			}
			if top.object && c != '}' || !top.object && c != ']' {
				return false
			}
			s.pos++
			keys = keys[:top.firstKey]
			levels = levels[:len(levels)-1]
		}
	}
}

// opaqueKey reads `"key":` of an object whose keys so far are seen and
// returns the key, or false on a syntax error, an escaped key, a duplicate,
// or too many keys.
func (r *Reader) opaqueKey(seen [][]byte) ([]byte, bool) {
	s := &r.s
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != '"' || len(seen) >= maxOpaqueKeys {
		return nil, false
	}
	raw, escaped, err := s.scanStr()
	if err != nil || escaped {
		return nil, false
	}
	k := raw[1 : len(raw)-1]
	for _, prev := range seen {
		if bytes.Equal(prev, k) {
			return nil, false
		}
	}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return nil, false
	}
	s.pos++
	return k, true
}
