package sevsnp

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"time"

	"github.com/google/go-sev-guest/verify/trust"

	"github.com/buildtrust/buildtrust/internal/limits"
)

// Product lines whose roots AMD publishes and go-sev-guest v0.15.0 embeds.
const (
	Milan = "Milan"
	Genoa = "Genoa"
	Turin = "Turin"
)

// Roots are the AMD root certificates a [Verifier] trusts: per product line,
// the ARK (AMD Root Key, self-signed) and the intermediates it certifies —
// the ASK, which certifies VCEKs, and the ASVK, which certifies VLEKs.
// Roots are immutable once built and safe for concurrent use.
//
// Trust never comes from the evidence: the ASK and ARK an extended report's
// certificate table carries are ignored (go-sev-guest#185, P-SNP-1).
type Roots struct {
	m map[string][]*trust.AMDRootCerts
	// certs are every certificate, for validity windows.
	certs map[string][]*x509.Certificate
}

// EmbeddedRoots returns AMD's published roots for Milan, Genoa and Turin,
// for both VCEK (ASK) and VLEK (ASVK) chains, as embedded in go-sev-guest
// v0.15.0 (verify/trust/ask_ark_*.pem, fetched from AMD's KDS). Unlike
// go-sev-guest's own default, which holds only the VCEK bundles (P-SNP-2),
// these include the ASVKs, so VLEK-signed reports (AWS) verify.
func EmbeddedRoots() (*Roots, error) {
	return ParseRoots(
		RootBundle{Milan, trust.AskArkMilanVcekBytes}, RootBundle{Milan, trust.AskArkMilanVlekBytes},
		RootBundle{Genoa, trust.AskArkGenoaVcekBytes}, RootBundle{Genoa, trust.AskArkGenoaVlekBytes},
		RootBundle{Turin, trust.AskArkTurinVcekBytes}, RootBundle{Turin, trust.AskArkTurinVlekBytes},
	)
}

// RootBundle is one PEM certificate bundle in the format of AMD's KDS
// cert_chain endpoint: the intermediate (ASK or ASVK) first, then the ARK.
type RootBundle struct {
	// ProductLine is "Milan", "Genoa" or "Turin".
	ProductLine string
	// PEM holds exactly two CERTIFICATE blocks: intermediate, then ARK.
	PEM []byte
}

// ParseRoots builds Roots from caller-supplied bundles. Each bundle is
// checked: two certificates, the ARK self-signed with the common name
// "ARK-<line>", the intermediate a CA named "SEV-<line>" (ASK) or
// "SEV-VLEK-<line>" (ASVK) and signed by the ARK. Bundles of one product
// line that share an ARK are merged, so that one ARK serves VCEK and VLEK
// chains. Errors wrap ErrNoTrustRoots (no bundle) or ErrChain.
func ParseRoots(bundles ...RootBundle) (*Roots, error) {
	if len(bundles) == 0 {
		return nil, ErrNoTrustRoots
	}
	r := &Roots{m: map[string][]*trust.AMDRootCerts{}, certs: map[string][]*x509.Certificate{}}
	for i, b := range bundles {
		if _, err := productLineCheck(b.ProductLine); err != nil {
			return nil, fmt.Errorf("%w: bundle %d: %v", ErrChain, i, err)
		}
		ica, ark, err := parseBundle(b)
		if err != nil {
			return nil, fmt.Errorf("%w: bundle %d (%s): %v", ErrChain, i, b.ProductLine, err)
		}
		vlek := ica.Subject.CommonName == "SEV-VLEK-"+b.ProductLine
		var set *trust.AMDRootCerts
		for _, s := range r.m[b.ProductLine] {
			if bytes.Equal(s.ProductCerts.Ark.Raw, ark.Raw) {
				set = s
			}
		}
		if set == nil {
			set = trust.AMDRootCertsProduct(b.ProductLine)
			set.ProductCerts = &trust.ProductCerts{Ark: ark}
			r.m[b.ProductLine] = append(r.m[b.ProductLine], set)
			r.certs[b.ProductLine] = append(r.certs[b.ProductLine], ark)
		}
		switch {
		case vlek && set.ProductCerts.Asvk == nil:
			set.ProductCerts.Asvk = ica
		case !vlek && set.ProductCerts.Ask == nil:
			set.ProductCerts.Ask = ica
		default:
			return nil, fmt.Errorf("%w: bundle %d (%s): a second %s under the same ARK", ErrChain, i, b.ProductLine, ica.Subject.CommonName)
		}
		r.certs[b.ProductLine] = append(r.certs[b.ProductLine], ica)
	}
	return r, nil
}

func productLineCheck(line string) (string, error) {
	switch line {
	case Milan, Genoa, Turin:
		return line, nil
	}
	return "", fmt.Errorf("unknown product line %q", line)
}

func parseBundle(b RootBundle) (ica, ark *x509.Certificate, err error) {
	if len(b.PEM) > 4*limits.MaxTEECertificateBytes {
		return nil, nil, fmt.Errorf("bundle of %d bytes: %w", len(b.PEM), ErrTooLarge)
	}
	var certs []*x509.Certificate
	rest := b.PEM
	for len(bytes.TrimSpace(rest)) > 0 {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil || blk.Type != "CERTIFICATE" || len(certs) == 2 {
			return nil, nil, fmt.Errorf("want exactly two PEM CERTIFICATE blocks")
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) != 2 {
		return nil, nil, fmt.Errorf("want exactly two PEM CERTIFICATE blocks, found %d", len(certs))
	}
	ica, ark = certs[0], certs[1]
	line := b.ProductLine
	if ark.Subject.CommonName != "ARK-"+line {
		return nil, nil, fmt.Errorf("root common name %q, want ARK-%s", ark.Subject.CommonName, line)
	}
	if cn := ica.Subject.CommonName; cn != "SEV-"+line && cn != "SEV-VLEK-"+line {
		return nil, nil, fmt.Errorf("intermediate common name %q, want SEV-%s or SEV-VLEK-%s", cn, line, line)
	}
	if !ark.IsCA || !ica.IsCA {
		return nil, nil, fmt.Errorf("ARK and intermediate must be CA certificates")
	}
	if err := ark.CheckSignatureFrom(ark); err != nil {
		return nil, nil, fmt.Errorf("ARK is not self-signed: %v", err)
	}
	if err := ica.CheckSignatureFrom(ark); err != nil {
		return nil, nil, fmt.Errorf("intermediate is not signed by the ARK: %v", err)
	}
	return ica, ark, nil
}

// ProductLines returns the product lines the roots cover, sorted.
func (r *Roots) ProductLines() []string {
	var out []string
	for k := range r.m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// window returns the intersection of the validity periods of every root
// certificate of a product line: a conservative bound for any chain through
// them.
func (r *Roots) window(line string) (notBefore, notAfter time.Time) {
	for i, c := range r.certs[line] {
		if i == 0 || c.NotBefore.After(notBefore) {
			notBefore = c.NotBefore
		}
		if i == 0 || c.NotAfter.Before(notAfter) {
			notAfter = c.NotAfter
		}
	}
	return notBefore, notAfter
}
