// Package provenance will make, sign, parse and verify SLSA Build Provenance
// v1 (reading v0.2 and normalizing it to v1), and check it against a
// consumer's expectations: builder ID and version, source repository, ref and
// commit, buildType and external parameters, each check naming the threats it
// guards (THREAT-D1…D5, E1, F1–F4).
//
// Status: not implemented yet. This package exports nothing today; it is
// planned in issue #3 of the project tracker, and the README's status table
// says when that changes. It exists so that the package layout and its
// import rules (deps_test.go) are fixed from the start.
package provenance
