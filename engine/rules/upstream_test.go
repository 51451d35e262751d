package rules

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// expectation is the outcome Falco gives a test rules file (loaded after
// its prerequisites): valid, or the first error's code, item and message.
type expectation struct {
	prereq   []string // base names loaded first, from the same directory
	code     string   // "" = loads without errors
	itemType string
	itemName string // substring
	msg      string // substring
}

// Expected outcomes, from the Falco regression suites that use these files
// (falco 0.34.1 Python tests, falcosecurity/testing legacy tests) and from
// Falco's loader rules for the files those suites load in combination.
// Files not listed load without errors.
var upstreamExpect = map[string]expectation{
	"invalid_append_macro.yaml":                  {prereq: []string{"invalid_base_macro.yaml"}, code: ErrCompileCondition, itemType: "macro", itemName: "some", msg: "unexpected token after 'execve', expecting 'or', 'and'"},
	"invalid_append_macro_multiple_docs.yaml":    {code: ErrCompileCondition, itemType: "macro", itemName: "some", msg: "unexpected token after 'execve', expecting 'or', 'and'"},
	"invalid_append_macro_dangling.yaml":         {code: ErrValidate, itemType: "macro", itemName: "dangling append", msg: "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists"},
	"invalid_append_rule.yaml":                   {prereq: []string{"invalid_base_rule.yaml"}, code: ErrCompileCondition, itemType: "rule", itemName: "some rule", msg: "unexpected token after 'open', expecting 'or', 'and'"},
	"invalid_append_rule_multiple_docs.yaml":     {code: ErrCompileCondition, itemType: "rule", itemName: "some rule", msg: "unexpected token after 'open', expecting 'or', 'and'"},
	"invalid_append_rule_without_condition.yaml": {code: ErrYAMLValidate, itemType: "rule", itemName: "no condition rule", msg: "Appended rule must have exceptions or condition property"},
	"invalid_array_item_not_object.yaml":         {code: ErrYAMLValidate, itemType: "rules content item", msg: "Unexpected element type. Each element should be a yaml associative array."},
	"invalid_condition_not_rule.yaml":            {code: ErrYAMLValidate, itemType: "rule", itemName: "condition not rule", msg: "Mapping for key 'condition' is empty"},
	"invalid_engine_version_not_number.yaml":     {code: ErrYAMLValidate, itemType: "required_engine_version", msg: "Unable to parse engine version 'not-a-number' as a semver string."},
	"engine_version_mismatch.yaml":               {code: ErrValidate, itemType: "required_engine_version", msg: "Rules require engine version 0.9999999.0, but engine version is " + EngineVersion},
	"invalid_list_loop.yaml":                     {code: ErrCompileCondition, itemType: "rule", itemName: "sample rule", msg: "unknown event type list_b"},
	"invalid_list_without_items.yaml":            {code: ErrYAMLValidate, itemType: "list", itemName: "bad_list", msg: "Item has no mapping for key 'items'"},
	"invalid_macro_comple_error.yaml":            {code: ErrValidate, itemType: "macro", itemName: "macro with comp error", msg: "Undefined macro 'gak' used in filter."},
	"invalid_macro_loop.yaml":                    {code: ErrValidate, itemType: "macro", itemName: "macro_a", msg: "reference loop in macro"},
	"invalid_macro_without_condition.yaml":       {code: ErrYAMLValidate, itemType: "macro", itemName: "bad_macro", msg: "Item has no mapping for key 'condition'"},
	"invalid_missing_list_name.yaml":             {code: ErrYAMLValidate, itemType: "list", msg: "Mapping for key 'list' is empty"},
	"invalid_missing_macro_name.yaml":            {code: ErrYAMLValidate, itemType: "macro", msg: "Mapping for key 'macro' is empty"},
	"invalid_missing_rule_name.yaml":             {code: ErrYAMLValidate, itemType: "rule", msg: "Mapping for key 'rule' is empty"},
	"invalid_not_array.yaml":                     {code: ErrYAMLValidate, itemType: "rules content", msg: "Rules content is not yaml array of objects"},
	"invalid_not_yaml.yaml":                      {code: ErrYAMLValidate, itemType: "rules content", msg: "Rules content is not yaml"},
	"invalid_overwrite_macro.yaml":               {prereq: []string{"invalid_base_macro.yaml"}, code: ErrValidate, itemType: "macro", itemName: "some", msg: "Undefined macro 'foo' used in filter."},
	"invalid_overwrite_macro_multiple_docs.yaml": {code: ErrValidate, itemType: "macro", itemName: "some", msg: "Undefined macro 'foo' used in filter."},
	"invalid_overwrite_rule.yaml":                {prereq: []string{"invalid_base_rule.yaml"}, code: ErrValidate, itemType: "rule", itemName: "some rule", msg: "Undefined macro 'bar' used in filter."},
	"invalid_overwrite_rule_multiple_docs.yaml":  {code: ErrValidate, itemType: "rule", itemName: "some rule", msg: "Undefined macro 'bar' used in filter."},
	"invalid_rule_output.yaml":                   {code: ErrCompileOutput, itemType: "rule", itemName: "rule_with_invalid_output", msg: "invalid formatting token not_a_real_field"},
	"invalid_rule_without_output.yaml":           {code: ErrYAMLValidate, itemType: "rule", itemName: "no output rule", msg: "Item has no mapping for key 'output'"},
	"invalid_yaml_parse_error.yaml":              {code: ErrYAMLParse, itemType: "rules content"},
	"list_append_failure.yaml":                   {code: ErrValidate, itemType: "list", itemName: "my_list", msg: "List uses 'append' or 'override.items: append' but no list by that name already exists"},
	"rule_append_failure.yaml":                   {code: ErrValidate, itemType: "rule", itemName: "my_rule", msg: "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists"},
	"skip_unknown_error.yaml":                    {code: ErrCompileCondition, itemType: "rule", itemName: "Contains Unknown Event And Not Skipping", msg: "filter_check called with nonexistent field proc.nobody"},
	"skip_unknown_unspec.yaml":                   {code: ErrCompileCondition, itemType: "rule", itemName: "Contains Unknown Event And Unspecified", msg: "filter_check called with nonexistent field proc.nobody"},

	"append_item_fields_values_len_mismatch.yaml": {code: ErrValidate, itemType: "rule", itemName: "My Rule", msg: "Fields and values lists must have equal length"},
	"append_item_no_name.yaml":                    {code: ErrYAMLValidate, itemType: "rule", itemName: "My Rule", msg: "Item has no mapping for key 'name'"},
	"append_item_not_in_rule.yaml":                {code: ErrValidate, itemType: "rule", itemName: "My Rule", msg: "Rule exception must have fields property with a list of fields"},
	"item_comps_fields_len_mismatch.yaml":         {code: ErrValidate, itemType: "rule", itemName: "My Rule", msg: "Fields and comps lists must have equal length"},
	"item_fields_values_len_mismatch.yaml":        {code: ErrValidate, itemType: "rule", itemName: "My Rule", msg: "Fields and values lists must have equal length"},
	"item_no_fields.yaml":                         {code: ErrYAMLValidate, itemType: "rule", itemName: "My Rule", msg: "Item has no mapping for key 'fields'"},
	"item_no_name.yaml":                           {code: ErrYAMLValidate, itemType: "rule", itemName: "My Rule", msg: "Item has no mapping for key 'name'"},
	"item_unknown_comp.yaml":                      {code: ErrValidate, itemType: "rule", itemName: "My Rule", msg: "'no-comp' is not a supported comparison operator"},
	"item_unknown_fields.yaml":                    {code: ErrValidate, itemType: "rule", itemName: "My Rule", msg: "'not.exist' is not a supported filter field"},
	"rule_exception_new_no_field_append.yaml":     {code: ErrValidate, itemType: "rule", itemName: "Open From Cat", msg: "Rule exception must have fields property with a list of fields"},

	// Loaded after another file by the suites.
	"double_rule.yaml":        {prereq: []string{"single_rule.yaml"}},
	"001-double_rule.yaml":    {prereq: []string{"000-single_rule.yaml"}},
	"append_single_rule.yaml": {prereq: []string{"single_rule.yaml"}},
	// The suite loads it with the json plugin, which saker does not have:
	// the appended json.value field is unknown here.
	"rule-list-with-plugin-json.yaml": {prereq: []string{"single_rule.yaml"}, code: ErrCompileCondition, itemType: "rule", itemName: "open_from_cat", msg: "nonexistent field json.value"},
	// These append to lists of k8s_audit_rules.yaml, which is not in the
	// shared data; standalone, Falco rejects them the same way.
	"allow_namespace_foo.yaml":   {code: ErrValidate, itemType: "list", itemName: "allowed_namespaces", msg: "List uses 'append'"},
	"allow_user_some-user.yaml":  {code: ErrValidate, itemType: "list", itemName: "allowed_k8s_users", msg: "List uses 'append'"},
	"trust_nginx_container.yaml": {code: ErrValidate, itemType: "list", msg: "List uses 'append'"},
}

