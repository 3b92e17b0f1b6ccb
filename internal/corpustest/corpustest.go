package corpustest

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/signerverifier"
)

const rootModule = "module github.com/buildtrust/buildtrust"

// Root returns the corpus directory: ../shared/corpus beside the directory
// of the root module's go.mod, found by walking up from the working
// directory (any package of the root or a nested module). It returns ""
// when no root module is found; the directory itself may be absent.
var Root = sync.OnceValue(func() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if isRootModule(filepath.Join(dir, "go.mod")) {
			return filepath.Join(dir, "..", "shared", "corpus")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
})

func isRootModule(gomod string) bool {
	f, err := os.Open(gomod)
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.TrimSpace(s.Text()) == rootModule {
			return true
		}
	}
	return false
}

// Exists reports whether rel (slash-separated) is present in the corpus.
func Exists(rel string) bool {
	root := Root()
	if root == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
	return err == nil
}

// Path returns the path of rel (slash-separated) inside the corpus, and
// skips t when it does not exist.
func Path(t testing.TB, rel string) string {
	t.Helper()
	root := Root()
	if root == "" {
		t.Skip("shared corpus not found: no root module above the working directory")
	}
	p := filepath.Join(root, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared corpus: %s not present", rel)
	}
	return p
}

// File reads rel (slash-separated) from the corpus, skipping t when it is
// absent and failing it on any other error.
func File(t testing.TB, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(Path(t, rel))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("shared corpus: %s not present", rel)
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Glob returns the corpus files matching the slash-separated pattern, or
// none when the corpus is absent (for fuzz seeds, which are optional).
func Glob(pattern string) []string {
	root := Root()
	if root == "" {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
	return files
}

// StripLineComments removes whole-line // comments, which the jsonc example
// blocks of the in-toto and SLSA specs carry; nothing else is changed.
func StripLineComments(b []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(b, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("//")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

var abbreviated = regexp.MustCompile(`"([0-9a-f]+)\.\.\."`)

// ExpandAbbreviatedDigests replaces the specs' abbreviated digests
// ("78ab6a8...") by full-length hex: the prefix right-padded with '0' to 64
// characters. The examples abbreviate every digest, which the DigestSet
// rules (ITE-DS-1) reject; tests show that first, then normalize.
func ExpandAbbreviatedDigests(b []byte) []byte {
	return abbreviated.ReplaceAllFunc(b, func(m []byte) []byte {
		hex := abbreviated.FindSubmatch(m)[1]
		return []byte(`"` + string(hex) + strings.Repeat("0", 64-len(hex)) + `"`)
	})
}

var layoutKey = regexp.MustCompile(`(?s)\n  ([0-9a-f]{64}):\n    keyType: "([a-z]+)"\n    scheme: "([a-z0-9-]+)".*?public: ("[^"]+")`)

// LayoutKeys extracts the functionary keys, by key ID, of the scai-demos
// in-toto layout (YAML). Its format is fixed and simple, so a regular
// expression suffices and no YAML module is needed. It fails t when the
// layout holds no key.
func LayoutKeys(t testing.TB, layout []byte) map[string]*signerverifier.SSLibKey {
	t.Helper()
	keys := map[string]*signerverifier.SSLibKey{}
	for _, m := range layoutKey.FindAllSubmatch(layout, -1) {
		pemText, err := strconv.Unquote(string(m[4]))
		if err != nil {
			t.Fatal(err)
		}
		keys[string(m[1])] = &signerverifier.SSLibKey{
			KeyID: string(m[1]), KeyType: string(m[2]), Scheme: string(m[3]),
			KeyVal: signerverifier.KeyVal{Public: pemText},
		}
	}
	if len(keys) == 0 {
		t.Fatal("no keys found in layout")
	}
	return keys
}
