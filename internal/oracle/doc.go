// Package oracle finds the external programs saker's differential tests
// compare it with: sysdig 0.29 (Debian's, which `make test` installs), the
// oracle for decoding captures, state, fields and filters.
//
// A test that cannot find its oracle skips, except under CI=true, where it
// fails: CI must never pass by skipping what it is meant to check. The
// package imports nothing beyond the standard library, so any test binary
// can use it without linking more.
package oracle
