package fields_test

import "testing"

// fd.*proto are the ports as text (Falco never turns on port-name
// resolution; sysdig 0.29 prints numbers: internal/sysdigdiff).
func TestFDProtoFields(t *testing.T) {
	cases := []struct {
		ev    ev
		field string
		want  string
	}{
		{read(300, 4), "fd.cproto", "40000"},
		{read(300, 4), "fd.sproto", "443"},
		{read(300, 4), "fd.lproto", "40000"},
		{read(300, 4), "fd.rproto", "443"},
		{read(300, 5), "fd.sproto", "80"},
		{read(300, 3), "fd.sproto", "<NA>"},
		{read(300, 99), "fd.sproto", "<NA>"},
	}
	for _, tc := range cases {
		if got := extractAfter(t, tc.ev, tc.field); got != tc.want {
			t.Errorf("%s on fd %v: %q, want %q", tc.field, tc.ev, got, tc.want)
		}
	}
}
