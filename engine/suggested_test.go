package engine

import (
	"strings"
	"testing"

	"github.com/sakersec/saker/engine/alert"
	"github.com/sakersec/saker/engine/rules"
)

// suggested_output appends the container and pod context and the static
// fields to the text and the output fields of the rules it matches, once
// however many entries ask for it.
func TestSuggestedOutputAndStaticFields(t *testing.T) {
	l := rules.NewLoader(rules.Config{})
	if r := l.Load("r.yaml", []byte(`
- rule: tagged
  desc: d
  condition: evt.type = openat
  output: "open %evt.arg.name"
  priority: NOTICE
  tags: [x]
- rule: untagged
  desc: d
  condition: evt.type = openat
  output: "plain %evt.arg.name"
  priority: NOTICE
`)); !r.Successful() {
		t.Fatal(r.Errors[0].String())
	}
	ev := openatEvent(t, "/etc/passwd", 1)
	eng, err := New(l.Ruleset(), Config{AllMatches: true,
		StaticFields: map[string]string{"node": "n1", "cluster": "prod 100%"},
		AppendOutput: []AppendOutput{{Tags: []string{"x"}, Suggested: true}, {Suggested: true, Rule: "tagged"}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []*alert.Alert
	eng.Process(ev, func(a *alert.Alert) { got = append(got, a) })
	if len(got) != 2 {
		t.Fatalf("%d alerts", len(got))
	}
	// No state here: container.* and k8s.* are not available.
	want := "open /etc/passwd container_id=<NA> container_name=<NA> container_image_repository=<NA> container_image_tag=<NA> k8s_pod_name=<NA> k8s_ns_name=<NA> static_cluster=prod 100% static_node=n1"
	if got[0].Message != want {
		t.Errorf("message\n got %q\nwant %q", got[0].Message, want)
	}
	for _, f := range append(append([]string{}, SuggestedFields...), "static.cluster", "static.node") {
		if _, ok := got[0].Lookup(f); !ok {
			t.Errorf("output field %s missing", f)
		}
	}
	if v, _ := got[0].Lookup("static.cluster"); v != "prod 100%" {
		t.Errorf("static.cluster = %v", v)
	}
	// without static fields too, two entries append the context once
	once, err := New(l.Ruleset(), Config{AppendOutput: []AppendOutput{{Suggested: true}, {Suggested: true}}})
	if err != nil {
		t.Fatal(err)
	}
	var one *alert.Alert
	once.Process(ev, func(a *alert.Alert) { one = a })
	if one == nil || strings.Count(one.Message, "container_id=") != 1 {
		t.Errorf("two suggested_output entries without static fields: %v", one)
	}
	if got[1].Message != "plain /etc/passwd" {
		t.Errorf("a rule no entry matches got %q", got[1].Message)
	}
	if _, ok := got[1].Lookup("static.node"); ok {
		t.Error("a rule no entry matches got the static fields")
	}
}
