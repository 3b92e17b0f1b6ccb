package limits

// Limits of internal/docdecode, which decodes the policy document (JSON or
// YAML). A policy is written by the operator, but it may arrive through an
// upload handler or a pull request, so it is bounded like any other input:
// size first, then nesting (MaxJSONDepth, shared with every JSON decoder)
// and the number of nodes, checked while parsing JSON and, for YAML, once
// yaml.v3 has parsed the document (see MaxPolicyBytes).
const (
	// MaxPolicyBytes bounds one policy document. A policy lists trust roots,
	// builders and expectations for a handful of artifacts; real ones are a
	// few KiB, and 1 MiB leaves room for inline reference values and long
	// allow-lists. It is also what bounds the YAML parser, which builds its
	// whole node tree before MaxPolicyNodes can apply: a hostile 1 MiB YAML
	// document ("{a,a,a,…") costs it about 300 MB of allocation and a
	// second, where JSON stops at the node limit (25 MB, 50 ms).
	MaxPolicyBytes = 1 << 20

	// MaxPolicyNodes bounds the values and keys of one policy document. A
	// policy with a thousand artifacts of ten fields each has about 20 000;
	// the bound keeps the decoded tree and the position index of a hostile
	// document (1 MiB of "[1,1,1,…") to about 25 MB.
	MaxPolicyNodes = 100_000

	// MaxPolicyProblems bounds the problems one decode reports. Every problem
	// is reported at once so an author can fix a document in one pass, but a
	// generated document that is wrong everywhere would otherwise produce one
	// problem per node; after 100 the author has enough to go on.
	MaxPolicyProblems = 100
)
