// Package descriptor reads in-toto ResourceDescriptors (ITE-RD-1…5) from a
// strictjson.Reader in one pass. The root package builds its
// ResourceDescriptor from Fields, and internal/rdread does the same for the
// descriptors nested in predicates, without re-encoding them for
// ResourceDescriptor.UnmarshalJSON. It lives here, not in the root package,
// so that they share it without it becoming public API.
package descriptor

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
)

// Fields are the members of a ResourceDescriptor, as decoded.
type Fields struct {
	Name, URI, DownloadLocation, MediaType string
	// Digest is nil when absent or null, non-nil when an object.
	Digest map[string]string
	// Content is the decoded base64; nil when absent, null or empty.
	Content []byte
	// Annotations decode numbers as json.Number; nil when absent or null.
	Annotations map[string]any
}

// names are the descriptor's JSON field names.
var names = []string{"name", "uri", "digest", "content", "downloadLocation", "mediaType", "annotations"}

var null = []byte("null")

// Read decodes one ResourceDescriptor object (null reads as the zero
// Fields). Unknown fields are ignored (ITE-PR-1); content is standard or
// URL-safe base64, as protojson accepts; at most limits.MaxDigestsPerSet
// digests are read.
func Read(r *strictjson.Reader) (Fields, error) {
	var f Fields
	err := r.Object(names, func(key string) error {
		var err error
		switch key {
		case "name":
			f.Name, err = r.String()
		case "uri":
			f.URI, err = r.String()
		case "downloadLocation":
			f.DownloadLocation, err = r.String()
		case "mediaType":
			f.MediaType, err = r.String()
		case "content":
			f.Content, err = r.StringDecoded(decodeContent)
		case "digest":
			if r.Null() {
				return nil
			}
			f.Digest = make(map[string]string, 2) // most sets hold one or two
			err = r.Object(nil, func(alg string) error {
				if len(f.Digest) == limits.MaxDigestsPerSet {
					return limits.TooLarge("digest set", limits.MaxDigestsPerSet)
				}
				v, err := r.String()
				f.Digest[alg] = v
				return err
			})
		case "annotations":
			var raw []byte
			if raw, err = r.RawView(); err == nil && !bytes.Equal(raw, null) {
				f.Annotations, err = DecodeAnnotations(raw)
			}
		}
		return err
	})
	return f, err
}

// DecodeAnnotations decodes an annotations object keeping numbers exact
// (json.Number).
func DecodeAnnotations(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

var base64Encodings = [...]*base64.Encoding{
	base64.StdEncoding.Strict(), base64.URLEncoding.Strict(), base64.RawStdEncoding.Strict(), base64.RawURLEncoding.Strict(),
}

func decodeContent(b64 []byte) ([]byte, error) {
	content, err := DecodeBase64(b64)
	if err != nil {
		return nil, fmt.Errorf("content: %w", err)
	}
	return content, nil
}

// DecodeBase64 accepts standard and URL-safe base64, padded or not
// (ITE-ENV-4, P-DSSE-6), always in strict mode: no stray bits, and no line
// breaks, which encoding/base64 skips even in strict mode (one payload would
// have many encodings). The alphabets are tried whole, so a string mixing
// them is rejected. The result is fresh memory. It accepts nothing but the
// base64 alphabets and '=', which strictjson.Reader.StringDecoded relies on.
func DecodeBase64(src []byte) ([]byte, error) {
	if lf, cr := bytes.IndexByte(src, '\n'), bytes.IndexByte(src, '\r'); lf >= 0 || cr >= 0 {
		if lf < 0 || cr >= 0 && cr < lf {
			lf = cr
		}
		return nil, base64.CorruptInputError(lf)
	}
	// One buffer serves every attempt: the unpadded length is the largest,
	// and a failed attempt's partial output is overwritten by the next.
	dst := make([]byte, base64.RawStdEncoding.DecodedLen(len(src)))
	var firstErr error
	for _, enc := range base64Encodings {
		n, err := enc.Decode(dst[:enc.DecodedLen(len(src))], src)
		if err == nil {
			return dst[:n:n], nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}
