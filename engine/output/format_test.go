package output

import (
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

func openat(t *testing.T) *fields.Ctx {
	var b event.Builder
	b.Begin(event.SyscallOpenatV2X, 1470327477881781397, 42)
	b.Int64(3)
	b.Int64(-100)
	b.String("/etc/passwd")
	b.Uint32(1)
	b.Uint32(0)
	b.Uint32(0)
	b.Uint64(0)
	e, err := event.Parse(b.Finish(), 1)
	if err != nil {
		t.Fatal(err)
	}
	e.Num = 9
	c := &fields.Ctx{}
	c.Reset(e)
	return c
}

func TestRender(t *testing.T) {
	c := openat(t)
	for in, want := range map[string]string{
		"file=%evt.arg.name)":             "file=/etc/passwd)",
		"%evt.arg[2] %evt.arg.flags":      "/etc/passwd O_RDONLY",
		"n=%evt.num,%evt.nums":            "n=9,9s",
		"%8evt.type|%3evt.type|":          "openat  |ope|",
		"cmd=%proc.cmdline":               "cmd=<NA>",
		"%toupper(evt.arg.name) %evt.cpu": "/ETC/PASSWD 1",
		"%evt.time.iso8601":               "2016-08-04T16:17:57.881781397+0000",
		"100%% no":                        "100%% no",
		"res=%evt.res raw=%evt.rawres":    "res=SUCCESS raw=3",
		"%evt.is_open_read %evt.failed":   "true false",
	} {
		if strings.Contains(in, "%% ") {
			// "%%" is not an escape in Falco: "% " is an unknown token.
			if _, err := Compile(in, nil); err == nil {
				t.Errorf("%q compiled", in)
			}
			continue
		}
		f, err := Compile(in, nil)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := string(f.Append(nil, c)); got != want {
			t.Errorf("%q -> %q, want %q", in, got, want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for in, want := range map[string]string{
		"An open was seen %not_a_real_field": "invalid formatting token not_a_real_field",
		"x=%proc.nobody y":                   "invalid formatting token proc.nobody y",
		"end %":                              "invalid formatting syntax: formatting cannot end with a %",
		"%12":                                "formatting cannot end with a number",
		"%fd.net":                            "cannot be used in outputs",
	} {
		_, err := Compile(in, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func TestFieldsTyped(t *testing.T) {
	c := openat(t)
	f, err := Compile("%evt.time.iso8601 %evt.num %evt.type %proc.name %evt.is_open_read %evt.rawres %evt.type", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := f.Fields(c, nil)
	want := []struct {
		name string
		val  any
	}{{"evt.time.iso8601", uint64(1470327477881781397)}, {"evt.num", uint64(9)}, {"evt.type", "openat"}, {"proc.name", nil}, {"evt.is_open_read", true}, {"evt.rawres", int64(3)}}
	if len(got) != len(want) {
		t.Fatalf("%d fields: %+v", len(got), got)
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].Value != w.val {
			t.Errorf("field %d = %s:%#v, want %s:%#v", i, got[i].Name, got[i].Value, w.name, w.val)
		}
	}
	if names := f.FieldNames(); len(names) != 6 {
		t.Errorf("names %v", names)
	}
}
