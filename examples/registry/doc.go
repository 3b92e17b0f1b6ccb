// Command registry is the upload endpoint of a package registry that admits
// an artifact only when its attestations and evidence satisfy a buildtrust
// policy: SLSA Build L3 provenance from a trusted builder, and a BuildEnv L3
// chain (image provenance, measured boot, SEV-SNP or TDX evidence, dispatch)
// for the environment that built it. It runs offline and without hardware:
// the test world of internal/buildenvtest plays the builder and the attested
// build environment.
//
//	go run ./examples/registry [-addr 127.0.0.1:8080]
//
// On start it writes a genuine upload and a tampered one to a temporary
// directory and prints the curl commands that send them: the first is
// accepted with a signed VSA, the second refused with the checks that caught
// it.
//
// # The upload
//
// POST multipart/form-data to the handler with the fields
//
//	artifact      the artifact (exactly one part)
//	attestations  DSSE envelopes or .intoto.jsonl bundles (one or more parts)
//	evidence      evidence blobs the attestations reference by digest (optional)
//	name          the artifact's file name (default: the artifact part's filename)
//	purl          its package URL (optional)
//
// and read a JSON [Response]: accepted or not, the verdict, the Build and
// BuildEnv levels reached and required, the failed checks with their threats,
// expected and actual values, and on acceptance the VSA the registry signed
// (a DSSE envelope, base64). Status codes are listed at [Handler].
//
// # Embedding the handler
//
// A main package cannot be imported: copy handler.go, limits.go and store.go
// into your server, replace MemoryStore with your storage (the [Store]
// interface stages bytes while they stream in and publishes them only on
// Commit), and mount the handler. limits.go and handler.go take some bounds
// from this module's internal/limits package, which other modules cannot
// import: write those out as constants (limits.go names each and why).
//
//	f, err := os.Open("policy.yaml")
//	pol, err := policy.Read(f) // compile once; safe for concurrent use
//	h, err := NewHandler(Options{
//		Policy:       pol,
//		Store:        myStore,
//		Signer:       kmsSigner,          // signs the VSAs, as the policy's vsa.verifier
//		Clock:        time.Now,           // injected, so tests and replays can pin it
//		ResourceBase: "https://registry.example.com/files/",
//	})
//	mux.Handle("/upload", h) // the handler answers 405 to other methods itself
//
// Wrap it with your authentication and bound the number of concurrent uploads
// in the server: Limits bound one request (its memory is at most
// MaxAttachedBytes plus buffers, whatever the artifact's size), not how many
// run at once.
//
// # What it does not do
//
// It does not fetch evidence by downloadLocation (the uploader sends it), does
// not authenticate the uploader, and serves no downloads: a registry serves
// the stored artifact and its VSA with its own handlers.
package main
