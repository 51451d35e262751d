package filter

import (
	"testing"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
)

// FuzzCompileEval compiles arbitrary conditions and evaluates the ones that
// compile on an event: compilation must fail only with *Error, and
// evaluation must never panic (globs, regexps, transformers, lists on
// arbitrary values).
func FuzzCompileEval(f *testing.F) {
	for _, s := range []string{
		"evt.type=openat and evt.arg.name glob '/e*[a-z]?c/*'",
		"evt.arg.name iglob '[!x]*' or evt.arg.name regex '.*(passwd|shadow)'",
		"tolower(evt.arg.name) pmatch (/etc) and len(evt.arg.name) > 3",
		"b64(evt.arg.name) = x or basename(evt.arg.name) in (passwd)",
		"concat(evt.type, evt.arg.name) startswith openat and getopt(evt.arg.name)[c] exists",
		`join(",", evt.arg.name) = x and evt.arg.name = val(evt.type)`,
		"evt.arg.name startswith oneof (/, /etc) and evt.rawarg.fd in (1, 2, 3)",
		"evt.buffer bcontains 00ff and evt.num in (1, 0x10) and evt.rawres >= -1",
		"evt.arg[0] exists and not evt.arg[9] exists and evt.arg.flags icontains rdonly",
	} {
		f.Add(s)
	}
	e := openatEvent(f, "/etc/passwd", 3, 1)
	ctx := &fields.Ctx{}
	ctx.Reset(e)
	f.Fuzz(func(t *testing.T, s string) {
		ast, err := condition.Parse(s)
		if err != nil {
			return
		}
		flt, _, err := (&Compiler{}).Compile(ast)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		flt.Match(ctx)
		flt.Match(ctx)
	})
}
