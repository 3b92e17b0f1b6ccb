package main

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/buildtrust/buildtrust"
)

// ErrExists is returned by Staged.Commit when the store already holds an
// artifact of that name. Registries keep published files immutable: a
// replaced file under a known name is how THREAT-G4 works.
var ErrExists = errors.New("registry: an artifact of that name exists")

// errClosed: a Staged upload was used after Commit or Discard.
var errClosed = errors.New("registry: staged upload already committed or discarded")

// Store keeps the artifacts the registry accepted. The handler streams an
// upload's artifact into a Staged area while it hashes it, before the policy
// has decided: staging is what lets the handler keep constant memory, and the
// store decides where staged bytes live (memory, a temporary file, an object
// store's multipart upload). Nothing staged is visible until Commit.
type Store interface {
	// Stage opens a staging area for one artifact.
	Stage(ctx context.Context) (Staged, error)
}

// Staged is one artifact being uploaded. The handler calls exactly one of
// Commit (the policy passed it) or Discard (anything else).
type Staged interface {
	// Write appends artifact bytes.
	Write(p []byte) (int, error)
	// Commit publishes the staged bytes under a.Name, or a.PURL when the
	// upload named none. It fails with ErrExists when that is taken.
	Commit(ctx context.Context, a Artifact) error
	// Discard drops the staged bytes. After Commit it does nothing.
	Discard() error
}

// Artifact is what the registry records about an accepted artifact.
type Artifact struct {
	Name        string
	PURL        string
	Digest      buildtrust.DigestSet
	Size        int64
	ResourceURI string
	// VSA is the signed VSA (DSSE envelope, JSON) the registry issued on
	// acceptance, for consumers to fetch with the artifact.
	VSA []byte
}

// MemoryStore is a Store in memory, for tests and demonstrations. It is
// safe for concurrent use; its zero value is ready to use.
type MemoryStore struct {
	mu      sync.Mutex
	items   map[string]memoryItem
	staging int // stages neither committed nor discarded
}

// key is what an artifact is published under: its name, or its purl when
// the upload named none.
func (a Artifact) key() string {
	if a.Name != "" {
		return a.Name
	}
	return a.PURL
}

type memoryItem struct {
	meta Artifact
	data []byte
}

// Stage implements Store.
func (s *MemoryStore) Stage(context.Context) (Staged, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.staging++
	return &memoryStaged{store: s}, nil
}

// Get returns an accepted artifact and its bytes by name (by purl for
// artifacts uploaded without a name).
func (s *MemoryStore) Get(name string) (Artifact, []byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[name]
	return it.meta, it.data, ok
}

// Names lists the accepted artifacts by name (or purl), sorted.
func (s *MemoryStore) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.items))
	for n := range s.items {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Staging reports the uploads staged but neither committed nor discarded:
// zero whenever no upload is in flight, or the handler leaked one.
func (s *MemoryStore) Staging() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.staging
}

type memoryStaged struct {
	store  *MemoryStore
	buf    bytes.Buffer
	closed bool // guarded by store.mu
}

func (m *memoryStaged) Write(p []byte) (int, error) {
	// Only the handler's goroutine writes; closed changes under the lock.
	m.store.mu.Lock()
	closed := m.closed
	m.store.mu.Unlock()
	if closed {
		return 0, errClosed
	}
	return m.buf.Write(p)
}

func (m *memoryStaged) Commit(_ context.Context, a Artifact) error {
	s := m.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.closed {
		return errClosed
	}
	if _, ok := s.items[a.key()]; ok {
		return ErrExists
	}
	if s.items == nil {
		s.items = map[string]memoryItem{}
	}
	a.Digest = a.Digest.Clone()
	a.VSA = bytes.Clone(a.VSA)
	s.items[a.key()] = memoryItem{meta: a, data: bytes.Clone(m.buf.Bytes())}
	m.closed = true
	m.buf = bytes.Buffer{}
	s.staging--
	return nil
}

func (m *memoryStaged) Discard() error {
	s := m.store
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	m.buf = bytes.Buffer{}
	s.staging--
	return nil
}
