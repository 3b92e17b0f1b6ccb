package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"

	"github.com/buildtrust/buildtrust/internal/buildenvtest"
)

// A registry mounts the Handler at its upload URL. Here the test world plays
// the builder and the attested environment: a genuine upload is admitted with
// a signed VSA; the same build from a debuggable guest is refused, and the
// response names the check that caught it.
func ExampleHandler() {
	w, err := buildenvtest.NewWorld()
	if err != nil {
		fmt.Println(err)
		return
	}
	store := &MemoryStore{}
	opts, err := demoOptions(w, store) // policy.yaml, the world's keys, a pinned clock
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := NewHandler(opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	for _, tampers := range [][]string{nil, {"debug-tee"}} {
		b, _ := w.Build(buildenvtest.Options{Tampers: tampers})

		// The uploader's side: one multipart form.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("name", w.ArtifactName)
		f, _ := mw.CreateFormFile("artifact", w.ArtifactName)
		f.Write(b.Artifact)
		f, _ = mw.CreateFormFile("attestations", w.ArtifactName+".intoto.jsonl")
		f.Write(b.JSONL())
		for _, e := range b.Evidence {
			f, _ = mw.CreateFormFile("evidence", "evidence.bin")
			f.Write(e)
		}
		mw.Close()

		res, err := http.Post(srv.URL, mw.FormDataContentType(), &body)
		if err != nil {
			fmt.Println(err)
			return
		}
		var resp Response
		json.NewDecoder(res.Body).Decode(&resp)
		res.Body.Close()

		fmt.Printf("%d accepted=%t Build L%d BuildEnv L%d, VSA: %t\n",
			res.StatusCode, resp.Accepted, resp.Levels.Build, resp.Levels.BuildEnv, resp.VSA != "")
		for _, f := range resp.Failures {
			fmt.Print("  failed: ", f.ID, ", stops")
			for _, id := range f.Threats {
				fmt.Print(" ", string(id))
			}
			fmt.Println()
		}
	}
	fmt.Println("stored:", store.Names())
	// Output:
	// 200 accepted=true Build L3 BuildEnv L3, VSA: true
	// 422 accepted=false Build L3 BuildEnv L2, VSA: false
	//   failed: tee.sevsnp.debug, stops E10
	//   failed: policy.buildEnvLevel, stops E8 E7 E9 E10
	// stored: [app-1.0.0-linux-amd64.tar.gz]
}
