package buildenvtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/provenance"
	"github.com/buildtrust/buildtrust/tee"
	"github.com/buildtrust/buildtrust/tee/sevsnp"
	"github.com/buildtrust/buildtrust/tee/sevsnp/sevsnptest"
	"github.com/buildtrust/buildtrust/tee/tdx/tdxtest"
	"github.com/buildtrust/buildtrust/tpm/tpmtest"
)

// Names used in every bundle. They are constants so that a test or a
// policy document can name them without a World; the World repeats them as
// fields.
const (
	BuilderID       = "https://build.example.com/attested-builder/v1"
	BuildType       = "https://build.example.com/buildtypes/attested-make/v1"
	SourceRepo      = "git.example.com/acme/app"
	SourceRef       = "refs/tags/v1.0.0"
	SourceTag       = "v1.0.0"
	SourceCommit    = "5b7a0e5d0c6f4e2a9d1b3c8e7f6a5b4c3d2e1f00"
	ConfigPath      = "build/release.mk"
	BuildID         = "https://build.example.com/runs/1042"
	ArtifactName    = "app-1.0.0-linux-amd64.tar.gz"
	ImageBuilderID  = "https://images.example.com/image-builder/v2"
	ImageBuildType  = "https://images.example.com/buildtypes/disk-image/v1"
	ImageSourceRepo = "git.example.com/acme/build-images"
	ImageSourceRef  = "refs/tags/v3.2.0"
	ImageConfigPath = "images/builder.pkr.hcl"
	ImageName       = "builder-image.qcow2"
	ProducerURI     = "https://images.example.com/producer"
	// EvidenceBase prefixes the downloadLocation of evidence and
	// attestations that are referenced rather than inlined.
	EvidenceBase = "https://evidence.example.com/environments/"
)

// PurposeProvenance is the binding purpose of a response-time TEE report:
// its REPORT_DATA is tee.Bind(PurposeProvenance, SHA-256 of the provenance
// envelope's payload), which makes the provenance statement itself
// hardware-attested (DESIGN.md, "Binding convention").
const PurposeProvenance = tee.PurposeProvenance

// Platforms of Options.Platform (the scai and tee names).
const (
	PlatformSEVSNP = "sev-snp"
	PlatformTDX    = "tdx"
)

// Profile tells provenance.Check where the provenance of BuildType and of
// ImageBuildType records its source and build configuration: both put them
// in externalParameters "source" (git+https://<repo>@<ref>) and "config".
var Profile = provenance.Profile{
	BuildTypes: []string{BuildType, ImageBuildType},
	Source:     []string{"/buildDefinition/externalParameters/source"},
	ConfigPath: []string{"/buildDefinition/externalParameters/config"},
	Covers:     []string{"/source", "/config"},
}

// Key is one party's signing key: the signer, its public key, and the
// public key as PKIX "PUBLIC KEY" PEM, as a policy document would hold it.
type Key struct {
	Signer *buildtrust.KeySigner
	Public *buildtrust.PublicKey
	PEM    string
}

// World is every party and trust root of one deployment: the builder, the
// image builder and producer, the launch signer (the host interface that
// admits environments), a verifier, an untrusted party, the TPM attestation
// key and the SEV-SNP and TDX test chains. Ed25519 keys and the AK come from
// fixed seeds and are the same in every World; the TDX chain and the AK CA
// are generated per NewWorld. A World is immutable and safe for concurrent
// use.
type World struct {
	// Now is a verification time at which every certificate, CRL and
	// collateral item is valid (tdxtest collateral: DefaultTime to +30 days;
	// sevsnptest certificates from 2024-01-01).
	Now time.Time

	// Builder signs the artifact's provenance; ImageBuilder the build
	// image's provenance; ImageProducer the image reference values;
	// LaunchSigner the launch attestation; Verifier is for VSAs a policy
	// issues; Other is a key nobody trusts, for attacks.
	Builder, ImageBuilder, ImageProducer, LaunchSigner, Verifier, Other *Key

	// AK is the TPM attestation key (ECDSA P-256), trusted by pinning;
	// AKPEM is its PKIX PEM. AKRootPEM is the test CA certificate that
	// issued the AK certificate the launch evidence carries, for verifiers
	// that trust AKs by certificate instead.
	AK        crypto.PublicKey
	AKPEM     string
	AKRootPEM []byte

	// SNP signs SEV-SNP reports; SNPRootBundles are its test roots (parse
	// with sevsnp.ParseRoots).
	SNP            *sevsnptest.Signer
	SNPRootBundles []sevsnp.RootBundle
	// TDX signs TDX quotes; TDXRootsPEM is its test root (parse with
	// tdx.ParseRoots).
	TDX         *tdxtest.Signer
	TDXRootsPEM []byte

	// Names used in the bundle (the constants of the same names).
	BuilderID, ImageBuilderID, BuildType, ImageBuildType string
	SourceRepo, SourceRef, SourceTag, SourceCommit       string
	ImageSourceRepo, ImageSourceRef                      string
	BuildID, ArtifactName, ImageName                     string

	akKey      *ecdsa.PrivateKey
	akCert     []byte
	collateral []byte // TDX collateral, one bundle per World
}

