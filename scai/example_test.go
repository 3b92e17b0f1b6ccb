package scai_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/scai"
	"github.com/buildtrust/buildtrust/threat"
)

// exampleKey returns a fixed Ed25519 key (RFC 8032 §7.1 TEST 1 seed, or a
// variation of it), so that the examples' output is reproducible. Never use
// a published key for real.
func exampleKey(variant byte) ed25519.PrivateKey {
	seed, _ := hex.DecodeString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	seed[0] ^= variant
	return ed25519.NewKeyFromSeed(seed)
}

func indent(raw []byte) string {
	var b bytes.Buffer
	_ = json.Indent(&b, raw, "", "  ")
	return b.String()
}

// A compiler asserts an attribute of the binary it built, and a consumer
// verifies the report and looks the attribute up.
func ExampleVerify() {
	signer, _ := buildtrust.NewSigner(exampleKey(0), buildtrust.KeyOptions{})
	binary := buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("ab", 32)}
	st, _ := scai.New(scai.AttributeReport{
		Attributes: []scai.AttributeAssertion{{
			Attribute:  "WITH_STACK_PROTECTION",
			Conditions: json.RawMessage(`{"flags":"-fstack-protector-strong"}`),
		}},
		Producer: &buildtrust.ResourceDescriptor{URI: "file:///usr/bin/gcc", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("cd", 32)}},
	}, buildtrust.ResourceDescriptor{Name: "my-app", Digest: binary})
	env, _ := buildtrust.SignStatement(context.Background(), st, signer)
	envelope, _ := json.Marshal(env)

	trusted, _ := buildtrust.NewPublicKey(exampleKey(0).Public(), buildtrust.KeyOptions{})
	v, err := scai.Verify(envelope, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{trusted}, Subject: binary})
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	a, err := v.Report.Predicate.Require("WITH_STACK_PROTECTION")
	fmt.Println(v.Report.PredicateType, string(a.Conditions), err)
	_, err = v.Report.Predicate.Require("REPRODUCIBLE")
	fmt.Println(errors.Is(err, scai.ErrAttribute))
	// Output:
	// https://in-toto.io/attestation/scai/v0.3 {"flags":"-fstack-protector-strong"} <nil>
	// true
}

// Evidence is bound to its descriptor by digest: inline when small, by
// reference otherwise, and checked against whatever bytes are supplied.
func ExampleCheckEvidence() {
	log := bytes.Repeat([]byte{0x01}, 4096) // too large to inline
	rd, _ := scai.NewEvidence("eventlog", scai.MediaTypeTCGEventLog, log, "https://evidence.example/env-7/eventlog")
	fmt.Println(rd.Content == nil, rd.DownloadLocation)

	_, err := scai.CheckEvidence(&rd, log, buildtrust.DigestPolicy{})
	fmt.Println(err)

	log[0] ^= 1 // a tampered log
	_, err = scai.CheckEvidence(&rd, log, buildtrust.DigestPolicy{})
	fmt.Println(errors.Is(err, scai.ErrEvidence), errors.Is(err, threat.E9))
	// Output:
	// true https://evidence.example/env-7/eventlog
	// <nil>
	// true true
}

// The image producer publishes signed reference values (BENV-L2-2).
func ExampleNewImageReferenceValues() {
	st, _ := scai.NewImageReferenceValues(scai.ImageReferenceValues{
		Image: buildtrust.ResourceDescriptor{Name: "builder.qcow2", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("11", 32)}},
		Values: []scai.ReferenceValue{
			{Component: scai.Kernel, Name: "vmlinuz", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("22", 32)}},
			{Component: scai.PCR, Name: "PCR7", PCR: 7, Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("33", 32)}},
			{Component: scai.TEELaunch, Name: "MEASUREMENT", Platform: scai.PlatformSEVSNP, Digest: buildtrust.DigestSet{buildtrust.SHA384: strings.Repeat("44", 48)}},
		},
	})
	fmt.Println(indent(st.Predicate))
	rv, _ := scai.ParseImageReferenceValues(st)
	fmt.Println(rv.Complete(scai.Kernel), errors.Is(rv.Complete(), scai.ErrAttribute))
	// Output:
	// {
	//   "attributes": [
	//     {
	//       "attribute": "BUILDENV_REFERENCE_VALUE",
	//       "conditions": {
	//         "component": "kernel"
	//       },
	//       "target": {
	//         "digest": {
	//           "sha256": "2222222222222222222222222222222222222222222222222222222222222222"
	//         },
	//         "name": "vmlinuz"
	//       }
	//     },
	//     {
	//       "attribute": "BUILDENV_REFERENCE_VALUE",
	//       "conditions": {
	//         "component": "pcr",
	//         "pcr": 7
	//       },
	//       "target": {
	//         "digest": {
	//           "sha256": "3333333333333333333333333333333333333333333333333333333333333333"
	//         },
	//         "name": "PCR7"
	//       }
	//     },
	//     {
	//       "attribute": "BUILDENV_REFERENCE_VALUE",
	//       "conditions": {
	//         "component": "tee-launch",
	//         "platform": "sev-snp"
	//       },
	//       "target": {
	//         "digest": {
	//           "sha384": "444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444444"
	//         },
	//         "name": "MEASUREMENT"
	//       }
	//     }
	//   ]
	// }
	// <nil> true
}

