package filter

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/condition"
	"github.com/sakersec/saker/engine/fields"
	"github.com/sakersec/saker/receiver/event"
)

// shapeRegistry has one field of each multi-valued shape, with fixed
// values: t.ends (Either, the two ends of a connection, as fd.ip),
// t.ports (Either, as fd.port), t.anc (Any without an argument, as
// proc.aname).
func shapeRegistry() *fields.Registry {
	r := fields.NewRegistry()
	r.Register(fields.Field{Name: "t.ends", Type: event.PTIpaddr, Bind: func(fields.Arg) (fields.Binding, error) {
		return fields.Binding{Shape: fields.Either, Extract: func(c *fields.Ctx, v *fields.Value) bool {
			v.IPs = append(v.IPs[:0], netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("93.184.216.34"))
			return true
		}}, nil
	}})
	r.Register(fields.Field{Name: "t.net", Type: event.PTIpnet, Bind: func(fields.Arg) (fields.Binding, error) {
		return fields.Binding{Shape: fields.Either, Extract: func(c *fields.Ctx, v *fields.Value) bool {
			v.IPs = append(v.IPs[:0], netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("93.184.216.34"))
			return true
		}}, nil
	}})
	r.Register(fields.Field{Name: "t.ports", Type: event.PTPort, Bind: func(fields.Arg) (fields.Binding, error) {
		return fields.Binding{Shape: fields.Either, Extract: func(c *fields.Ctx, v *fields.Value) bool {
			v.Nums = append(v.Nums[:0], 40000, 443)
			return true
		}}, nil
	}})
	r.Register(fields.Field{Name: "t.sport", Type: event.PTPort, Bind: fields.Simple(func(c *fields.Ctx, v *fields.Value) bool {
		v.U = 443
		return true
	})})
	r.Register(fields.Field{Name: "t.anc", Type: event.PTCharbuf, Flags: fields.AnyWithoutArg | fields.ArgAllowed | fields.ArgIndex,
		Bind: func(fields.Arg) (fields.Binding, error) {
			return fields.Binding{Extract: func(c *fields.Ctx, v *fields.Value) bool {
				v.Strs = append(v.Strs[:0], "bash", "sshd")
				return true
			}}, nil
		}})
	return r
}

// TestEitherEndNotEqual: != on the ends of a connection holds when no end
// equals (libs' compare_ip/compare_net/compare_port), while != on an
// "any ancestor" field holds when some ancestor differs (libs'
// compare_full_aname); every other operator holds if it holds for some
// value.
func TestEitherEndNotEqual(t *testing.T) {
	e := openatEvent(t, "/etc/passwd", 3, 1)
	ctx := &fields.Ctx{}
	ctx.Reset(e)
	cp := &Compiler{Fields: shapeRegistry()}
	for _, c := range []struct {
		cond string
		want bool
	}{
		{"t.ends = 10.0.0.1", true},
		{"t.ends = 93.184.216.34", true},
		{"t.ends != 10.0.0.1", false},
		{"t.ends != 93.184.216.34", false},
		{"t.ends != 10.0.0.2", true},
		{"not t.ends = 10.0.0.1", false},
		{"t.ends in (10.0.0.1, 1.1.1.1)", true},
		{"not t.ends in (10.0.0.1, 1.1.1.1)", false},
		{"not t.ends in (10.0.0.2, 1.1.1.1)", true},
		{"t.net = 10.0.0.0/8", true},
		{"t.net != 10.0.0.0/8", false},
		{"t.net != 192.168.0.0/16", true},
		{"t.ports = 443", true},
		{"t.ports != 443", false},
		{"t.ports != 40000", false},
		{"t.ports != 80", true},
		{"t.ports < 1024", true},
		{"t.ports > 50000", false},
		{"t.ports != val(t.sport)", false},
		{"t.ports = val(t.sport)", true},
		{"t.anc = bash", true},
		{"t.anc != bash", true},
		{"t.anc != zsh", true},
		{"not t.anc = bash", false},
	} {
		ast, err := condition.Parse(c.cond)
		if err != nil {
			t.Fatal(err)
		}
		f, _, err := cp.Compile(ast)
		if err != nil {
			t.Errorf("%s: %v", c.cond, err)
			continue
		}
		if got := f.Match(ctx); got != c.want {
			t.Errorf("%s = %v, want %v", c.cond, got, c.want)
		}
	}
}

// TestPortServiceNames: a port constant may be a service name, resolved
// as libs resolves it (getservbyname); an unknown name is an error.
func TestPortServiceNames(t *testing.T) {
	e := openatEvent(t, "/etc/passwd", 3, 1)
	ctx := &fields.Ctx{}
	ctx.Reset(e)
	cp := &Compiler{Fields: shapeRegistry()}
	for _, c := range []struct {
		cond string
		want bool
	}{
		{"t.ports = https", true},
		{"t.sport = https", true},
		{"t.sport = http", false},
		{"t.sport in (http, https)", true},
		{"t.ports != https", false},
		{"t.ports != ssh", true},
	} {
		ast, err := condition.Parse(c.cond)
		if err != nil {
			t.Fatal(err)
		}
		f, _, err := cp.Compile(ast)
		if err != nil {
			t.Errorf("%s: %v", c.cond, err)
			continue
		}
		if got := f.Match(ctx); got != c.want {
			t.Errorf("%s = %v, want %v", c.cond, got, c.want)
		}
	}
	ast, _ := condition.Parse("t.sport = no-such-service-name")
	if _, _, err := cp.Compile(ast); err == nil || !strings.Contains(err.Error(), "unrecognized protocol no-such-service-name") {
		t.Errorf("unknown service: error %v", err)
	}
}
