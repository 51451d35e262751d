// Package condition is the Falco condition (filter) language: a hand-written
// lexer and recursive-descent parser producing an AST with positions, and a
// printer for libs' canonical form.
//
// The grammar, the lexing rules and the error messages follow libsinsp's
// filter parser (see shared/notes/falco-compat.md §2.1) so that a condition
// Falco accepts parses here to the same tree and one it rejects fails with
// the same message:
//
//   - precedence: not > and > or; and/or nodes are n-ary;
//   - blanks are space, \t, \b, \r, \n; word operators (contains, glob, ...)
//     need a trailing blank, symbol and list operators do not;
//   - a name with a dot is a field, a bare identifier is a macro reference
//     ([Ident]) that the rules loader replaces;
//   - values are text: the compiler (engine/filter) gives them a type from
//     the field they are compared with.
//
// Sharp edges: Parse never panics on any input (errors are *Error with a
// Pos); nesting is bounded by [MaxDepth] like libs (Falco sets 1000), so a
// hostile condition cannot exhaust the stack. Keywords are recognised only
// when followed by a blank or '(' so a macro named "notify_x" is an
// identifier, not "not ify_x".
//
// Parsing is a load-time operation; nothing here runs per event.
package condition
