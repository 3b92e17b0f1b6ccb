package provenance

import (
	"strconv"
	"strings"
)

// CanonicalRepository reduces a source location recorded in provenance to
// host/path form: "git+https://github.com/Org/repo.git@refs/heads/main" and
// "https://github.com/Org/repo/commit/<sha>" (Google Cloud Build) both
// become "github.com/Org/repo". The host is lower-cased; the path keeps its
// case, so a look-alike owner is a different repository.
func CanonicalRepository(uri string) string {
	s, _ := splitRef(uri)
	if i := strings.Index(s, "/commit/"); i >= 0 {
		s = s[:i]
	}
	return canonicalLocation(s)
}

// canonicalLocation drops the scheme, user info, a trailing slash and
// ".git", and lower-cases the host. It keeps refs and paths: an expected
// repository written with "@ref" or as a commit URL is not a repository and
// matches nothing. Plain-HTTP locations keep an "http://" prefix: fetched
// without TLS, they are not the same source as their HTTPS namesake.
func canonicalLocation(s string) string {
	s = strings.TrimPrefix(s, "git+")
	scheme := ""
	if strings.HasPrefix(s, "http://") {
		scheme = "http://"
	}
	for _, prefix := range []string{"https://", "http://", "ssh://", "git://"} {
		s = strings.TrimPrefix(s, prefix)
	}
	if i := strings.Index(s, "@"); i >= 0 && i < strings.Index(s, "/") { // user@host
		s = s[i+1:]
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git")
	host, path, _ := strings.Cut(s, "/")
	if path == "" {
		return scheme + strings.ToLower(host)
	}
	return scheme + strings.ToLower(host) + "/" + path
}

// splitRef splits "repo@ref" at the last '@', unless that '@' belongs to
// the authority ("https://user@host/…"), which has no '/' before it.
func splitRef(uri string) (repo, ref string) {
	i := strings.LastIndex(uri, "@")
	if i < 0 {
		return uri, ""
	}
	start := 0
	if j := strings.Index(uri, "://"); j >= 0 && j < i {
		start = j + 3
	}
	if !strings.Contains(uri[start:i], "/") {
		return uri, ""
	}
	return uri[:i], uri[i+1:]
}

// commitOf returns the commit of a GitHub commit URL, if it is one.
func commitOf(uri string) string {
	if i := strings.Index(uri, "/commit/"); i >= 0 {
		return uri[i+len("/commit/"):]
	}
	return ""
}

// Ref kinds of a git ref.
const (
	refBranch = "refs/heads/"
	refTag    = "refs/tags/"
)

// semver is a parsed semantic version: vMAJOR[.MINOR[.PATCH]][-pre][+build].
// parts says how many numeric components were written, so that an expected
// "v1.2" can match any v1.2.x (slsa-verifier's versioned-tag rule).
type semver struct {
	nums  [3]int
	parts int
	pre   string
}

func parseSemver(s string) (semver, bool) {
	var v semver
	s, ok := strings.CutPrefix(s, "v")
	if !ok {
		return v, false
	}
	s, _, _ = strings.Cut(s, "+") // build metadata never matters
	s, v.pre, _ = strings.Cut(s, "-")
	fields := strings.Split(s, ".")
	if len(fields) == 0 || len(fields) > 3 {
		return v, false
	}
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || (len(f) > 1 && f[0] == '0') {
			return v, false
		}
		v.nums[i] = n
	}
	v.parts = len(fields)
	return v, true
}

// matchesVersionPrefix reports whether got satisfies the expected version
// written with fewer or as many components: v1.2 matches v1.2.0 and v1.2.7,
// not v1.3.0; a pre-release in want must equal got's.
func (want semver) matchesVersionPrefix(got semver) bool {
	for i := range want.parts {
		if want.nums[i] != got.nums[i] {
			return false
		}
	}
	if want.parts == 3 || want.pre != "" {
		return want.pre == got.pre
	}
	return true
}

func (a semver) compare(b semver) int {
	for i := range 3 {
		if a.nums[i] != b.nums[i] {
			if a.nums[i] < b.nums[i] {
				return -1
			}
			return 1
		}
	}
	switch { // a pre-release sorts before its release
	case a.pre == b.pre:
		return 0
	case a.pre == "":
		return 1
	case b.pre == "":
		return -1
	case a.pre < b.pre:
		return -1
	}
	return 1
}

// satisfiesRange checks a version against a comma-separated range such as
// ">=v1.7.0, <v3.0.0". Operators: = > >= < <=. An invalid range never matches.
func satisfiesRange(v semver, rng string) bool {
	for _, c := range strings.Split(rng, ",") {
		c = strings.TrimSpace(c)
		op := ""
		for _, o := range []string{">=", "<=", ">", "<", "="} {
			if strings.HasPrefix(c, o) {
				op = o
				break
			}
		}
		bound, ok := parseSemver(strings.TrimSpace(c[len(op):]))
		if !ok {
			return false
		}
		cmp := v.compare(bound)
		var pass bool
		switch op {
		case "=", "":
			pass = cmp == 0
		case ">":
			pass = cmp > 0
		case ">=":
			pass = cmp >= 0
		case "<":
			pass = cmp < 0
		case "<=":
			pass = cmp <= 0
		default:
			return false
		}
		if !pass {
			return false
		}
	}
	return rng != ""
}

// splitBuilderID splits "https://…/builder.yml@refs/tags/v1.2.3" into the
// builder and its version "v1.2.3" (a refs/tags/ prefix is dropped, since
// slsa-verifier accepts both spellings). Builders without a version return "".
func splitBuilderID(id string) (base, version string) {
	base, ref := splitRef(id)
	return base, strings.TrimPrefix(ref, refTag)
}
