package docdecode_test

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/buildtrust/buildtrust/internal/docdecode"
)

type Builder struct {
	ID       string `json:"id" doc:"required" desc:"Builder ID (a URI)."`
	MaxLevel int    `json:"maxLevel"`
}

type Policy struct {
	APIVersion string        `json:"apiVersion" doc:"required"`
	Builders   []Builder     `json:"builders" doc:"required"`
	MaxAge     time.Duration `json:"maxAge"`
}

// Every problem of a document is reported at once, with its position.
func ExampleDecode() {
	doc := []byte(`apiVersion: 1
builders:
  - id: https://builder.example
    maxLevel: three
  - ID: https://other.example
maxage: 24h
`)
	var p Policy
	_, err := docdecode.Decode(doc, docdecode.Auto, &p)
	fmt.Println(err)
	fmt.Println(errors.Is(err, docdecode.ErrUnknownField))
	// Output:
	// 1:13: /apiVersion: expected string, got integer 1 (quote it)
	// 4:15: /builders/0/maxLevel: expected integer, got string "three"
	// 5:5: /builders/1/ID: unknown field "ID" (did you mean "id"?)
	// 5:5: /builders/1/id: missing required field "id"
	// 6:1: /maxage: unknown field "maxage" (did you mean "maxAge"?)
	// true
}

// The Document places the caller's own checks in the file too.
func ExampleDocument_Problemf() {
	doc := []byte(`{
  "apiVersion": "v1",
  "builders": [{"id": "https://builder.example", "maxLevel": 7}]
}`)
	var p Policy
	d, err := docdecode.Decode(doc, docdecode.JSON, &p)
	if err != nil {
		panic(err)
	}
	errLevel := errors.New("no such SLSA level")
	var problems docdecode.Problems
	for i, b := range p.Builders {
		if b.MaxLevel > 4 {
			problems = append(problems, d.Problemf(docdecode.Pointer("builders", fmt.Sprint(i), "maxLevel"), errLevel, "level %d does not exist", b.MaxLevel))
		}
	}
	fmt.Println(problems.Err())
	// Output:
	// 3:62: /builders/0/maxLevel: level 7 does not exist
}

func ExampleSchema() {
	out, err := docdecode.Schema(Policy{}, docdecode.SchemaOptions{Title: "Policy"})
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(out)
	// Output:
	// {
	//   "$defs": {
	//     "Builder": {
	//       "additionalProperties": false,
	//       "properties": {
	//         "id": {
	//           "description": "Builder ID (a URI).",
	//           "type": "string"
	//         },
	//         "maxLevel": {
	//           "type": "integer"
	//         }
	//       },
	//       "required": [
	//         "id"
	//       ],
	//       "type": "object"
	//     }
	//   },
	//   "$schema": "https://json-schema.org/draft/2020-12/schema",
	//   "additionalProperties": false,
	//   "properties": {
	//     "apiVersion": {
	//       "type": "string"
	//     },
	//     "builders": {
	//       "items": {
	//         "$ref": "#/$defs/Builder"
	//       },
	//       "type": "array"
	//     },
	//     "maxAge": {
	//       "pattern": "^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$",
	//       "type": "string"
	//     }
	//   },
	//   "required": [
	//     "apiVersion",
	//     "builders"
	//   ],
	//   "title": "Policy",
	//   "type": "object"
	// }
}
