// Package tpm will verify TPM 2.0 quotes (magic, type, nonce, PCR digest,
// signature, AK trust) and replay measured-boot event logs against reference
// values, for BuildEnv L2 (BENV-L2-*, THREAT-E9).
//
// Status: not implemented yet. This package exports nothing today; it is
// planned in issue #9 of the project tracker, and the README's status table
// says when that changes. It exists so that the package layout and its
// import rules (deps_test.go) are fixed from the start.
package tpm
