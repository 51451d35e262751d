package filter

import (
	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
)

// Operand is a compiled field or transformer expression, for users that
// extract values outside conditions (output formats).
type Operand struct {
	// Name is the expression as written in canonical form.
	Name    string
	Extract fields.Extractor
	Type    fields.Type
	Shape   fields.Shape
	// Bound is the field binding when the operand is a plain field.
	Bound *fields.Bound
	// Unimplemented is set when the operand reads a field that has no
	// extractor yet.
	Unimplemented bool
}

// CompileOperand compiles a field or transformer expression.
func (cp *Compiler) CompileOperand(o condition.Operand) (op *Operand, err error) {
	reg := cp.Fields
	if reg == nil {
		reg = fields.Default
	}
	st := &compileState{reg: reg, sess: cp.Session, fields: map[string]bool{}, ops: map[string]bool{}, unimpl: map[string]bool{}}
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			op, err = nil, ce
		}
	}()
	x := st.operand(o)
	return &Operand{Name: x.name, Extract: x.extract, Type: x.typ, Shape: x.shape, Bound: x.bound, Unimplemented: len(st.unimpl) > 0}, nil
}

// AppendText renders an extracted value of the operand.
func (o *Operand) AppendText(buf []byte, v *fields.Value) []byte {
	if o.Bound != nil {
		return o.Bound.AppendText(buf, v)
	}
	b := fields.Bound{Binding: fields.Binding{Type: o.Type, Shape: o.Shape}}
	return b.AppendText(buf, v)
}

// JSONValue returns the typed value of an extracted value of the operand.
func (o *Operand) JSONValue(v *fields.Value) any {
	if o.Bound != nil {
		return o.Bound.JSONValue(v)
	}
	b := fields.Bound{Binding: fields.Binding{Type: o.Type, Shape: o.Shape}}
	return b.JSONValue(v)
}
