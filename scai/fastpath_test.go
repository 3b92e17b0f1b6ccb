package scai_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/buildenvtest"
	"github.com/buildtrust/buildtrust/internal/corpustest"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/strictjson"
	"github.com/buildtrust/buildtrust/scai"
)

// The differential tests of the fast paths: each is compared with the code
// it replaced on the fuzz seed corpora, the real SCAI documents of the
// corpus, the BuildEnv bundles of buildenvtest (genuine and every tamper)
// and byte-level mutations of all of these.

// fuzzSeeds returns the []byte inputs of the seed files of a fuzz target.
func fuzzSeeds(t *testing.T, dir string) [][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fuzz seeds in %s: %v", dir, err)
	}
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if q, ok := strings.CutPrefix(line, "[]byte("); ok {
				s, err := strconv.Unquote(strings.TrimSuffix(q, ")"))
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				out = append(out, []byte(s))
			}
		}
	}
	return out
}

var bundleStatements = sync.OnceValues(func() ([][]byte, error) {
	w, err := buildenvtest.NewWorld()
	if err != nil {
		return nil, err
	}
	var out [][]byte
	opts := []buildenvtest.Options{{}, {Platform: scai.PlatformTDX}, {Response: true}}
	for name := range buildenvtest.Tampers() {
		opts = append(opts, buildenvtest.Options{Tampers: []string{name}})
	}
	for _, o := range opts {
		b, err := w.Build(o)
		if err != nil {
			return nil, fmt.Errorf("%v: %w", o, err)
		}
		for _, env := range b.Attestations {
			e, err := buildtrust.ParseEnvelope(env)
			if err != nil {
				return nil, err
			}
			out = append(out, e.Payload)
		}
	}
	return out, nil
})

// predicates returns SCAI predicates (and things shaped nearly like them)
// from every source, deduplicated, in a fixed order.
func predicates(t *testing.T) [][]byte {
	t.Helper()
	var docs [][]byte // statements, predicates, assertions or descriptors
	docs = append(docs, fuzzSeeds(t, "testdata/fuzz/FuzzParsePredicate")...)
	docs = append(docs, fuzzSeeds(t, "testdata/fuzz/FuzzParseBuildEnv")...)
	docs = append(docs, fuzzSeeds(t, "../testdata/fuzz/FuzzParseStatement")...)
	stmts, err := bundleStatements()
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, stmts...)
	files := corpustest.Glob("scai-demos/examples/*/metadata/*.json")
	files = append(files, corpustest.Glob("in-toto-attestation/spec/predicates/scai.md-json-blocks/*.json")...)
	if len(files) == 0 {
		t.Log("corpus not found: real SCAI documents not compared")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, data, corpustest.ExpandAbbreviatedDigests(corpustest.StripLineComments(data)))
	}
	seen := map[string]bool{}
	var out [][]byte
	add := func(b []byte) {
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	for _, d := range docs {
		if st, err := buildtrust.ParseStatement(d); err == nil && len(st.Predicate) > 0 {
			add(st.Predicate)
		}
		add(d)
		add([]byte(`{"attributes":[` + string(d) + `]}`))                                // an assertion
		add([]byte(`{"attributes":[{"attribute":"A","target":` + string(d) + `}]}`))     // a descriptor
		add([]byte(`{"attributes":[{"attribute":"A"}],"producer":` + string(d) + `}`))   // a descriptor
		add([]byte(`{"attributes":[{"attribute":"A","conditions":` + string(d) + `}]}`)) // conditions
	}
	// Inputs with two faults, where which one is found first decides
	// between ErrTooLarge and ErrMalformed, or between error messages.
	deep := strings.Repeat("[", limits.MaxJSONDepth) + strings.Repeat("]", limits.MaxJSONDepth)
	var digests []string
	for i := range limits.MaxDigestsPerSet + 1 {
		digests = append(digests, fmt.Sprintf(`"alg%d":"v"`, i))
	}
	many := `{` + strings.Join(digests, ",") + `}`
	for _, s := range []string{
		`{"attributes":[{"attribute":"A","target":{"name":` + deep + `,"uri":"u"}}]}`,
		`{"attributes":[{"attribute":"A","target":{"name":5,"x":` + deep + `}}]}`,
		`{"attributes":[{"attribute":"A","target":{"digest":` + many + `}}]}`,
		`{"attributes":[{"attribute":"A","target":{"digest":` + many + `,"uri":"u","uri":"v"}}]}`,
		`{"attributes":[{"attribute":"A","target":{"digest":` + many + `,"name":` + deep + `}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"content":"!!","digest":{"a":"b","a":"c"}}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"URI":"u"}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"URI":"u","uri":"v"}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"uri":"u","annotations":{"n":1.50,"n":2}}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"uri":"u","annotations":{"n":1.50e3,"s":"\u00e9"}}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"uri":"u","digest":null,"content":null,"name":null}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"uri":"u","digest":{}}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"content":"AA=="}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"content":"AA"}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"content":"-_8"}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"content":"+/8="}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"content":"+_8="}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"content":"A\u0041=="}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"uri":"\u0001"}}]}`,
		`{"attributes":[{"attribute":"A","evidence":{"uri":"u"},"evidence":null}]}`,
		`{"attributes":[{"attribute":"A","evidence":nul}]}`,
		`{"attributes":[{"attribute":"A","evidence":nullx}]}`,
		`{"attributes":[{"attribute":"A","conditions":{"a":1,"a":2}}]}`,
		`{"attributes":[{"attribute":"A","conditions":[1]}]}`,
	} {
		add([]byte(s))
	}
	return out
}

