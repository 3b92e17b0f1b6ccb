package buildtrust

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust/threat"
)

// TestThreatsMitigatedHere shows, for every threat the checks of this
// package mitigate, the attack being rejected with an error that names the
// threat (REQUIREMENTS.md §6.1).
func TestThreatsMitigatedHere(t *testing.T) {
	builder := newSigner(t, "p256", KeyOptions{})
	attacker := newSigner(t, "p256b", KeyOptions{})
	trusted := VerifyOptions{Keys: []*PublicKey{builder.PublicKey()}}
	artifact := DigestSet{SHA256: strings.Repeat("ab", 32)} // testStatement's subject

	tamperedPayload := func() []byte {
		env, err := ParseEnvelope(signedEnvelope(t, builder))
		if err != nil {
			t.Fatal(err)
		}
		env.Payload = []byte(strings.Replace(string(env.Payload), strings.Repeat("ab", 32), strings.Repeat("cd", 32), 1))
		out, _ := json.Marshal(env)
		return out
	}
	verifyAndMatch := func(envelope []byte, art DigestSet, p DigestPolicy) error {
		vs, err := VerifyStatement(envelope, trusted)
		if err != nil {
			return err
		}
		_, err = vs.MatchSubjects(art, p)
		return err
	}
	weakStatement := func() []byte {
		st, err := NewStatement("https://slsa.dev/provenance/v1", nil,
			ResourceDescriptor{Name: "app", Digest: DigestSet{"sha1": strings.Repeat("ab", 20)}})
		if err != nil {
			t.Fatal(err)
		}
		env, err := SignStatement(context.Background(), st, builder)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := json.Marshal(env)
		return out
	}

	tests := []struct {
		threat   threat.ID
		attack   string
		err      error
		sentinel error
	}{
		{threat.F4, "provenance edited after signing", verifyAndMatch(tamperedPayload(), artifact, DigestPolicy{}), ErrSignature},
		{threat.F4, "provenance forged and signed by an untrusted key", verifyAndMatch(signedEnvelope(t, attacker), artifact, DigestPolicy{}), ErrSignature},
		{threat.G6, "provenance in the registry replaced by a re-signed copy", verifyAndMatch(signedEnvelope(t, attacker), artifact, DigestPolicy{}), ErrSignature},
		{threat.F3, "artifact swapped after the build", verifyAndMatch(signedEnvelope(t, builder), DigestSet{SHA256: strings.Repeat("ef", 32)}, DigestPolicy{}), ErrSubjectMismatch},
		{threat.G5, "artifact swapped in the registry", verifyAndMatch(signedEnvelope(t, builder), DigestSet{SHA256: strings.Repeat("ef", 32)}, DigestPolicy{}), ErrSubjectMismatch},
		{threat.V2, "artifact bound only by a collidable SHA-1 digest", verifyAndMatch(weakStatement(), DigestSet{"sha1": strings.Repeat("ab", 20)}, DigestPolicy{}), ErrWeakDigest},
	}
	for _, tc := range tests {
		title := string(tc.threat)
		if th, ok := tc.threat.Threat(); ok {
			title += " " + th.Title
		}
		t.Run(title+"/"+tc.attack, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("attack accepted")
			}
			if !errors.Is(tc.err, tc.threat) || !errors.Is(tc.err, tc.sentinel) {
				t.Fatalf("err = %v, want %v naming threat %s", tc.err, tc.sentinel, tc.threat)
			}
		})
	}
}
