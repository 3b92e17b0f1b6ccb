package buildenvtest

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
)

// FillPolicy replaces the placeholders of a policy document template with
// the world's public keys and roots, each as a JSON value (valid in YAML
// flow position too): ${BUILDER_PEM}, ${IMAGE_BUILDER_PEM},
// ${IMAGE_PRODUCER_PEM}, ${LAUNCH_SIGNER_PEM}, ${VERIFIER_PEM},
// ${OTHER_PEM}, ${AK_PEM}, ${AK_ROOT_PEM} and ${TDX_ROOTS_PEM} (strings),
// and ${SNP_ROOTS} (a list of {productLine, pem}). Other text is kept.
func (w *World) FillPolicy(template []byte) []byte {
	roots := make([]map[string]string, 0, len(w.SNPRootBundles))
	for _, b := range w.SNPRootBundles {
		roots = append(roots, map[string]string{"productLine": b.ProductLine, "pem": string(b.PEM)})
	}
	r := strings.NewReplacer(
		"${BUILDER_PEM}", jsonValue(w.Builder.PEM),
		"${IMAGE_BUILDER_PEM}", jsonValue(w.ImageBuilder.PEM),
		"${IMAGE_PRODUCER_PEM}", jsonValue(w.ImageProducer.PEM),
		"${LAUNCH_SIGNER_PEM}", jsonValue(w.LaunchSigner.PEM),
		"${VERIFIER_PEM}", jsonValue(w.Verifier.PEM),
		"${OTHER_PEM}", jsonValue(w.Other.PEM),
		"${AK_PEM}", jsonValue(w.AKPEM),
		"${AK_ROOT_PEM}", jsonValue(string(w.AKRootPEM)),
		"${SNP_ROOTS}", jsonValue(roots),
		"${TDX_ROOTS_PEM}", jsonValue(string(w.TDXRootsPEM)),
	)
	return []byte(r.Replace(string(template)))
}

func jsonValue(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings and string maps always marshal
	}
	return string(b)
}

// shared is the World tests share: a World is immutable and safe for
// concurrent use, and making one generates the TDX chain and the AK CA.
var shared = sync.OnceValues(NewWorld)

// Shared returns one World for all the tests of a package, failing tb if
// it cannot be made.
func Shared(tb testing.TB) *World {
	tb.Helper()
	w, err := shared()
	if err != nil {
		tb.Fatal(err)
	}
	return w
}