// mutationPositions bounds how many positions of each input are mutated:
// enough to reach every field of the small seeds, and a sample of the large
// BuildEnv predicates, at a cost of seconds (fewer with -short or -race).
func mutationPositions() int {
	if testing.Short() || raceEnabled {
		return 3
	}
	return 12
}

// mutations returns variants of b: each byte replaced by a few JSON
// delimiters and characters, or deleted, at up to about limit positions.
func mutations(b []byte, limit int) [][]byte {
	step := max(1, len(b)/limit)
	var out [][]byte
	for i := 0; i < len(b); i += step {
		for _, c := range []byte(`"{}[],:n0A\` + "\x01") {
			m := bytes.Clone(b)
			m[i] = c
			out = append(out, m)
		}
		out = append(out, slices.Delete(bytes.Clone(b), i, i+1))
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestParsePredicateOnePass compares ParsePredicate with the two-pass
// descriptor reader and full Validate it replaced: same acceptance, same
// error (ErrTooLarge or ErrMalformed, same message), same report.
func TestParsePredicateOnePass(t *testing.T) {
	var inputs [][]byte
	for _, p := range predicates(t) {
		inputs = append(inputs, p)
		inputs = append(inputs, mutations(p, mutationPositions())...)
	}
	accepted, rejected := 0, 0
	for _, in := range inputs {
		got, gotErr := scai.ParsePredicate(in)
		want, wantErr := scai.ParsePredicateTwoPass(in)
		if errString(gotErr) != errString(wantErr) ||
			errors.Is(gotErr, limits.ErrTooLarge) != errors.Is(wantErr, limits.ErrTooLarge) ||
			errors.Is(gotErr, buildtrust.ErrMalformed) != errors.Is(wantErr, buildtrust.ErrMalformed) {
			t.Fatalf("%s:\none pass: %v\ntwo pass: %v", in, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\none pass: %+v\ntwo pass: %+v", in, got, want)
		}
		if gotErr == nil {
			accepted++
		} else {
			rejected++
		}
	}
	t.Logf("%d inputs: %d accepted, %d rejected", len(inputs), accepted, rejected)
	if accepted < 100 || rejected < 100 {
		t.Errorf("too few accepted (%d) or rejected (%d) inputs to compare", accepted, rejected)
	}
}

// TestValidateParsed: ParsePredicate's validation, which trusts the reader
// to have checked the conditions' JSON, rejects exactly what Validate
// rejects on everything the reader produces; and Validate still checks the
// JSON of conditions built by hand.
func TestValidateParsed(t *testing.T) {
	invalid := 0
	for _, p := range predicates(t) {
		for _, in := range append(mutations(p, mutationPositions()), p) {
			rep, err := scai.ReadPredicate(in)
			if err != nil {
				continue
			}
			got, want := scai.ValidateParsed(rep), rep.Validate()
			if errString(got) != errString(want) {
				t.Fatalf("%s:\nparsed: %v\nValidate: %v", in, got, want)
			}
			if want != nil {
				invalid++
			}
		}
	}
	if invalid < 50 {
		t.Errorf("only %d parsed reports fail validation: too few to compare", invalid)
	}
	for _, cond := range []string{`{"a":}`, `{"a":1`, `{"a":1}x`, "{\"a\":\"\x01\"}"} {
		a := scai.AttributeAssertion{Attribute: "A", Conditions: []byte(cond)}
		if err := a.Validate(); !errors.Is(err, buildtrust.ErrMalformed) {
			t.Errorf("Validate accepts conditions %s: %v", cond, err)
		}
	}
}

// TestConditionsFast compares the hand-written conditions readers with
// strictjson.Unmarshal: same acceptance and, when accepted, the same value.
func TestConditionsFast(t *testing.T) {
	var conds [][]byte
	seen := map[string]bool{}
	for _, p := range predicates(t) {
		rep, err := scai.ReadPredicate(p)
		if err != nil {
			continue
		}
		for _, a := range rep.Attributes {
			if a.Conditions != nil && !seen[string(a.Conditions)] {
				seen[string(a.Conditions)] = true
				conds = append(conds, a.Conditions)
			}
		}
	}
	found := len(conds)
	for _, s := range []string{
		`{"pcr":1}`, `{"pcr":1.0}`, `{"pcr":"1"}`, `{"pcr":-0}`, `{"pcr":-7}`, `{"pcr":1e2}`, `{"pcr":[1]}`,
		`{"pcr":true}`, `{"pcr":{}}`, `{"pcr":null}`, `{"pcr":9223372036854775807}`, `{"pcr":9223372036854775808}`,
		`{"PCR":1}`, `{"pcr":1,"PCR":2}`, `{"pcr":1,"pcr":2}`, `{"Pcr":1,"pcr":2}`,
		`{"component":"kernel","component":"x"}`, `{"component":5}`, `{"component":null,"platform":null}`,
		`{"component":"a\u0000b","platform":"\ud83d\ude00"}`, `{"Component":"k"}`, `{"component":"k","extra":{"a":[1,{"b":null}]}}`,
		`{"binding":null}`, `{"binding":5}`, `{"binding":[]}`, `{"binding":{"payload":null}}`, `{"binding":{"payload":{}}}`,
		`{"binding":{"payload":{"a":null}}}`, `{"binding":{"payload":{"a":1}}}`, `{"binding":{"Payload":{}}}`,
		`{"binding":{"payload":{"sha256":"a","sha256":"b"}}}`, `{"binding":{"payload":{"sha256":"a","SHA256":"b"}}}`,
		`{"binding":{"convention":"c","Convention":"d"}}`, `{"binding":{"purpose":{}}}`, `{"platform":{"x":1}}`,
		`{"platform":"tdx","binding":{"convention":"buildtrust/bind/v1","purpose":"launch","payload":{"sha256":"00"}},"more":1}`,
		`{"buildId":"b"}`, `{"buildId":5}`, `{"buildid":"x"}`, `{"buildId":"x","buildID":"y"}`, `{"buildId":"\u00e9\n"}`,
		`null`, `[]`, `"x"`, `5`, ``, ` `, `{} x`, `{`, `{"a":1,}`, `{"binding":5,"platform":{"a":1,"a":2}}`,
		`{"pcr":"x","component":` + strings.Repeat("[", limits.MaxJSONDepth+1) + `}`,
	} {
		conds = append(conds, []byte(s))
	}
	var inputs [][]byte
	for i, c := range conds {
		n := mutationPositions()
		if i >= found {
			n *= 4 // the hand-written ones are small and aimed at the edges
		}
		inputs = append(inputs, c)
		inputs = append(inputs, mutations(c, n)...)
	}
	t.Logf("%d conditions found, %d written, %d inputs", found, len(conds)-found, len(inputs))
	accepted := 0
	for _, kind := range []string{scai.RefConditions, scai.EvidenceConditions, scai.DispatchConditions} {
		for _, in := range inputs {
			got, gotErr := scai.DecodeConditions(kind, in, true)
			want, wantErr := scai.DecodeConditions(kind, in, false)
			if (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("%s %s:\nfast: %v\nUnmarshal: %v", kind, in, gotErr, wantErr)
			}
			if gotErr == nil {
				accepted++
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %s:\nfast: %+v\nUnmarshal: %+v", kind, in, got, want)
				}
			}
		}
	}
	if accepted < 100 || accepted == 3*len(inputs) {
		t.Errorf("%d of %d accepted: too few or too many to compare", accepted, 3*len(inputs))
	}
}

// TestConditionsFallback: when the fast reader fails, the error is the one
// strictjson.Unmarshal reports — here a duplicate key, which Unmarshal's
// first pass finds, not the wrong type the fast reader meets first.
func TestConditionsFallback(t *testing.T) {
	id, err := scai.IdentityDescriptor(seedKey(9).Public())
	if err != nil {
		t.Fatal(err)
	}
	ev := &buildtrust.ResourceDescriptor{URI: "u", MediaType: scai.MediaTypeSEVSNPReport}
	for _, attr := range []string{scai.AttrMeasuredBoot, scai.AttrHardwareTEE} {
		rep := &scai.Report{PredicateType: scai.PredicateTypeV03, Subject: []buildtrust.ResourceDescriptor{id},
			Predicate: scai.AttributeReport{Attributes: []scai.AttributeAssertion{{
				Attribute: attr, Evidence: ev, Conditions: []byte(`{"binding":5,"platform":{"a":1,"a":2}}`)}}}}
		_, err := rep.Launch()
		if !errors.Is(err, scai.ErrAttribute) || !errors.Is(err, strictjson.ErrDuplicateKey) || errors.Is(err, strictjson.ErrWrongType) {
			t.Errorf("%s: %v, want ErrAttribute and the duplicate key", attr, err)
		}
	}
}

// TestOnlySHA256Matches holds CheckEvidence's fast digest comparison to
// DigestPolicy.Match over buildtrust.Digest, which decides whenever the
// fast path does not: the fast path may say yes only where Match does, and
// must say yes for a lone, right SHA-256 (else it would never be taken).
// Every computable algorithm, with right, wrong, upper-case, short and
// empty values, alone and beside others.
func TestOnlySHA256Matches(t *testing.T) {
	algs := []string{buildtrust.SHA224, buildtrust.SHA256, buildtrust.SHA384, buildtrust.SHA512,
		buildtrust.SHA512_224, buildtrust.SHA512_256, buildtrust.SHA3_224, buildtrust.SHA3_256, buildtrust.SHA3_384, buildtrust.SHA3_512}
	for _, data := range [][]byte{nil, []byte("evidence"), bytes.Repeat([]byte{0xa5}, 5000)} {
		right, _, err := buildtrust.Digest(bytes.NewReader(data), algs...)
		if err != nil {
			t.Fatal(err)
		}
		if !scai.OnlySHA256Matches(buildtrust.DigestSet{buildtrust.SHA256: right[buildtrust.SHA256]}, []string{buildtrust.SHA256}, data) {
			t.Fatalf("a right SHA-256 over %d bytes does not take the fast path", len(data))
		}
		for _, alg := range algs {
			if !scai.Computable(alg) {
				t.Fatalf("%s not computable", alg)
			}
			r := right[alg]
			for _, v := range []string{r, strings.ToUpper(r), r[:len(r)-2], r + "00", "", strings.Repeat("0", len(r)), r[:len(r)-1] + "g"} {
				for _, set := range []buildtrust.DigestSet{
					{alg: v},
					{alg: v, buildtrust.SHA256: right[buildtrust.SHA256]},
					{alg: v, buildtrust.SHA512: strings.Repeat("0", 128)},
				} {
					var names []string // as CheckEvidence chooses them
					for _, name := range slices.Sorted(maps.Keys(set)) {
						if (buildtrust.DigestPolicy{}).Accepts(name, set[name]) {
							names = append(names, name)
						}
					}
					computed, _, _ := buildtrust.Digest(bytes.NewReader(data), names...)
					if scai.OnlySHA256Matches(set, names, data) && (buildtrust.DigestPolicy{}).Match(set, computed) != nil {
						t.Fatalf("%s over %d bytes: the fast path accepts what Match rejects", set, len(data))
					}
				}
			}
		}
	}
}

// TestDigestSetsIdentical compares the bindings' DigestSet comparison with
// the reflect.DeepEqual it replaced, nil and empty sets included.
func TestDigestSetsIdentical(t *testing.T) {
	sets := []buildtrust.DigestSet{nil, {}, {"sha256": "aa"}, {"sha256": "ab"}, {"sha256": ""}, {"sha512": "aa"},
		{"sha256": "aa", "sha512": "bb"}, {"sha256": "aa", "sha512": "bc"}}
	for _, a := range sets {
		for _, b := range sets {
			if got, want := scai.DigestSetsIdentical(a, b), reflect.DeepEqual(a, b); got != want {
				t.Errorf("%v vs %v: %v, want %v", a, b, got, want)
			}
		}
	}
}
