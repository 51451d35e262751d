package fields

import (
	"fmt"
	"sort"
	"strings"
)

// Registry maps field names to fields. [Default] holds every field saker
// knows; tests may build their own.
type Registry struct {
	byName map[string]*Field
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byName: map[string]*Field{}} }

// Default is the registry the engine compiles rules against. Packages add
// their fields to it from init functions with [Register].
var Default = NewRegistry()

// Register adds f to the Default registry. See [Registry.Register].
func Register(f Field) { Default.Register(f) }

// Register adds f. A name may be registered twice only to pair a known
// field (registered without Bind: name, type, flags) with its
// implementation (registered with Bind), in either order; the types must
// agree. The implementation's Flags and Desc win when set. Anything else is
// a programming error and panics at init.
func (r *Registry) Register(f Field) {
	if f.Name == "" {
		panic("fields: register a field without a name")
	}
	old, ok := r.byName[f.Name]
	if !ok {
		nf := f
		r.byName[f.Name] = &nf
		return
	}
	if (old.Bind != nil) == (f.Bind != nil) {
		panic("fields: field " + f.Name + " registered twice")
	}
	if f.Type != old.Type {
		panic(fmt.Sprintf("fields: field %s registered with type %v and %v", f.Name, f.Type, old.Type))
	}
	impl, known := f, *old
	if f.Bind == nil {
		impl, known = *old, f
	}
	if impl.Flags == 0 {
		impl.Flags = known.Flags
	}
	if impl.Desc == "" {
		impl.Desc = known.Desc
	}
	*old = impl
}

// Get returns the field registered under exactly name.
func (r *Registry) Get(name string) (*Field, bool) {
	f, ok := r.byName[name]
	return f, ok
}

// Lookup finds the field a written name refers to. Besides exact names it
// understands the dotted argument form of DotArg fields: "evt.arg.flags" is
// field "evt.arg" with argument "flags". arg is the bracket argument, if
// any; both forms at once are refused by returning ok=false.
func (r *Registry) Lookup(name string, arg Arg) (f *Field, a Arg, ok bool) {
	if f, ok := r.byName[name]; ok {
		return f, arg, true
	}
	// Longest registered prefix with DotArg.
	for i := len(name) - 1; i > 0; i-- {
		if name[i] != '.' {
			continue
		}
		if f, ok := r.byName[name[:i]]; ok && f.Flags&DotArg != 0 {
			if arg.Set {
				return nil, arg, false
			}
			return f, Arg{Set: true, Text: name[i+1:]}, true
		}
	}
	return nil, arg, false
}

// Bound is a field occurrence resolved by [Registry.Bind].
type Bound struct {
	Field *Field
	Arg   Arg
	Binding
}

// String renders the occurrence as written in canonical form: name[arg].
func (b *Bound) String() string {
	if !b.Arg.Set {
		return b.Field.Name
	}
	return b.Field.Name + "[" + b.Arg.Text + "]"
}

// UnknownFieldError is the error for a name no field matches. Its text is
// libs' ("filter_check called with nonexistent field X"), which Falco's
// skip-if-unknown-filter recognises.
type UnknownFieldError struct{ Name string }

func (e *UnknownFieldError) Error() string {
	return "filter_check called with nonexistent field " + e.Name
}

// Bind resolves a written field (name and optional bracket argument) to a
// binding: it finds the field, checks the argument against the field's
// flags and calls its BindFunc. Fields without an extractor bind to one
// that always reports "not available".
func (r *Registry) Bind(name string, arg Arg) (*Bound, error) {
	f, a, ok := r.Lookup(name, arg)
	if !ok {
		return nil, &UnknownFieldError{Name: name}
	}
	if a.Set && f.Flags&(ArgRequired|ArgAllowed|DotArg) == 0 {
		return nil, fmt.Errorf("filter_check called with nonexistent field %s[%s]: %s takes no argument", f.Name, a.Text, f.Name)
	}
	if !a.Set && f.Flags&ArgRequired != 0 {
		return nil, fmt.Errorf("filter error: field %s requires an argument", f.Name)
	}
	if a.Set && f.Flags&(ArgIndex|ArgKey) == ArgIndex {
		if _, ok := a.Index(); !ok {
			return nil, fmt.Errorf("filter error: field %s needs a numeric argument, got '%s'", f.Name, a.Text)
		}
	}
	var b Binding
	if f.Bind != nil {
		var err error
		if b, err = f.Bind(a); err != nil {
			return nil, err
		}
	} else {
		b.Extract = notAvailable
	}
	if b.Type == 0 {
		b.Type = f.Type
	}
	if b.Shape == Scalar {
		if f.Flags&List != 0 {
			b.Shape = Many
		} else if f.Flags&AnyWithoutArg != 0 && !a.Set {
			b.Shape = Any
		}
	}
	return &Bound{Field: f, Arg: a, Binding: b}, nil
}

func notAvailable(*Ctx, *Value) bool { return false }

// All returns every registered field sorted by name.
func (r *Registry) All() []*Field {
	out := make([]*Field, 0, len(r.byName))
	for _, f := range r.byName {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Unimplemented returns the names of registered fields without an
// extractor, sorted.
func (r *Registry) Unimplemented() []string {
	var out []string
	for _, f := range r.All() {
		if f.Bind == nil {
			out = append(out, f.Name)
		}
	}
	return out
}

// Class returns the part of a field name before the first dot ("proc").
func Class(name string) string {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		return name[:i]
	}
	return name
}

// Session binds fields for one ruleset: it hands out one shared binding
// per distinct field and argument, memoized per event for fields flagged
// [Memoize], so that a costly field used by many rules is extracted once
// per event. Everything compiled with one Session must be evaluated with
// one Ctx on one goroutine.
type Session struct {
	Registry *Registry
	bound    map[sessionKey]*Bound
}

type sessionKey struct {
	name string
	arg  Arg
}

// NewSession returns a binding session over r (nil: Default).
func NewSession(r *Registry) *Session {
	if r == nil {
		r = Default
	}
	return &Session{Registry: r, bound: map[sessionKey]*Bound{}}
}

// Bind is [Registry.Bind], shared within the session for Memoize fields.
func (s *Session) Bind(name string, arg Arg) (*Bound, error) {
	k := sessionKey{name, arg}
	if b, ok := s.bound[k]; ok {
		return b, nil
	}
	b, err := s.Registry.Bind(name, arg)
	if err != nil {
		return nil, err
	}
	if b.Field.Flags&Memoize != 0 {
		b.Extract = Memo(b.Extract)
		s.bound[k] = b
	}
	return b, nil
}
