package provenance

import (
	"fmt"
	"time"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/limits"
	"github.com/buildtrust/buildtrust/internal/rdread"
	"github.com/buildtrust/buildtrust/internal/strictjson"
)

// readV1 decodes a v1 predicate in one strict pass (strictjson.Reader); it
// accepts exactly what decode(raw, &Provenance{}) accepts, which the fuzz
// targets check, at a fraction of the cost.
func readV1(raw []byte) (Provenance, error) {
	var p Provenance
	r, err := strictjson.NewReader(raw, strictjson.Options{MaxBytes: limits.MaxPayloadBytes})
	if err != nil {
		return p, err
	}
	bd, rd := &p.BuildDefinition, &p.RunDetails
	err = r.Object([]string{"buildDefinition", "runDetails"}, func(key string) error {
		if key == "buildDefinition" {
			return r.Object([]string{"buildType", "externalParameters", "internalParameters", "resolvedDependencies"}, func(key string) error {
				var err error
				switch key {
				case "buildType":
					bd.BuildType, err = r.String()
				case "externalParameters":
					bd.ExternalParameters, err = readObject(r)
				case "internalParameters":
					bd.InternalParameters, err = readObject(r)
				case "resolvedDependencies":
					bd.ResolvedDependencies, err = readDescriptors(r)
				}
				return err
			})
		}
		return r.Object([]string{"builder", "metadata", "byproducts"}, func(key string) error {
			switch key {
			case "builder":
				return r.Object([]string{"id", "version", "builderDependencies"}, func(key string) error {
					var err error
					switch key {
					case "id":
						rd.Builder.ID, err = r.String()
					case "version":
						if r.Null() {
							return nil
						}
						rd.Builder.Version = map[string]string{}
						err = r.Object(nil, func(k string) error {
							v, err := r.String()
							rd.Builder.Version[k] = v
							return err
						})
					case "builderDependencies":
						rd.Builder.BuilderDependencies, err = readDescriptors(r)
					}
					return err
				})
			case "metadata":
				if r.Null() {
					return nil
				}
				md := &BuildMetadata{}
				rd.Metadata = md
				return r.Object([]string{"invocationId", "startedOn", "finishedOn"}, func(key string) error {
					var err error
					switch key {
					case "invocationId":
						md.InvocationID, err = r.String()
					case "startedOn":
						md.StartedOn, err = readTime(r)
					case "finishedOn":
						md.FinishedOn, err = readTime(r)
					}
					return err
				})
			default:
				var err error
				rd.Byproducts, err = readDescriptors(r)
				return err
			}
		})
	})
	if err != nil {
		return p, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err := r.Close(); err != nil {
		return p, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return p, nil
}

// readObject reads a JSON object (or null) as map[string]any.
func readObject(r *strictjson.Reader) (map[string]any, error) {
	if r.Null() {
		return nil, nil
	}
	v, err := r.Any()
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: want an object", strictjson.ErrWrongType)
	}
	return m, nil
}

func readDescriptors(r *strictjson.Reader) ([]buildtrust.ResourceDescriptor, error) {
	var out []buildtrust.ResourceDescriptor
	err := r.Array(func() error {
		if len(out) == limits.MaxResolvedDependencies {
			return limits.TooLarge("resource descriptors", limits.MaxResolvedDependencies)
		}
		rd, err := rdread.Read(r)
		if err != nil {
			return err
		}
		out = append(out, rd)
		return nil
	})
	return out, err
}

func readTime(r *strictjson.Reader) (*time.Time, error) {
	if r.Null() {
		return nil, nil
	}
	s, err := r.String()
	if err != nil {
		return nil, err
	}
	var t time.Time
	if err := t.UnmarshalText([]byte(s)); err != nil { // strict RFC 3339, as encoding/json
		return nil, fmt.Errorf("%w: timestamp %q: %v", strictjson.ErrWrongType, s, err)
	}
	return &t, nil
}
