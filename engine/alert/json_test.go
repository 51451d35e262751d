package alert

import (
	"bufio"
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"
)

// The first line of Falco's golden JSON for cat_write.scap, rebuilt from its
// parts, must encode to the same JSON object.
func TestAppendJSONMatchesFalcoGolden(t *testing.T) {
	f, err := os.Open("../../../shared/research/falco/tests/falco-0.34.1/output_files/single_rule_with_cat_write.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		t.Fatal("empty golden file")
	}
	var want map[string]any
	if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(0, 1470327477881781397)
	a := &Alert{
		Time:     ts,
		Rule:     "open_from_cat",
		Priority: PriorityWarning,
		Output:   "2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)",
		Message:  "An open was seen (command=cat /dev/null)",
		Fields: []Field{
			{Name: "evt.time.iso8601", Value: uint64(ts.UnixNano())},
			{Name: "proc.cmdline", Value: "cat /dev/null"},
		},
		Tags:     []string{"filesystem", "process", "testing"},
		Source:   SourceSyscall,
		Hostname: "test-falco-hostname",
	}
	line := a.AppendJSON(nil, DefaultJSONOptions())
	var got map[string]any
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", line, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %s\nwant %s", line, sc.Bytes())
	}
}

func TestAppendJSONOptionsAndEscaping(t *testing.T) {
	a := &Alert{Rule: "r", Priority: PriorityDebug, Source: SourceInternal, Output: "x\x01\"\xff",
		Fields: []Field{{"b", nil}, {"a", int64(-3)}, {"a", int64(-3)}, {"c", []string{"p", "q"}}, {"d", true}}}
	got := string(a.AppendJSON(nil, JSONOptions{IncludeOutput: true, IncludeOutputFields: true, IncludeTags: true}))
	want := `{"hostname":"","output":"x\u0001\"` + "\ufffd" + `","output_fields":{"a":-3,"b":null,"c":["p","q"],"d":true},"priority":"Debug","rule":"r","source":"internal","time":"0001-01-01T00:00:00.000000000Z"}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if !json.Valid([]byte(got)) {
		t.Fatal("not valid JSON")
	}
}

func TestParsePriority(t *testing.T) {
	for s, want := range map[string]Priority{"WARNING": PriorityWarning, "info": PriorityInformational, "Informational": PriorityInformational, "debug": PriorityDebug} {
		p, err := ParsePriority(s)
		if err != nil || p != want {
			t.Errorf("ParsePriority(%q) = %v, %v; want %v", s, p, err, want)
		}
	}
	if _, err := ParsePriority("loud"); err == nil {
		t.Error("ParsePriority(loud) succeeded")
	}
	if !PriorityError.AtLeast(PriorityWarning) || PriorityNotice.AtLeast(PriorityWarning) {
		t.Error("AtLeast ordering wrong")
	}
	last := int32(100)
	for p := PriorityEmergency; p <= PriorityDebug; p++ {
		if n := p.SeverityNumber(); n >= last {
			t.Errorf("severity not monotone at %v", p)
		} else {
			last = n
		}
	}
}
