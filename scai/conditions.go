package scai

import (
	"fmt"
	"strconv"

	"github.com/buildtrust/buildtrust"
	"github.com/buildtrust/buildtrust/internal/strictjson"
)

// The conditions of the BuildEnv attributes are decoded by hand, in one pass
// and without reflection, because Launch, Dispatch and ImageReferenceValues
// decode one object per assertion on every evaluation. Each readFast accepts
// what strictjson.Unmarshal into the struct accepts and decodes the same
// values (fastpath_test.go compares them): the field lists are the structs'
// JSON names, strictjson.Reader.Object applies the same duplicate,
// case-folding and unknown-field rules, and the value rules are
// encoding/json's.

func (c *refConditions) read(raw []byte) error      { return orUnmarshal(c, raw, c.readFast(raw)) }
func (c *evidenceConditions) read(raw []byte) error { return orUnmarshal(c, raw, c.readFast(raw)) }
func (c *dispatchConditions) read(raw []byte) error { return orUnmarshal(c, raw, c.readFast(raw)) }

// orUnmarshal returns nil when the fast reader succeeded (fastErr == nil).
// Otherwise strictjson.Unmarshal decodes raw into c again, so that an input
// with several faults reports the one it always did (Unmarshal checks the
// syntax of the whole input before any type). It decodes into a copy, so
// that c does not escape on the fast path.
func orUnmarshal[T any](c *T, raw []byte, fastErr error) error {
	if fastErr == nil {
		return nil
	}
	var v T
	err := strictjson.Unmarshal(raw, &v, strictjson.Options{})
	*c = v
	return err
}

// readObject reads the object raw with fn called for each of fields, under
// the options of orUnmarshal's strictjson.Unmarshal.
func readObject(raw []byte, fields []string, fn func(r *strictjson.Reader, key string) error) error {
	r, err := strictjson.NewReader(raw, strictjson.Options{})
	if err != nil {
		return err
	}
	if err := r.Object(fields, func(key string) error { return fn(r, key) }); err != nil {
		return err
	}
	return r.Close()
}

var (
	refFields      = []string{"component", "pcr", "platform"}
	evidenceFields = []string{"platform", "binding"}
	bindingFields  = []string{"convention", "purpose", "payload"}
	dispatchFields = []string{"buildId"}
)

func (c *refConditions) readFast(raw []byte) error {
	return readObject(raw, refFields, func(r *strictjson.Reader, key string) error {
		var err error
		switch key {
		case "component":
			var s string
			s, err = r.String()
			c.Component = Component(s)
		case "pcr":
			c.PCR, err = readIntPointer(r)
		case "platform":
			c.Platform, err = r.String()
		}
		return err
	})
}

// readIntPointer reads a *int as encoding/json does: null is nil, and
// anything but an integer literal in int's range is a type error.
func readIntPointer(r *strictjson.Reader) (*int, error) {
	raw, err := r.RawView()
	if err != nil {
		return nil, err
	}
	switch c := raw[0]; {
	case c == 'n' && string(raw) == "null":
		return nil, nil
	case c == '-' || '0' <= c && c <= '9':
		if n, err := strconv.ParseInt(string(raw), 10, strconv.IntSize); err == nil {
			i := int(n)
			return &i, nil
		}
	}
	return nil, fmt.Errorf("%w: %s is not an int", strictjson.ErrWrongType, raw)
}

func (c *evidenceConditions) readFast(raw []byte) error {
	return readObject(raw, evidenceFields, func(r *strictjson.Reader, key string) error {
		var err error
		switch key {
		case "platform":
			c.Platform, err = r.String()
		case "binding":
			err = c.Binding.read(r)
		}
		return err
	})
}

// read reads a Binding object; null leaves it as it is, as encoding/json
// does.
func (b *Binding) read(r *strictjson.Reader) error {
	return r.Object(bindingFields, func(key string) error {
		var err error
		switch key {
		case "convention":
			b.Convention, err = r.String()
		case "purpose":
			b.Purpose, err = r.String()
		case "payload":
			if r.Null() {
				b.Payload = nil
				return nil
			}
			b.Payload = buildtrust.DigestSet{}
			err = r.Object(nil, func(alg string) error {
				v, err := r.String()
				b.Payload[alg] = v
				return err
			})
		}
		return err
	})
}

func (c *dispatchConditions) readFast(raw []byte) error {
	return readObject(raw, dispatchFields, func(r *strictjson.Reader, key string) error {
		var err error
		if key == "buildId" {
			c.BuildID, err = r.String()
		}
		return err
	})
}
