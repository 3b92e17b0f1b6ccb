package scai_test

import (
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/scai"
)

// benchStatements returns the statements of a genuine BuildEnv L3 bundle
// (the one policy's end-to-end benchmark evaluates) and its evidence blobs.
func benchStatements(b *testing.B) (launch, refValues, dispatch *buildtrust.Statement, evidence [][]byte) {
	b.Helper()
	bundle, err := buildenvtest.Shared(b).Build(buildenvtest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	st := func(envelope []byte) *buildtrust.Statement {
		s, err := buildenvtest.Unverified(envelope)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	return st(bundle.Launch), st(bundle.ReferenceValues), st(bundle.Dispatch), bundle.Evidence
}

// BenchmarkBuildEnv measures the SCAI work of one BuildEnv L3 evaluation:
// parsing the launch, reference-value and dispatch reports, interpreting
// them, and binding the launch's evidence to its bytes.
func BenchmarkBuildEnv(b *testing.B) {
	launch, refValues, dispatch, evidence := benchStatements(b)
	b.Logf("launch predicate %d bytes, reference values %d bytes", len(launch.Predicate), len(refValues.Predicate))
	parse := func(b *testing.B, st *buildtrust.Statement) *scai.Report {
		rep, err := scai.Parse(st)
		if err != nil {
			b.Fatal(err)
		}
		return rep
	}
	b.Run("Parse/launch", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			parse(b, launch)
		}
	})
	b.Run("Parse/refvalues", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			parse(b, refValues)
		}
	})
	for _, read := range []struct {
		name string
		st   *buildtrust.Statement
		as   func(*scai.Report) error
	}{
		{"Report.Launch", launch, func(r *scai.Report) error { _, err := r.Launch(); return err }},
		{"Report.Dispatch", dispatch, func(r *scai.Report) error { _, err := r.Dispatch(); return err }},
		{"Report.ImageReferenceValues", refValues, func(r *scai.Report) error { _, err := r.ImageReferenceValues(); return err }},
	} {
		b.Run(read.name, func(b *testing.B) {
			rep := parse(b, read.st)
			b.ReportAllocs()
			for b.Loop() {
				if err := read.as(rep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("CheckEvidence", func(b *testing.B) {
		l, err := parse(b, launch).Launch()
		if err != nil {
			b.Fatal(err)
		}
		pieces := append(l.MeasuredBoot.Pieces(), l.TEE.Pieces()...)
		supplied := func(rd *buildtrust.ResourceDescriptor) []byte {
			if rd.Content != nil {
				return nil
			}
			for _, e := range evidence {
				if _, err := scai.CheckEvidence(rd, e, buildtrust.DigestPolicy{}); err == nil {
					return e
				}
			}
			b.Fatalf("no evidence bytes for %s", rd.Name)
			return nil
		}
		data := make([][]byte, len(pieces))
		for i, rd := range pieces {
			data[i] = supplied(rd)
		}
		b.ReportAllocs()
		for b.Loop() {
			for i, rd := range pieces {
				if _, err := scai.CheckEvidence(rd, data[i], buildtrust.DigestPolicy{}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