// seed derives a fixed 32-byte seed for a role.
func seed(role string) []byte {
	s := sha256.Sum256([]byte("buildtrust/buildenvtest/v1\x00" + role))
	return s[:]
}

// edKey is the seeded Ed25519 private key of a role.
func edKey(role string) ed25519.PrivateKey { return ed25519.NewKeyFromSeed(seed(role)) }

func newKey(role string) (*Key, error) {
	s, err := buildtrust.NewSigner(edKey(role), buildtrust.KeyOptions{Name: role})
	if err != nil {
		return nil, err
	}
	p, err := publicPEM(s.PublicKey().Public())
	if err != nil {
		return nil, err
	}
	return &Key{Signer: s, Public: s.PublicKey(), PEM: p}, nil
}

func publicPEM(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// fixedAK derives the fixed ECDSA P-256 attestation key: the seed read as a
// scalar (a published test key; never use it for anything real).
func fixedAK() (*ecdsa.PrivateKey, error) {
	return ecdsa.ParseRawPrivateKey(elliptic.P256(), seed("tpm-ak"))
}

// NewWorld builds the parties and trust roots. Apart from the TDX chain and
// the AK CA, which are generated, everything is the same in every World.
func NewWorld() (*World, error) {
	w := &World{
		Now:       tdxtest.DefaultTime.Add(24 * time.Hour),
		BuilderID: BuilderID, ImageBuilderID: ImageBuilderID, BuildType: BuildType, ImageBuildType: ImageBuildType,
		SourceRepo: SourceRepo, SourceRef: SourceRef, SourceTag: SourceTag, SourceCommit: SourceCommit,
		ImageSourceRepo: ImageSourceRepo, ImageSourceRef: ImageSourceRef,
		BuildID: BuildID, ArtifactName: ArtifactName, ImageName: ImageName,
	}
	for _, k := range []struct {
		dst  **Key
		role string
	}{
		{&w.Builder, "builder"}, {&w.ImageBuilder, "image-builder"}, {&w.ImageProducer, "image-producer"},
		{&w.LaunchSigner, "launch-signer"}, {&w.Verifier, "verifier"}, {&w.Other, "other"},
	} {
		key, err := newKey(k.role)
		if err != nil {
			return nil, fmt.Errorf("buildenvtest: %s key: %w", k.role, err)
		}
		*k.dst = key
	}

	ak, err := fixedAK()
	if err != nil {
		return nil, fmt.Errorf("buildenvtest: AK: %w", err)
	}
	w.akKey, w.AK = ak, ak.Public()
	if w.AKPEM, err = publicPEM(w.AK); err != nil {
		return nil, err
	}
	notBefore, notAfter := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC)
	ca, err := tpmtest.NewCA("buildenvtest AK CA", notBefore, notAfter)
	if err != nil {
		return nil, fmt.Errorf("buildenvtest: AK CA: %w", err)
	}
	if w.akCert, err = ca.IssueAK(w.AK, notBefore, notAfter); err != nil {
		return nil, fmt.Errorf("buildenvtest: AK certificate: %w", err)
	}
	w.AKRootPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Certificate.Raw})

	if w.SNP, err = sevsnptest.New(sevsnptest.Options{}); err != nil {
		return nil, fmt.Errorf("buildenvtest: SEV-SNP signer: %w", err)
	}
	w.SNPRootBundles = w.SNP.RootBundles()

	if w.TDX, err = tdxtest.New(tdxtest.Options{}); err != nil {
		return nil, fmt.Errorf("buildenvtest: TDX signer: %w", err)
	}
	w.TDXRootsPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.TDX.Root.Raw})
	if w.collateral, err = w.TDX.Collateral(tdxtest.Collateral{}); err != nil {
		return nil, fmt.Errorf("buildenvtest: TDX collateral: %w", err)
	}
	return w, nil
}
