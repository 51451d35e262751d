package condition

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"evt.type=open and proc.name=cat",
		"not evt.type in (open, openat) or (a and not(b))",
		`proc.aname[2] startswith "ba sh" and fd.name pmatch (/etc, '/usr/bin')`,
		"tolower(proc.name) = val(proc.pname) and len(proc.args) > 3",
		"proc.name startswith oneof (a, b) and evt.arg.flags contains O_TRUNC",
		"fd.num>=0x10 and evt.rawres < -1.5e+3 and proc.env[HOME] exists",
		"getopt(proc.args)[c] = x and join(\",\", proc.args) glob '*'",
		"((((a))))", "a and", "(", "evt.type in ()", "x = 'unterminated",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		// The canonical form must parse again to the same canonical form.
		c := String(e)
		e2, err := Parse(c)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", c, s, err)
		}
		if c2 := String(e2); c2 != c {
			t.Fatalf("canonical form not stable: %q -> %q", c, c2)
		}
	})
}
