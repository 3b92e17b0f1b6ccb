// Package bench holds no code: its tests compare buildtrust's verifiers with
// the peer libraries on the same inputs. See BENCHMARKS.md.
package bench
