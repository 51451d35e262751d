// Package engine ties the rules language together: it takes a loaded
// [rules.Ruleset], evaluates it on each event and turns matches into
// [alert.Alert] values exactly as Falco formats them.
//
// # Lifecycle
//
//	l := rules.NewLoader(rules.Config{})
//	rs, ok := l.LoadFiles(files...)            // report l.Results()
//	rs.SetMinPriority(p); rs.SelectByTag(...)  // selection
//	eng, err := engine.New(rs, engine.Config{Hostname: h})
//	for each event ev:
//		// state tracker: update, then set its views on eng.Ctx()
//		eng.Process(ev, func(a *alert.Alert) { queue a for exporters })
//	fmt.Print(eng.Summary())
//
// Process looks up the rules indexed for the event's type (in load order)
// and evaluates them; with rule_matching "first" it stops at the first
// match, with "all" every match alerts. The no-match path allocates
// nothing. Alerts are built on the event loop (their text must be
// rendered while the event is alive) and are then immutable: the callback
// hands them off to exporters on other goroutines.
//
// Alert text is Falco's: "<%evt.time or %evt.time.iso8601>: <Priority>
// <rendered output>", control characters escaped and invalid UTF-8
// replaced; output fields are the prefix field, then the output's fields,
// then append_output extra fields.
//
// An Engine is not safe for concurrent use; run one per event loop.
package engine
