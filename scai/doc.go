// Package scai will build, sign, parse and validate in-toto SCAI attribute
// reports (v0.2 and v0.3) and the BuildEnv attestations built on them: image
// reference values, environment launch attestations and dispatch bindings.
//
// Status: not implemented yet. This package exports nothing today; it is
// planned in issue #5 of the project tracker, and the README's status table
// says when that changes. It exists so that the package layout and its
// import rules (deps_test.go) are fixed from the start.
package scai
