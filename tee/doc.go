// Package tee will hold what AMD SEV-SNP and Intel TDX evidence share —
// claims, the report-data binding, a Verifier interface — with the vendor
// verifiers in tee/sevsnp and tee/tdx, for BuildEnv L3 (BENV-L3-*,
// THREAT-E10).
//
// Status: not implemented yet. This package exports nothing today; it is
// planned in issue #4 of the project tracker, and the README's status table
// says when that changes. It exists so that the package layout and its
// import rules (deps_test.go) are fixed from the start.
package tee
