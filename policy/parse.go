package policy

import (
	"errors"
	"io"

	"github.com/buildtrust/buildtrust/internal/docdecode"
	"github.com/buildtrust/buildtrust/internal/limits"
)

// Sentinels of decoding problems, re-exported so callers can branch on a
// Problem's Err without importing an internal package.
var (
	ErrSyntax       = docdecode.ErrSyntax
	ErrEncoding     = docdecode.ErrEncoding
	ErrUnknownField = docdecode.ErrUnknownField
	ErrDuplicateKey = docdecode.ErrDuplicateKey
	ErrType         = docdecode.ErrType
	ErrRequired     = docdecode.ErrRequired
	ErrUnsupported  = docdecode.ErrUnsupported
	ErrTooLarge     = limits.ErrTooLarge
)

// Decode reads a policy document, JSON or YAML (JSON when the first
// non-blank byte is '{'), strictly: unknown keys, duplicate keys, wrong
// types, YAML anchors, aliases and custom tags are errors, each with its
// line and column, and all of them are reported at once (Problems). It does
// not check the document as a whole; Parse does.
func Decode(data []byte) (Document, error) {
	doc, _, err := decode(data)
	return doc, err
}

func decode(data []byte) (Document, *docdecode.Document, error) {
	var doc Document
	dd, err := docdecode.Decode(data, docdecode.Auto, &doc)
	if err != nil {
		return Document{}, dd, convertProblems(err)
	}
	return doc, dd, nil
}

func convertProblems(err error) error {
	var dps docdecode.Problems
	if !errors.As(err, &dps) {
		var dp *docdecode.Problem
		if errors.As(err, &dp) {
			dps = docdecode.Problems{dp}
		} else {
			return Problems{{Message: err.Error(), Err: err}}
		}
	}
	out := make(Problems, 0, len(dps))
	for _, p := range dps {
		out = append(out, Problem{Line: p.Pos.Line, Column: p.Pos.Column, Path: p.Path, Message: p.Msg, Err: p.Err})
	}
	return out
}

// Parse decodes a policy document (Decode) and compiles it (Compile),
// reporting every problem of either step with its line and column. The
// policy's digest — named by the VSAs it produces — is the SHA-256 of data.
func Parse(data []byte) (*Policy, error) {
	doc, dd, err := decode(data)
	if err != nil {
		return nil, err
	}
	return Compile(doc, CompileOptions{Source: sourceDigest(data), pos: func(ptr string) (int, int) {
		p, _ := dd.Pos(ptr)
		return p.Line, p.Column
	}})
}

// Read reads a policy from r (bounded by the policy size limit) and parses
// it.
func Read(r io.Reader) (*Policy, error) {
	data, err := limits.ReadAll(r, limits.MaxPolicyBytes, "policy")
	if err != nil {
		return nil, err
	}
	return Parse(data)
}
