// Package policy will evaluate a versioned policy document over a bundle of
// attestations and hardware evidence into a Result: verdict, Build level,
// BuildEnv level, every check with its threats, and the threats left open.
//
// Status: not implemented yet. This package exports nothing today; it is
// planned in issue #6 of the project tracker, and the README's status table
// says when that changes. It exists so that the package layout and its
// import rules (deps_test.go) are fixed from the start.
package policy
