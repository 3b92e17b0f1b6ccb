package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/buildtrust/buildtrust/internal/buildenvtest"
)

func main() {
	// Flag names must not collide with those go-sev-guest's test package
	// registers through buildenvtest (-product, -product_name, -test_kds,
	// -test_use_kds).
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if err := serve(*addr); err != nil {
		log.Fatal(err)
	}
}

func serve(addr string) error {
	w, err := buildenvtest.NewWorld()
	if err != nil {
		return err
	}
	store := &MemoryStore{}
	opts, err := demoOptions(w, store)
	if err != nil {
		return err
	}
	h, err := NewHandler(opts)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "buildtrust-registry-demo-")
	if err != nil {
		return err
	}
	if err := writeDemo(os.Stdout, w, dir, addr); err != nil {
		return errors.Join(err, os.RemoveAll(dir))
	}

	mux := http.NewServeMux()
	mux.Handle("/upload", h)
	srv := &http.Server{
		Addr:    addr,
		Handler: mux,
		// Slow clients must not hold a connection forever; the write
		// timeout leaves room for a large artifact and the verification.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      6 * time.Minute,
	}
	// Stop on Ctrl-C: finish the uploads in flight, then remove the demo
	// files.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopped := make(chan error, 1)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopped <- srv.Shutdown(shutdown)
	}()
	fmt.Printf("listening on http://%s/upload (Ctrl-C to stop)\n", addr)
	err = srv.ListenAndServe()
	if errors.Is(err, http.ErrServerClosed) {
		err = <-stopped
	}
	return errors.Join(err, os.RemoveAll(dir))
}

// writeDemo writes a genuine and a tampered upload under dir and prints the
// curl commands that send them.
func writeDemo(out io.Writer, w *buildenvtest.World, dir, addr string) error {
	for _, d := range []struct {
		sub, what string
		tampers   []string
	}{
		{"genuine", "a genuine BuildEnv L3 upload (expect 200 and a VSA)", nil},
		{"debug-tee", "the same build in a debuggable guest (expect 422)", []string{"debug-tee"}},
	} {
		b, err := w.Build(buildenvtest.Options{Tampers: d.tampers})
		if err != nil {
			return err
		}
		files, err := writeUpload(filepath.Join(dir, d.sub), w.ArtifactName, b)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "# %s:\ncurl -sS http://%s/upload %s\n\n", d.what, addr, strings.Join(files, " "))
	}
	fmt.Fprintln(out, "# (the genuine upload is accepted once: published names are immutable, a second try is 409)")
	return nil
}

// writeUpload writes one bundle's files and returns the curl -F arguments.
func writeUpload(dir, name string, b *buildenvtest.Bundle) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	args := []string{"-F " + FieldName + "=" + name}
	write := func(field, file string, data []byte) error {
		p := filepath.Join(dir, file)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		args = append(args, fmt.Sprintf("-F %s=@%s", field, p))
		return nil
	}
	errs := []error{
		write(FieldArtifact, name, b.Artifact),
		write(FieldAttestations, name+".intoto.jsonl", b.JSONL()),
	}
	for i, e := range b.Evidence {
		errs = append(errs, write(FieldEvidence, fmt.Sprintf("evidence-%d.bin", i), e))
	}
	return args, errors.Join(errs...)
}
