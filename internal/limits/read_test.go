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
