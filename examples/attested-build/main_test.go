package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestHonestBuildIsAccepted(t *testing.T) {
	var out bytes.Buffer
	if code := run(&out, ""); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	for _, want := range []string{"PASS           provenance.subject", "PASS           provenance.builder.signer", "PASS           provenance.source.repo", "verdict:  ACCEPTED"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "FAIL") {
		t.Errorf("honest build has a failing check:\n%s", out.String())
	}
	// Checks that do not exist yet must never be reported as passed.
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "buildenv.*") && !strings.Contains(line, "NOT_APPLICABLE") {
			t.Errorf("unimplemented check not marked NOT_APPLICABLE: %q", line)
		}
	}
}

func TestEveryAttackIsRejected(t *testing.T) {
	// Each attack fails the check that guards against it, naming the threat.
	want := map[string][]string{
		"artifact":   {"FAIL           provenance.subject", "stops F3"},
		"provenance": {"IGNORED        envelope.signature", "FAIL           provenance.present", "stops F2"},
		"signer":     {"IGNORED        envelope.signature", "FAIL           provenance.present", "stops F2"},
		"replay":     {"FAIL           provenance.subject", "stops F3"},
		"fork":       {"FAIL           provenance.source.repo", "stops D1"},
		"parameters": {"FAIL           provenance.parameters", "stops D4"},
	}
	if len(want) != len(attacks) {
		t.Fatalf("%d attacks, %d expectations", len(attacks), len(want))
	}
	for name, lines := range want {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(&out, name); code != 1 {
				t.Fatalf("exit %d, want 1 (rejected):\n%s", code, out.String())
			}
			for _, l := range append(lines, "verdict:  REJECTED") {
				if !strings.Contains(out.String(), l) {
					t.Errorf("output lacks %q:\n%s", l, out.String())
				}
			}
		})
	}
	var out bytes.Buffer
	if code := run(&out, "nonsense"); code != 2 {
		t.Errorf("unknown attack: exit %d", code)
	}
}
