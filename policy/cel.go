package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/threat"
)

// CEL variables a rule may read. They hold verified claims only: a value
// that did not pass its checks is absent (null or an empty map), never the
// unverified text.
const (
	// VarArtifact: {"name", "purl", "digest": {alg: hex}, "resourceUri"}.
	VarArtifact = "artifact"
	// VarProvenance: the verified, normalized SLSA Provenance v1 predicate
	// ({"buildDefinition": …, "runDetails": …}) of the provenance that
	// passed; an empty map when none did.
	VarProvenance = "provenance"
	// VarBuildLevel and VarBuildEnvLevel: the levels reached (ints).
	VarBuildLevel    = "buildLevel"
	VarBuildEnvLevel = "buildEnvLevel"
	// VarEnvironment: {"image": {alg: hex}, "platform", "measurement" (hex),
	// "tcb": {name: svn}, "tcbStatus", "debug", "pcrs": {"sha256": {"0": hex}}}
	// of the verified environment chain; an empty map when none verified.
	VarEnvironment = "environment"
)

type compiledRule struct {
	name    string
	threats []threat.ID
	message string
	prg     cel.Program
}

func celEnv() (*cel.Env, error) {
	dyn := cel.MapType(cel.StringType, cel.DynType)
	return cel.NewEnv(
		cel.Variable(VarArtifact, dyn),
		cel.Variable(VarProvenance, dyn),
		cel.Variable(VarEnvironment, dyn),
		cel.Variable(VarBuildLevel, cel.IntType),
		cel.Variable(VarBuildEnvLevel, cel.IntType),
		// STYLE.md G20: bound what a policy author (or an attacker who can
		// edit a policy) can make the evaluator do.
		cel.ParserRecursionLimit(limits.MaxCELRecursion),
		cel.ParserExpressionSizeLimit(limits.MaxCELExpressionBytes),
	)
}

func (p *Policy) compileRules(ps *problems) {
	env, err := celEnv()
	if err != nil {
		ps.add("/rules", "CEL environment: %v", err)
		return
	}
	for i, r := range p.doc.Rules {
		at := fmt.Sprintf("/rules/%d", i)
		if r.Name == "" {
			ps.add(at+"/name", "a rule needs a name")
		}
		if _, dup := p.rules[r.Name]; dup {
			ps.add(at+"/name", "rule %q is defined twice", r.Name)
			continue
		}
		cr := &compiledRule{name: r.Name, message: r.Message}
		if len(r.Threats) == 0 {
			ps.add(at+"/threats", "name the threats the rule addresses (threat catalog IDs)")
		}
		for j, s := range r.Threats {
			id, err := threat.Parse(s)
			if err != nil {
				ps.add(fmt.Sprintf("%s/threats/%d", at, j), "%v", err)
				continue
			}
			cr.threats = append(cr.threats, id)
		}
		ast, iss := env.Compile(r.Expr)
		if iss != nil && iss.Err() != nil {
			ps.add(at+"/expr", "%v", iss.Err())
			continue
		}
		if ast.OutputType() != cel.BoolType && ast.OutputType() != cel.DynType {
			ps.add(at+"/expr", "the expression must be a bool, not %v", ast.OutputType())
			continue
		}
		prg, err := env.Program(ast, cel.CostLimit(limits.MaxCELCost), cel.InterruptCheckFrequency(100))
		if err != nil {
			ps.add(at+"/expr", "%v", err)
			continue
		}
		cr.prg = prg
		p.rules[r.Name] = cr
	}
}

// eval runs the rule. A rule that does not evaluate to true — false, an
// error, a non-bool — fails.
func (r *compiledRule) eval(ctx context.Context, vars map[string]any) (bool, string) {
	out, _, err := r.prg.ContextEval(ctx, vars)
	if err != nil {
		return false, "evaluation error: " + err.Error()
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Sprintf("the rule evaluated to %v, not a bool", out)
	}
	return bool(b), ""
}

// celValue converts decoded JSON (json.Number numbers) into values CEL
// reads: integers as int64 when exact, other numbers as float64.
func celValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = celValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = celValue(e)
		}
		return out
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return string(x)
	}
	return v
}
