package main

import (
	"github.com/sakersec/saker/engine"
	"github.com/sakersec/saker/receiver/state"
)

// attachState gives the engine's field context the state tracker whose
// current event the fields read (proc.*, fd.*, user.*, container.*). The
// pipeline calls State.Update before every evaluation, so this is set once.
func attachState(eng *engine.Engine, st *state.State) {
	eng.Ctx().State = st
}
