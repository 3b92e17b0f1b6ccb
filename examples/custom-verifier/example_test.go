package main

import (
	"context"
	"fmt"
)

// A verifier for a builder the library does not know: the policy embedded in
// the program trusts the builder's key, teaches the library where the
// builder's provenance records its source (a profile), and adds CEL rules
// over the verified provenance. The genuine build passes; each build that
// breaks a rule fails on that rule.
func Example() {
	ctx := context.Background()
	pol, err := newVerifier()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range scenarios {
		artifact, envelope, err := build(ctx, s.name, s.edit)
		if err != nil {
			fmt.Println(err)
			return
		}
		res, err := verify(ctx, pol, artifact, envelope)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-9s %s at Build L%d", s.name, res.Verdict, res.BuildLevel)
		for _, c := range res.Failures() {
			fmt.Print("; failed ", c.ID, ", stops")
			for _, id := range c.Threats {
				fmt.Print(" ", string(id))
			}
		}
		fmt.Println()
	}
	// Output:
	// genuine   PASSED at Build L3
	// network   FAILED at Build L3; failed policy.rule.hermetic, stops DEP-3
	// toolchain FAILED at Build L3; failed policy.rule.pinned-toolchain, stops DEP-2
	// cache     FAILED at Build L3; failed policy.rule.isolated-cache, stops E6
}
