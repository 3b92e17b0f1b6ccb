package limits

const (
	// MaxResolvedDependencies bounds resolvedDependencies, byproducts and
	// builderDependencies of one provenance predicate each. Monorepo builds
	// list thousands of fetched modules; ten thousand leaves headroom while
	// bounding the per-dependency validation work.
	MaxResolvedDependencies = 10000

	// MaxParameterLeaves bounds the leaf values of externalParameters that a
	// check walks (PROV-VER-6). Real parameter sets have tens of entries.
	MaxParameterLeaves = 4096

	// MaxGCloudProvenanceEntries bounds the provenance entries of one
	// gcloud --show-provenance document.
	MaxGCloudProvenanceEntries = 64
)
