//go:build pins

package pins

import (
	_ "github.com/google/go-tdx-guest/abi"
)
