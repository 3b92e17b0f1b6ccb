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
	for _, want := range []string{"PASS           envelope.signature", "PASS           statement.subject", "verdict:  ACCEPTED"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// Checks that do not exist yet must never be reported as passed.
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "provenance.*") || strings.Contains(line, "buildenv.*") {
			if !strings.Contains(line, "NOT_APPLICABLE") {
				t.Errorf("unimplemented check not marked NOT_APPLICABLE: %q", line)
			}
		}
	}
}

func TestEveryAttackIsRejected(t *testing.T) {
	for name := range attacks {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if code := run(&out, name); code != 1 {
				t.Fatalf("exit %d, want 1 (rejected):\n%s", code, out.String())
			}
			for _, want := range []string{"FAIL           statement.subject", "guards F3", "verdict:  REJECTED"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
	var out bytes.Buffer
	if code := run(&out, "nonsense"); code != 2 {
		t.Errorf("unknown attack: exit %d", code)
	}
}
