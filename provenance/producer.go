package provenance

import (
	"context"
	"fmt"
	"time"

	"github.com/buildtrust/buildtrust"
)

// New builds an SLSA Provenance v1 Statement about subjects (BUILD-L1-2): the
// producer side, for builders that use this package. It validates what SLSA
// requires (PROV-3) and normalizes timestamps to UTC (ITE-FT-2). The result
// is deterministic JSON, ready for buildtrust.SignStatement.
func New(p Provenance, subjects ...buildtrust.ResourceDescriptor) (*buildtrust.Statement, error) {
	if md := p.RunDetails.Metadata; md != nil {
		c := *md
		c.StartedOn, c.FinishedOn = utc(md.StartedOn), utc(md.FinishedOn)
		p.RunDetails.Metadata = &c
	}
	check := Parsed{Provenance: p, PredicateType: PredicateTypeV1}
	if err := check.Validate(); err != nil {
		return nil, err
	}
	st, err := buildtrust.NewStatement(PredicateTypeV1, p, subjects...)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	return st, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Sign builds the provenance statement with New and signs it into a DSSE
// envelope with every signer (a buildtrust.KeySigner, a KMS signer, or any
// go-securesystemslib dsse.Signer).
func Sign(ctx context.Context, p Provenance, subjects []buildtrust.ResourceDescriptor, signers ...buildtrust.Signer) (*buildtrust.Envelope, error) {
	st, err := New(p, subjects...)
	if err != nil {
		return nil, err
	}
	return buildtrust.SignStatement(ctx, st, signers...)
}
