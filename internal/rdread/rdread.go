// Package rdread reads the ResourceDescriptors nested in predicates
// (provenance's resolvedDependencies and byproducts, SCAI targets, evidence
// and producers) as buildtrust.ResourceDescriptor values. It sits between
// internal/descriptor, which the root package itself uses (and so cannot
// name the root's types), and the predicate packages, which cannot reach
// the root's unexported reader.
package rdread

import (
	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/descriptor"
	"github.com/buildtrust/buildtrust/internal/strictjson"
)

// Read reads one descriptor in one pass. When that fails it rewinds and
// reads the value again with ReadTwoPass, the reference, whose error it
// returns: a value with several faults then fails with the error it always
// did (too deep rather than a wrong type, say), and whether an error is
// ErrTooLarge stays what callers saw. Errors are rare.
func Read(r *strictjson.Reader) (buildtrust.ResourceDescriptor, error) {
	start := r.Offset()
	f, err := descriptor.Read(r)
	if err != nil {
		r.Rewind(start)
		return ReadTwoPass(r)
	}
	return buildtrust.ResourceDescriptor{
		Name: f.Name, URI: f.URI, Digest: buildtrust.DigestSet(f.Digest), Content: f.Content,
		DownloadLocation: f.DownloadLocation, MediaType: f.MediaType, Annotations: buildtrust.Annotations(f.Annotations),
	}, nil
}

// ReadTwoPass checks the whole value, then decodes it with
// ResourceDescriptor.UnmarshalJSON: the semantics Read must keep.
func ReadTwoPass(r *strictjson.Reader) (buildtrust.ResourceDescriptor, error) {
	var rd buildtrust.ResourceDescriptor
	raw, err := r.RawView() // decoded at once; the descriptor copies what it keeps
	if err == nil {
		err = rd.UnmarshalJSON(raw)
	}
	return rd, err
}
