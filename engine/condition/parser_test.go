package condition

import (
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"evt.type=open and proc.name=cat":                "(evt.type = open and proc.name = cat)",
		"a and b or c":                                   "((a and b) or c)",
		"a or b and c":                                   "(a or (b and c))",
		"not a and b":                                    "(not a and b)",
		"not not a":                                      "not not a",
		"not(a or b)":                                    "not (a or b)",
		"a and(b)or(c)":                                  "((a and b) or c)",
		"proc.name in(a,b)":                              "proc.name in (a, b)",
		"proc.name in ()":                                "proc.name in ()",
		"proc.name in ('a b', \"c\\\"d\")":               `proc.name in ("a b", "c\"d")`,
		"proc.aname[2]=bash":                             "proc.aname[2] = bash",
		`proc.env["HOME"] exists`:                        "proc.env[HOME] exists",
		"fd.num>=0x10":                                   "fd.num >= 0x10",
		"evt.rawres < -1":                                "evt.rawres < -1",
		"proc.name==bash":                                "proc.name = bash",
		"proc.name icontains X":                          "proc.name icontains X",
		"proc.name = val(proc.pname)":                    "proc.name = val(proc.pname)",
		"tolower(proc.name) in (a)":                      "tolower(proc.name) in (a)",
		"basename(tolower(proc.exe)) = x":                "basename(tolower(proc.exe)) = x",
		"getopt(proc.args)[c] = x":                       "getopt(proc.args)[c] = x",
		"join(',', proc.args) = x":                       `join(",", proc.args) = x`,
		"proc.name startswith anyof (a, b)":              "proc.name startswith anyof (a, b)",
		"proc.name in shell_binaries":                    "proc.name in shell_binaries",
		"notify_x and andy or orca":                      "((notify_x and andy) or orca)",
		"proc.name pmatch (/usr/bin)":                    "proc.name pmatch (/usr/bin)",
		"evt.buffer bcontains 303000":                    "evt.buffer bcontains 303000",
		"\tevt.type\n=\r\nopen\n":                        "evt.type = open",
		"proc.name glob 'a*' and fd.name regex '[a-z]+'": "(proc.name glob a* and fd.name regex [a-z]+)",
	} {
		e, err := Parse(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := String(e); got != want {
			t.Errorf("%q -> %s, want %s", in, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]struct {
		msg string
		off int
	}{
		"":                          {"filter input string is empty", 0},
		"evt.type=execve and":       {"unexpected token after 'execve', expecting 'or', 'and'", 16},
		"evt.type=open proc.name=x": {"unexpected token after 'open', expecting 'or', 'and'", 14},
		"(a":                        {"expected a ')' token", 2},
		"a and ,":                   {"expected a '(' token, a field check, or an identifier", 6},
		"proc.name":                 {"expected a valid check operator: one of 'exists', '<=', '<'", 9},
		"proc.name contains(x)":     {"expected a valid check operator", 10},
		"proc.name in (a b)":        {"expected a ')' token", 16},
		"proc.name = ":              {"expected a string value", 12},
		"fd.num > abc":              {"expected a number value", 9},
		"proc.aname[":               {"expected a valid field argument", 11},
		"proc.aname[2 = x":          {"expected a ']' token", 12},
		"a and,b":                   {"expected blank or '(' after 'and'", 5},
		"not":                       {"expected blank or '(' after 'not'", 3},
		"a.x = 'unterminated":       {"expected a string value", 6},
	} {
		_, err := Parse(in)
		pe, ok := err.(*Error)
		if !ok {
			t.Errorf("%q: error %v", in, err)
			continue
		}
		if !strings.HasPrefix(pe.Msg, want.msg) || pe.Pos.Offset != want.off {
			t.Errorf("%q: %q at %d, want %q at %d", in, pe.Msg, pe.Pos.Offset, want.msg, want.off)
		}
	}
}

func TestMaxDepth(t *testing.T) {
	ok := strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200)
	if _, err := Parse(ok); err != nil {
		t.Errorf("depth 200: %v", err)
	}
	deep := strings.Repeat("(", 5000) + "a" + strings.Repeat(")", 5000)
	_, err := Parse(deep)
	if err == nil || !strings.Contains(err.Error(), "exceeded max depth limit of 1000") {
		t.Errorf("depth 5000: %v", err)
	}
	nots := strings.Repeat("not ", 5000) + "a"
	if _, err := Parse(nots); err == nil {
		t.Error("5000 nots accepted")
	}
}

func TestPositions(t *testing.T) {
	e, err := Parse("evt.type=open and\n  proc.name = cat")
	if err != nil {
		t.Fatal(err)
	}
	c := e.(*And).Children[1].(*Check)
	if c.P.Line != 2 || c.P.Col != 3 || c.P.Offset != 20 {
		t.Errorf("second check at %+v", c.P)
	}
}
