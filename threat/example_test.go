package threat_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/buildtrust/buildtrust/threat"
)

func ExampleLookup() {
	t, ok := threat.Lookup(threat.E10)
	fmt.Println(ok)
	fmt.Println(t.Title)
	fmt.Println(t.Category, "|", t.Level, "| draft:", t.Draft)
	fmt.Println(t.Requirements[0])
	// Output:
	// true
	// Compromise build environment in use
	// build | BuildEnv L3 | draft: true
	// THREAT-E10
}

// A verifier wraps the IDs of the threats a failed check guards against;
// callers branch on them with errors.Is.
func ExampleID_Error() {
	verify := func() error {
		return fmt.Errorf("provenance: signature does not verify: %w", threat.F4)
	}
	err := verify()
	fmt.Println(err)
	fmt.Println(errors.Is(err, threat.F4), errors.Is(err, threat.F3))
	// Output:
	// provenance: signature does not verify: threat F4: Tamper with provenance
	// true false
}

func ExampleParse() {
	id, err := threat.Parse("THREAT-B1-1")
	fmt.Println(string(id), err)
	fmt.Println(id) // an ID is an error: fmt prints its Error text
	_, err = threat.Parse("Z9")
	fmt.Println(errors.Is(err, threat.ErrUnknownID))
	// Output:
	// B1-1 <nil>
	// threat B1-1: Directly submit without review
	// true
}

// Cover lists what a policy leaves open: here one that checks the Build
// track expectations, provenance presence, subject and signature.
func ExampleCover() {
	c := threat.Cover([]threat.ID{
		threat.D1, threat.D2, threat.D3, threat.D4, threat.D5,
		threat.F1, threat.F2, threat.F3, threat.F4,
	})
	fmt.Println("mitigated:", len(c.Mitigated))
	fmt.Println("open:", len(c.Open))
	for _, t := range c.Open {
		if t.Category == threat.CategoryBuild {
			fmt.Println("open:", string(t.ID), t.Level)
		}
	}
	// Output:
	// mitigated: 9
	// open: 47
	// open: E1 Build L2
	// open: E3 Build L2
	// open: E4 Build L3
	// open: E5 Build L3
	// open: E6 Build L3
	// open: E7 BuildEnv L2
	// open: E8 BuildEnv L1
	// open: E9 BuildEnv L2
	// open: E10 BuildEnv L3
}

func ExampleAssessment_Validate() {
	a := threat.Assessment{
		Builder:      "https://builder.example/l3",
		ClaimedLevel: 3,
		Answers:      map[string]string{"cache/1": "none"},
		SelfAttested: true,
		IssuedAt:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		ExpiresAt:    time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	err := a.Validate(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(errors.Is(err, threat.ErrUnansweredPrompt))
	fmt.Println(errors.Is(err, threat.ErrAssessmentExpired))
	// Output:
	// true
	// false
}

func ExampleComponents() {
	for _, c := range threat.Components() {
		fmt.Println(c.ID, len(c.Prompts))
	}
	p, _ := threat.LookupPrompt("cache/3")
	fmt.Println(p.Text, p.Versions)
	// Output:
	// external-parameters 5
	// control-plane 20
	// build-environment 9
	// cache 4
	// output-storage 2
	// How are cache contents validated before use? [v1.0]
}
