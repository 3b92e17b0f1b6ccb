package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
)

// The builder side: Acme's hermetic CI, a build platform the library has
// never heard of. Its provenance is ordinary SLSA Provenance v1, but where it
// records the source, the build recipe and the sandbox is its own layout:
//
//	buildDefinition:
//	  buildType: https://ci.acme.example/buildtypes/sealed-build/v2
//	  externalParameters:
//	    checkout: {repository, ref, revision}   the source
//	    recipe:   {file, target}                the build configuration
//	    sandbox:  {hermetic, network}           how the build was sealed
//	  internalParameters:
//	    cache: isolated | shared                the build cache it could read
//	  resolvedDependencies: the source, and the toolchain by name "toolchain"
const (
	builderID    = "https://ci.acme.example/builders/hermetic/v2"
	buildType    = "https://ci.acme.example/buildtypes/sealed-build/v2"
	repository   = "https://git.acme.example/platform/widget.git"
	ref          = "refs/tags/v2.4.0"
	revision     = "04d106bb9d49573d1836ca29fdd20651b9aed6cd"
	recipeFile   = "release/widget.recipe"
	target       = "//cmd/widget:release"
	invocation   = "https://ci.acme.example/runs/88412"
	artifactName = "widget-2.4.0-linux-amd64.tar.gz"

	// The toolchain the release must be built with, and the one a
	// misconfigured runner picked instead.
	toolchainURI       = "https://dl.acme.example/toolchains/go1.25.3-acme.1.linux-amd64.tar.gz"
	toolchainSHA256    = "7e7dc02ffa4a76673d57ff5d5d0d8c93b675eca5b1ef93d2e0e21452dd592b02"
	oldToolchainURI    = "https://dl.acme.example/toolchains/go1.24.0.linux-amd64.tar.gz"
	oldToolchainSHA256 = "bfa7948d05e825428bcd1014eae4f099f755041852ea0aadf7066de5cac1c1d7"
)

// builderKey is the builder's Ed25519 signing key, derived from a published
// seed so that the example's output and its embedded policy are stable. It
// is a demonstration key: it proves nothing, since anyone can derive it.
func builderKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("buildtrust examples/custom-verifier: acme hermetic CI signing key"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// buildStarted is when the example's builds ran; evaluations happen at
// verifyTime, a little later. Fixed, so the output is reproducible.
var (
	buildStarted = time.Date(2026, 3, 2, 9, 40, 0, 0, time.UTC)
	verifyTime   = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
)

// genuineProvenance is the provenance of the release build as Acme's CI
// records it.
func genuineProvenance() provenance.Provenance {
	started, finished := buildStarted, buildStarted.Add(7*time.Minute)
	return provenance.Provenance{
		BuildDefinition: provenance.BuildDefinition{
			BuildType: buildType,
			ExternalParameters: map[string]any{
				"checkout": map[string]any{"repository": repository, "ref": ref, "revision": revision},
				"recipe":   map[string]any{"file": recipeFile, "target": target},
				"sandbox":  map[string]any{"hermetic": true, "network": "none"},
			},
			InternalParameters: map[string]any{"cache": "isolated"},
			ResolvedDependencies: []buildtrust.ResourceDescriptor{
				{URI: "git+" + repository + "@" + ref, Digest: buildtrust.DigestSet{buildtrust.GitCommit: revision}},
				{Name: "toolchain", URI: toolchainURI, Digest: buildtrust.DigestSet{buildtrust.SHA256: toolchainSHA256}},
			},
		},
		RunDetails: provenance.RunDetails{
			Builder:  provenance.Builder{ID: builderID, Version: map[string]string{"hermetic-ci": "2.7.1"}},
			Metadata: &provenance.BuildMetadata{InvocationID: invocation, StartedOn: &started, FinishedOn: &finished},
		},
	}
}

// build plays Acme's CI: it produces the artifact and signs the provenance
// (edited by edit, to make the builds a verifier must refuse) into a DSSE
// envelope, serialized as it would be published next to the artifact.
func build(ctx context.Context, name string, edit func(*provenance.Provenance)) (artifact, envelope []byte, err error) {
	p := genuineProvenance()
	if edit != nil {
		edit(&p)
	}
	artifact = fmt.Appendf(nil, "widget v2.4.0 linux/amd64 release archive (%s build)\n", name)
	digest, _, err := buildtrust.Digest(bytes.NewReader(artifact), buildtrust.SHA256, buildtrust.SHA512)
	if err != nil {
		return nil, nil, err
	}
	signer, err := buildtrust.NewSigner(builderKey(), buildtrust.KeyOptions{Name: "acme-hermetic-ci"})
	if err != nil {
		return nil, nil, err
	}
	env, err := provenance.Sign(ctx, p, []buildtrust.ResourceDescriptor{{Name: artifactName, Digest: digest}}, signer)
	if err != nil {
		return nil, nil, err
	}
	envelope, err = json.Marshal(env)
	return artifact, envelope, err
}
