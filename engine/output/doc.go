// Package output compiles and renders output format strings: the rule
// "output:" text with %field tokens, rendered per alert as Falco does.
//
// Tokens are %field, %field[arg], %evt.arg.NAME, %tolower(field) (any
// transformer), and %Nfield (pad or truncate to N bytes). A plain field
// token is the longest registered field name that prefixes the text after
// '%', as in libs, so "%proc.name)" needs no separator. Unknown fields fail
// compilation with libs' "invalid formatting token ..." message.
//
// Rendering: a value that cannot be extracted prints "<NA>" (Falco always
// formats with missing values allowed); lists print "(a,b)". [Format.Fields]
// gives the typed values for an alert's output_fields (missing → nil).
//
// A Format owns scratch buffers and is not safe for concurrent use: the
// engine renders alerts on its own goroutine, one Format per rule.
package output
