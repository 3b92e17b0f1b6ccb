package sigstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/corpustest"
)

// jsonlFile assembles, in memory, a GitHub-style attestation JSON Lines
// file from corpus bundles (each compacted to one line), with a blank
// line, a CRLF line end, a non-JSON line, a tampered bundle and a
// forged-field bundle among them.
func jsonlFile(t *testing.T) []byte {
	t.Helper()
	files := []string{
		gha + "bundle/valid-v0.3.intoto.sigstore",
		sv + "bcr/rules_lint-v1.3.1.tar.gz.intoto.jsonl",
		sv + "gha_delegator/v2.1.0/binary-linux-amd64-push-v14.build.slsa",
		gha + "bundle/invalid-set.intoto.sigstore",        // ignored: sigstore.tlog
		sv + "bcr/MODULE-wrong-signer.bazel.intoto.jsonl", // ignored: sigstore.forgeable.builder
	}
	var buf bytes.Buffer
	for i, f := range files {
		var c bytes.Buffer
		if err := json.Compact(&c, corpustest.File(t, f)); err != nil {
			t.Fatal(err)
		}
		buf.Write(c.Bytes())
		if i == 1 {
			buf.WriteString("\r\n\n   \n")
			buf.WriteString("not json\n")
		} else {
			buf.WriteByte('\n')
		}
	}
	return buf.Bytes()
}

// TestJSONLines: each line is verified on its own; bad lines are ignored
// with their reason; the outcome does not depend on line order.
func TestJSONLines(t *testing.T) {
	v := newVerifier(t, Options{})
	data := jsonlFile(t)
	l, err := ParseJSONLines(data)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 6 {
		t.Fatalf("%d lines", l.Len())
	}
	res := v.VerifyJSONLines(l)
	if len(res.Verified) != 3 || len(res.Ignored) != 3 {
		t.Fatalf("verified %d, ignored %d: %v", len(res.Verified), len(res.Ignored), res.Ignored)
	}
	if got := []int{res.Verified[0].Line, res.Verified[1].Line, res.Verified[2].Line}; !slices.Equal(got, []int{1, 2, 6}) {
		t.Fatalf("verified lines %v", got)
	}
	wantIgnored := []struct {
		line     int
		check    string
		sentinel error
	}{{5, CheckBundle, ErrMalformed}, {7, CheckTlog, ErrTransparencyLog}, {8, CheckForgeableBuilder, ErrForgedField}}
	for i, w := range wantIgnored {
		le := res.Ignored[i]
		var ce *buildtrust.CheckError
		if le.Line != w.line || !errors.As(le.Err, &ce) || ce.Check != w.check || !errors.Is(&le, w.sentinel) {
			t.Fatalf("ignored %d: line %d %v, want line %d %s", i, le.Line, le.Err, w.line, w.check)
		}
	}
	for _, e := range res.Verified {
		if e.Statement == nil || e.Identity == nil || e.SigningTime.IsZero() {
			t.Fatalf("line %d: incomplete result", e.Line)
		}
	}

	// Order independence: reversed lines give the same verified statements.
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	slices.Reverse(lines)
	rl, err := ParseJSONLines([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	rres := v.VerifyJSONLines(rl)
	key := func(es []JSONLinesEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, string(e.Payload))
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(key(res.Verified), key(rres.Verified)) || len(rres.Ignored) != len(res.Ignored) {
		t.Fatal("outcome depends on line order")
	}
	// ReadJSONLines reads the same.
	rd, err := ReadJSONLines(bytes.NewReader(data))
	if err != nil || rd.Len() != l.Len() {
		t.Fatalf("ReadJSONLines: %v", err)
	}
}

// TestJSONLinesBounds: size and line-count limits, and empty input.
func TestJSONLinesBounds(t *testing.T) {
	if _, err := ParseJSONLines(make([]byte, MaxJSONLinesSize+1)); !errors.Is(err, buildtrust.ErrTooLarge) {
		t.Fatalf("size: %v", err)
	}
	if _, err := ReadJSONLines(bytes.NewReader(make([]byte, MaxJSONLinesSize+1))); !errors.Is(err, buildtrust.ErrTooLarge) {
		t.Fatalf("read size: %v", err)
	}
	if _, err := ParseJSONLines([]byte(strings.Repeat("{}\n", MaxJSONLines+1))); !errors.Is(err, buildtrust.ErrTooLarge) {
		t.Fatalf("lines: %v", err)
	}
	l, err := ParseJSONLines([]byte(strings.Repeat("{}\n", MaxJSONLines)))
	if err != nil || l.Len() != MaxJSONLines {
		t.Fatalf("at the limit: %v", err)
	}
	l, err = ParseJSONLines([]byte("\n \r\n"))
	if err != nil || l.Len() != 0 {
		t.Fatalf("blank: %v", err)
	}
	var v Verifier
	if r := v.VerifyJSONLines(nil); len(r.Verified)+len(r.Ignored) != 0 {
		t.Fatal("nil lines")
	}
}
