package filter

import (
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

// openatEvent builds an openat exit event: fd=3, dirfd=-100,
// name=/etc/passwd, flags O_RDONLY|O_CLOEXEC, mode 0.
func openatEvent(t testing.TB, name string, fd int64, flags uint32) *event.Event {
	var b event.Builder
	b.Begin(event.SyscallOpenatV2X, 1470327477881781397, 42)
	b.Int64(fd)
	b.Int64(-100)
	b.String(name)
	b.Uint32(flags)
	b.Uint32(0)
	b.Uint32(0)
	b.Uint64(0)
	e, err := event.Parse(append([]byte(nil), b.Finish()...), 1)
	if err != nil {
		t.Fatal(err)
	}
	e.Num = 7
	return e
}

func compile(t testing.TB, cond string) (*Filter, error) {
	t.Helper()
	ast, err := condition.Parse(cond)
	if err != nil {
		t.Fatalf("parse %q: %v", cond, err)
	}
	f, _, err := (&Compiler{}).Compile(ast)
	return f, err
}

func TestEvalOnOpenat(t *testing.T) {
	e := openatEvent(t, "/etc/passwd", 3, 1|1<<12)
	ctx := &fields.Ctx{}
	ctx.Reset(e)
	cases := []struct {
		cond string
		want bool
	}{
		{"evt.type = openat", true},
		{"evt.type=open", false},
		{"evt.type in (open, openat)", true},
		{"evt.type != openat", false},
		{"not evt.type = open", true},
		{"evt.num = 7 and evt.num > 6 and evt.num <= 7", true},
		{"evt.num in (1, 2, 7)", true},
		{"evt.arg.name = /etc/passwd", true},
		{"evt.arg[2] startswith /etc", true},
		{"evt.arg.name pmatch (/etc)", true},
		{"evt.arg.name pmatch (/et)", false},
		{"evt.arg.name glob '/etc/*'", true},
		{"evt.arg.name glob '/e?c/[op]ass*'", true},
		{"evt.arg.name iglob '/ETC/*'", true},
		{"evt.arg.name regex '/etc/p.*'", true},
		{"evt.arg.name regex 'etc'", false},
		{"evt.arg.name contains passwd", true},
		{"evt.arg.name icontains PASSWD", true},
		{"evt.arg.name endswith wd", true},
		{"evt.arg.flags contains O_RDONLY", true},
		{"evt.arg.flags = O_RDONLY|O_CLOEXEC", true},
		{"evt.is_open_read = true", true},
		{"evt.is_open_write = true", false},
		{"evt.rawres = 3", true},
		{"evt.rawres >= 0 and evt.res = SUCCESS", true},
		{"evt.failed = false", true},
		{"evt.dir = <", true},
		{"toupper(evt.arg.name) = /ETC/PASSWD", true},
		{"basename(evt.arg.name) = passwd", true},
		{"len(evt.arg.name) = 11", true},
		{"evt.arg.name = val(evt.arg.name)", true},
		{"evt.arg.name startswith anyof (/usr, /etc)", true},
		{"evt.arg.name startswith oneof (/, /etc)", false},
		{"evt.arg.name startswith allof (/, /etc)", true},
		{"evt.arg.name exists", true},
		{"evt.arg.nosuch exists", false},
		{"not evt.arg.nosuch = x", true},
		{"evt.arg.nosuch != x", false},
		{"proc.name = cat", false},
		{"not proc.name = cat", true},
		{"evt.rawarg.fd < 4", true},
		{"evt.arg.name in (a, b, c, d, e, f, g, h, i, /etc/passwd)", true},
		{"evt.type.is.openat = 1", true},
		{"evt.type startswith open", true},
		{"evt.type glob 'op*t'", true},
	}
	for _, c := range cases {
		f, err := compile(t, c.cond)
		if err != nil {
			t.Errorf("%s: %v", c.cond, err)
			continue
		}
		if got := f.Match(ctx); got != c.want {
			t.Errorf("%s = %v, want %v", c.cond, got, c.want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for cond, msg := range map[string]string{
		"proc.nobody = x":                "filter_check called with nonexistent field proc.nobody",
		"evt.type = some_invalid":        "unknown event type some_invalid",
		"evt.num contains 3":             "'contains' operator not supported for numeric filters",
		"evt.num = abc":                  "not a valid number",
		"foo and evt.type=open":          "Undefined macro 'foo' used in filter.",
		"evt.buffer bcontains zz":        "bcontains and bstartswith operator support hex strings only",
		"evt.arg.name = val(proc.aname)": "right-hand side",
	} {
		_, err := compile(t, cond)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want %q", cond, err, msg)
		}
	}
}

func TestEventTypes(t *testing.T) {
	n := func(cond string) int {
		ast, err := condition.Parse(cond)
		if err != nil {
			t.Fatal(err)
		}
		return EventTypes(ast).Len()
	}
	open, _ := TypesOfName("open")
	all := AllTypes().Len()
	for cond, want := range map[string]int{
		"evt.type = open":                            open.Len(),
		"not evt.type = open":                        all - open.Len(),
		"evt.type != open":                           all - open.Len(),
		"proc.name = x":                              all,
		"not proc.name = x":                          all,
		"evt.type = open and proc.name = x":          open.Len(),
		"not (evt.type = open and proc.name = x)":    all,
		"evt.type = open and evt.type = execve":      0,
		"evt.type = open or proc.name = x":           all,
		"not (evt.type = open or evt.type = execve)": all - open.Len() - len(event.TypesByName("execve")),
	} {
		if got := n(cond); got != want {
			t.Errorf("%s: %d types, want %d", cond, got, want)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		fold bool
		want bool
	}{
		{"*", "/a/b", false, true}, {"/a/*", "/a/b/c", false, true}, {"a?c", "abc", false, true},
		{"[a-c]x", "bx", false, true}, {"[!a-c]x", "bx", false, false}, {"*.SO", "x.so", true, true},
		{"*.SO", "x.so", false, false}, {"a\\*", "a*", false, true}, {"[", "[", false, true}, {"", "", false, true},
	} {
		if got := globMatch(c.p, c.s, c.fold); got != c.want {
			t.Errorf("glob(%q, %q, %v) = %v", c.p, c.s, c.fold, got)
		}
	}
}

func TestCompilerWarnings(t *testing.T) {
	for cond, want := range map[string]string{
		"evt.arg.name regex passwd":       "regex check with 'passwd' may be optimized",
		"evt.arg.name = evt.type":         "'evt.type' may be a valid field misused as a const string value",
		"evt.dir = < and evt.type = open": "field 'evt.dir' is deprecated",
	} {
		ast, err := condition.Parse(cond)
		if err != nil {
			t.Fatal(err)
		}
		_, warns, err := (&Compiler{}).Compile(ast)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, w := range warns {
			found = found || strings.Contains(w.Msg, want)
		}
		if !found {
			t.Errorf("%s: warnings %+v, want %q", cond, warns, want)
		}
	}
}