// The launch ("deploy-time") attestation: the environment identity key as
// subject, its hardware evidence bound to that key (BENV-H-4).
func ExampleNewLaunch() {
	identity := exampleKey(1)
	st, _ := scai.NewLaunch(scai.LaunchInput{
		IdentityKey: identity.Public(),
		Image:       &buildtrust.ResourceDescriptor{Name: "builder.qcow2", Digest: buildtrust.DigestSet{buildtrust.SHA256: strings.Repeat("11", 32)}},
		TEE: &scai.TEEEvidence{Platform: scai.PlatformSEVSNP,
			Report: scai.Blob{Data: bytes.Repeat([]byte{0xAA}, 1184), Location: "https://evidence.example/env-7/snp-report"}},
	})
	fmt.Println(indent(st.Predicate))
	l, _ := scai.ParseLaunch(st)
	fmt.Println(l.TEE.Platform, l.TEE.Binding.Payload[buildtrust.SHA256] == l.Identity.Digest[buildtrust.SHA256])
	// Output:
	// {
	//   "attributes": [
	//     {
	//       "attribute": "BUILDENV_IMAGE",
	//       "target": {
	//         "digest": {
	//           "sha256": "1111111111111111111111111111111111111111111111111111111111111111"
	//         },
	//         "name": "builder.qcow2"
	//       }
	//     },
	//     {
	//       "attribute": "BUILDENV_HARDWARE_TEE",
	//       "conditions": {
	//         "binding": {
	//           "convention": "buildtrust/bind/v1",
	//           "payload": {
	//             "sha256": "2ec573d7c658a36c6a740de8a347ce6377d0bcee8ce2d9754f44b5c547ea48d8"
	//           },
	//           "purpose": "launch"
	//         },
	//         "platform": "sev-snp"
	//       },
	//       "evidence": {
	//         "digest": {
	//           "sha256": "6139f0c59018cb37192cd4e9c4326ebb09d8e12f6a89a4a44bf391ec98f83fe6"
	//         },
	//         "downloadLocation": "https://evidence.example/env-7/snp-report",
	//         "mediaType": "application/x.amd.sev-snp.report",
	//         "name": "sev-snp-report"
	//       }
	//     }
	//   ]
	// }
	// sev-snp true
}

// The dispatch ("request-time") attestation, signed inside the environment
// with the identity key, binds the environment to one build (BENV-L2-4,
// BENV-H-5); the consumer takes the key from the verified launch.
func ExampleParseDispatch() {
	identity := exampleKey(1)
	launchStatement, _ := scai.NewLaunch(scai.LaunchInput{IdentityKey: identity.Public(),
		TEE: &scai.TEEEvidence{Platform: scai.PlatformTDX, Report: scai.Blob{Data: []byte("tdx quote")}}})
	launch, _ := scai.ParseLaunch(launchStatement)

	st, _ := scai.NewDispatch(scai.DispatchInput{IdentityKey: identity.Public(), BuildID: "https://ci.example/runs/42"})
	signer, _ := buildtrust.NewSigner(identity, buildtrust.KeyOptions{})
	env, _ := buildtrust.SignStatement(context.Background(), st, signer)
	envelope, _ := json.Marshal(env)

	idKey, _ := launch.IdentityKey(buildtrust.KeyOptions{})
	v, err := scai.Verify(envelope, scai.VerifyOptions{Keys: []*buildtrust.PublicKey{idKey}, Subject: launch.Identity.Digest})
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	d, _ := scai.ParseDispatch(v.Statement)
	fmt.Println(d.BuildID, d.CheckBuildID("https://ci.example/runs/42"), d.CheckLaunch(launch, nil))
	fmt.Println(errors.Is(d.CheckBuildID("https://ci.example/runs/43"), threat.E10))
	// Output:
	// https://ci.example/runs/42 <nil> <nil>
	// true
}
