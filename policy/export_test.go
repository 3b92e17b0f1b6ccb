package policy

import "crypto/sha256"

// KeptParsed returns how many envelopes p keeps parsed.
func KeptParsed(p *Policy) int {
	if p.parsed == nil {
		return 0
	}
	return p.parsed.Len()
}

// IsKeptParsed reports whether p keeps the envelope raw parsed.
func IsKeptParsed(p *Policy, raw []byte) bool {
	_, ok := p.keptParse(sha256.Sum256(raw))
	return ok
}
