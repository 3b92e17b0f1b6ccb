package limits

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadAll(t *testing.T) {
	if got, err := ReadAll(strings.NewReader("abcd"), 4, "x"); err != nil || string(got) != "abcd" {
		t.Fatalf("at limit: %q, %v", got, err)
	}
	if _, err := ReadAll(strings.NewReader("abcde"), 4, "x"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over limit: %v", err)
	}
	boom := errors.New("boom")
	if _, err := ReadAll(iotest.ErrReader(boom), 4, "x"); !errors.Is(err, boom) {
		t.Fatalf("read error: %v", err)
	}
}

func TestSplitLines(t *testing.T) {
	lines, err := SplitLines([]byte("a\r\n\n  \n b \nc"), 100, 3, "x")
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{{1, []byte("a")}, {4, []byte("b")}, {5, []byte("c")}}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d", len(lines), len(want))
	}
	for i, l := range lines {
		if l.Number != want[i].Number || string(l.Data) != string(want[i].Data) {
			t.Errorf("line %d = %d %q, want %d %q", i, l.Number, l.Data, want[i].Number, want[i].Data)
		}
	}
	if _, err := SplitLines([]byte("a\nb\nc\nd"), 100, 3, "x"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("four lines with at most three: %v", err)
	}
	if _, err := SplitLines([]byte("abcde"), 4, 3, "x"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("five bytes with at most four: %v", err)
	}
}
