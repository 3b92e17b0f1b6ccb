package limits

import (
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
