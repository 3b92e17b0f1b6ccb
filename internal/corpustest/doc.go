// Package corpustest gives tests read-only access to the shared corpus of
// real attestations and evidence written by other projects
// (../shared/corpus beside the checkout), and the small normalizations its
// spec examples need. The corpus is read in place, never copied; every
// accessor skips the test when it is absent.
package corpustest
