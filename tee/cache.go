package tee

import (
	"sync"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// CacheKey is the SHA-256 digest of what a cache entry was verified from
// (certificates, collateral, and whatever else decided the outcome).
type CacheKey [32]byte

// Cache remembers verification results keyed by the digest of their inputs,
// so that a second report from a known chip or platform costs one report
// signature check (DESIGN.md convention 10). It is bounded — when full, the
// oldest entry is evicted first — and safe for concurrent use. Entries are
// never trusted beyond what was verified: callers store values that still
// carry their validity window and re-check the time on every hit.
//
// The zero value is not usable; call [NewCache].
type Cache[V any] struct {
	mu    sync.Mutex
	max   int
	m     map[CacheKey]V
	order []CacheKey // insertion order, a ring of len max
	next  int
}

// NewCache returns a cache holding at most size entries. size 0 means
// limits.DefaultTEECacheEntries; a negative size disables caching (every
// Get misses). Sizes above limits.MaxTEECacheEntries are clamped.
func NewCache[V any](size int) *Cache[V] {
	switch {
	case size == 0:
		size = limits.DefaultTEECacheEntries
	case size < 0:
		size = 0
	case size > limits.MaxTEECacheEntries:
		size = limits.MaxTEECacheEntries
	}
	return &Cache[V]{max: size, m: make(map[CacheKey]V)}
}

// Get returns the entry for k.
func (c *Cache[V]) Get(k CacheKey) (V, bool) {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	return v, ok
}

// Put stores v under k, evicting the oldest entry when the cache is full.
func (c *Cache[V]) Put(k CacheKey, v V) {
	if c.max == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		c.m[k] = v
		return
	}
	if len(c.order) < c.max {
		c.order = append(c.order, k)
	} else {
		delete(c.m, c.order[c.next])
		c.order[c.next] = k
		c.next = (c.next + 1) % c.max
	}
	c.m[k] = v
}

// Len returns the number of entries.
func (c *Cache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
