//go:build pins

package pins

import (
	_ "github.com/google/go-eventlog/tcg"
	_ "github.com/google/go-sev-guest/abi"
	_ "github.com/google/go-tdx-guest/abi"
	_ "github.com/google/go-tpm/tpm2"
)
