// Package pins keeps the versions of dependencies that the design assigns to
// packages not written yet (go-tdx-guest for tee/tdx) pinned in go.mod, so that the module graph the
// later packages land in is the one DEPENDENCIES.md verified.
//
// The imports are in a file behind the "pins" build tag: go mod tidy sees
// them, no build compiles them, so none of those modules' init side effects
// (go-sev-guest's global flag, go-tdx-guest's logger) reach any binary. Each
// import is removed here when the package that really uses it lands.
package pins
