package vsa

import (
	"regexp"
	"strconv"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/text"
)

// Tracks named in SlsaResult tokens (VSA-12).
const (
	TrackBuild  = "BUILD"
	TrackSource = "SOURCE"
	// TrackBuildEnv is the draft Build Environment track. SLSA does not yet
	// define SlsaResult tokens for it (GAP-8): SLSA_BUILDENV_LEVEL_<n> follows
	// the SLSA_<TRACK>_LEVEL_<n> pattern and is buildtrust's choice until the
	// spec names one.
	TrackBuildEnv = "BUILDENV"
)

// Well-known SlsaResult values (VSA-12, VSA-13).
const (
	// FailedResult is the verifiedLevels value of a failed verification.
	FailedResult = "FAILED"
	// SourceTwoPartyReviewed and BuildReproduced are the verified
	// properties of SLSA 1.2 (VSA-13).
	SourceTwoPartyReviewed = "SLSA_SOURCE_TWO_PARTY_REVIEWED"
	BuildReproduced        = "SLSA_BUILD_REPRODUCED"
)

// Unevaluated is the level ParseLevel reports for SLSA_<TRACK>_LEVEL_UNEVALUATED.
const Unevaluated = -1

// LevelToken returns SLSA_<TRACK>_LEVEL_<n>, e.g. LevelToken(TrackBuild, 3)
// = "SLSA_BUILD_LEVEL_3".
func LevelToken(track string, level int) string {
	return "SLSA_" + track + "_LEVEL_" + strconv.Itoa(level)
}

// BuildEnvLevel returns the SlsaResult token for a BuildEnv level,
// SLSA_BUILDENV_LEVEL_<n>. The token is not defined by SLSA yet: the
// BuildEnv track is a draft and names no VSA token (GAP-8). Consumers
// outside buildtrust must agree on it out of band.
func BuildEnvLevel(level int) string { return LevelToken(TrackBuildEnv, level) }

var (
	levelToken  = regexp.MustCompile(`^SLSA_([A-Z][A-Z0-9]*)_LEVEL_(0|[1-9][0-9]?|UNEVALUATED)$`)
	slsaToken   = regexp.MustCompile(`^SLSA_[A-Z0-9]+(_[A-Z0-9]+)*$`)
	maxTokenLen = 256
)

// ParseLevel parses SLSA_<TRACK>_LEVEL_<n> or SLSA_<TRACK>_LEVEL_UNEVALUATED
// (level Unevaluated). ok is false for anything else (verified properties,
// FAILED, custom values).
func ParseLevel(s string) (track string, level int, ok bool) {
	m := levelToken.FindStringSubmatch(s)
	if m == nil {
		return "", 0, false
	}
	if m[2] == "UNEVALUATED" {
		return m[1], Unevaluated, true
	}
	n, _ := strconv.Atoi(m[2])
	return m[1], n, true
}

// ValidateSlsaResult checks the form of a SlsaResult (VSA-12): FAILED, or a
// value starting with SLSA_ made of upper-case words (levels, UNEVALUATED,
// verified properties), or a custom value that does not start with SLSA_.
func ValidateSlsaResult(s string) error {
	switch {
	case s == "":
		return malformed("empty SlsaResult")
	case len(s) > maxTokenLen:
		return limits.TooLarge("SlsaResult", int64(maxTokenLen))
	case !text.Printable(s):
		return malformed("SlsaResult has control characters or invalid UTF-8")
	case len(s) >= 5 && s[:5] == "SLSA_" && !slsaToken.MatchString(s):
		return malformed("SlsaResult %q starts with SLSA_ but is not SLSA_<WORDS> (VSA-12)", s)
	}
	return nil
}

// Satisfies reports whether verified levels meet a required SlsaResult. A
// level implies all lower levels of its track (VSA-12): SLSA_BUILD_LEVEL_3
// satisfies a requirement of SLSA_BUILD_LEVEL_2. Anything else — verified
// properties, custom values — must appear exactly. UNEVALUATED and FAILED
// satisfy nothing but themselves.
func Satisfies(verified []string, required string) bool {
	rtrack, rlevel, rIsLevel := ParseLevel(required)
	for _, v := range verified {
		if v == required {
			return true
		}
		if !rIsLevel || rlevel == Unevaluated {
			continue
		}
		if track, level, ok := ParseLevel(v); ok && track == rtrack && level >= rlevel {
			return true
		}
	}
	return false
}
