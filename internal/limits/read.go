package limits

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge is wrapped by every error that rejects an input for exceeding a
// limit. The root package re-exports it as buildtrust.ErrTooLarge.
var ErrTooLarge = errors.New("input exceeds limit")

// ReadAll reads r to the end, failing with an error wrapping ErrTooLarge as
// soon as more than max bytes arrive; it never buffers more than max+1 bytes.
func ReadAll(r io.Reader, max int64, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if int64(len(data)) > max {
		return nil, TooLarge(what, max)
	}
	return data, nil
}

// TooLarge returns an error wrapping ErrTooLarge naming what was too large
// and the limit it exceeded.
func TooLarge(what string, max int64) error {
	return fmt.Errorf("%s: %w (%d)", what, ErrTooLarge, max)
}

// Line is one non-blank line of a JSON Lines input.
type Line struct {
	Number int    // 1-based line number in the input
	Data   []byte // the line without surrounding white space, copied
}

// SplitLines splits a JSON Lines input into its non-blank lines ("\r\n"
// line ends accepted), failing with an error wrapping ErrTooLarge when data
// is over maxBytes or holds over maxLines non-blank lines. It parses
// nothing: a line is verified on its own by the caller.
func SplitLines(data []byte, maxBytes int64, maxLines int, what string) ([]Line, error) {
	if int64(len(data)) > maxBytes {
		return nil, TooLarge(what, maxBytes)
	}
	var lines []Line
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if len(lines) == maxLines {
			return nil, TooLarge(what+" lines", int64(maxLines))
		}
		lines = append(lines, Line{Number: n, Data: bytes.Clone(line)})
	}
	return lines, nil
}