func TestUpstreamTestRulesFiles(t *testing.T) {
	root := research(t, "tests")
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") && strings.Contains(p, string(filepath.Separator)+"rules"+string(filepath.Separator)) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 200 {
		t.Fatalf("found only %d rules files under %s", len(files), root)
	}
	seen := map[string]bool{}
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		base := filepath.Base(path)
		t.Run(rel, func(t *testing.T) {
			exp := upstreamExpect[base]
			seen[base] = true
			l := NewLoader(Config{})
			for _, pre := range exp.prereq {
				if r := l.LoadFile(filepath.Join(filepath.Dir(path), pre)); !r.Successful() {
					t.Fatalf("prerequisite %s: %s", pre, r.Errors[0].String())
				}
			}
			r := l.LoadFile(path)
			if exp.code == "" {
				for _, e := range r.Errors {
					t.Errorf("unexpected error: %s", e.String())
				}
				return
			}
			if r.Successful() {
				t.Fatalf("loaded, want %s %q", exp.code, exp.msg)
			}
			e := r.Errors[0]
			typ, name := e.Item()
			if e.Code != exp.code || typ != exp.itemType || !strings.Contains(name, exp.itemName) || !strings.Contains(e.Msg, exp.msg) {
				t.Errorf("got %s [%s %q] %q\nwant %s [%s %q] %q", e.Code, typ, name, e.Msg, exp.code, exp.itemType, exp.itemName, exp.msg)
			}
			if len(e.Locations) == 0 || e.Locations[0].ItemType != "rules content" {
				t.Errorf("first location %+v, want rules content", e.Locations)
			}
		})
	}
	for base := range upstreamExpect {
		if !seen[base] {
			t.Errorf("expectation for %s matches no file", base)
		}
	}
}

// The warnings file: exactly the rules whose conditions allow more than 100
// event types warn (Falco's suite lists them).
func TestNoEvttypeWarnings(t *testing.T) {
	l := NewLoader(Config{})
	r := l.LoadFile(research(t, "tests/testing-repo/rules/falco_rules_warnings.yaml"))
	if !r.Successful() {
		t.Fatal(r.Errors[0].String())
	}
	var got []string
	for _, w := range r.Warnings {
		if w.Code == WarnNoEvttype {
			_, n := w.Item()
			got = append(got, n)
		}
	}
	want := []string{"no_evttype", "evttype_not_equals", "leading_not", "not_equals_at_end", "not_at_end",
		"not_equals_and_not", "leading_in_not_equals_at_evttype", "not_with_evttypes", "not_with_evttypes_addl"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("LOAD_NO_EVTTYPE for %v\nwant %v", got, want)
	}
}
