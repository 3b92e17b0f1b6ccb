package docdecode

import (
	"encoding/hex"
	"errors"
	"time"
)

// The sample policy the tests decode into: the shape of the policy
// package's document, with every supported kind of field.
type testPolicy struct {
	APIVersion string            `json:"apiVersion" doc:"required" desc:"Version of the policy format."`
	Trust      testTrust         `json:"trust" doc:"required"`
	Artifacts  []testArtifact    `json:"artifacts,omitempty"`
	Labels     map[string]string `json:"labels"`
	MaxAge     time.Duration     `json:"maxAge"`
	NotAfter   time.Time         `json:"notAfter"`
	Level      uint8             `json:"level"`
	Offset     int16             `json:"offset"`
	Strict     bool              `json:"strict"`
	Threshold  float64           `json:"threshold"`
	Extra      any               `json:"extra"`
	Note       *string           `json:"note"`
	Digest     hexDigest         `json:"digest"`
	Internal   string            `json:"-"`
	private    int               // unexported fields are skipped
}

// The decoder must skip private even though it exists; reading it here
// keeps linters from calling it unused.
var _ = testPolicy{}.private

type testTrust struct {
	Builders []testBuilder `json:"builders" doc:"required" desc:"Builders whose provenance is accepted."`
	Keys     []string      `json:"keys"`
}

type testBuilder struct {
	ID       string       `json:"id" doc:"required"`
	MaxLevel int          `json:"maxLevel"`
	Parent   *testBuilder `json:"parent"`
}

type testArtifact struct {
	Name    string   `json:"name" doc:"required"`
	Sources []string `json:"sources"`
}

// hexDigest is a TextUnmarshaler: a hex string of 4 to 64 bytes.
type hexDigest []byte

func (h *hexDigest) UnmarshalText(b []byte) error {
	d, err := hex.DecodeString(string(b))
	if err != nil {
		return err
	}
	if len(d) < 4 {
		return errors.New("too short")
	}
	*h = d
	return nil
}
