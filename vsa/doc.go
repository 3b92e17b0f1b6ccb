// Package vsa will produce, sign and verify SLSA Verification Summary
// Attestations v1 (fields of 1.0–1.2) and in-toto Simple Verification Results
// v0.2, as consumer (VSA-VER-1…8) and as producer.
//
// Status: not implemented yet. This package exports nothing today; it is
// planned in issue #5 of the project tracker, and the README's status table
// says when that changes. It exists so that the package layout and its
// import rules (deps_test.go) are fixed from the start.
package vsa
