package event

//go:generate go run ./internal/gensyscalls -in /usr/include/x86_64-linux-gnu/asm/unistd_64.h -out syscalls_gen.go

import "sync"

// SyscallName returns the name of x86_64 syscall nr ("openat"), or "" if
// the number is unknown.
func SyscallName(nr uint16) string { return syscallNames[nr] }

// SyscallNumber returns the x86_64 number of the named syscall.
func SyscallNumber(name string) (uint16, bool) {
	nameIndexOnce.Do(buildNameIndex)
	nr, ok := syscallNumbers[name]
	return nr, ok
}

// TypesByName returns every event type named name — enter and exit, every
// version (Falco's names_to_event_set) — or nil if no event has that name.
// The result is shared; do not modify it.
func TypesByName(name string) []Type {
	nameIndexOnce.Do(buildNameIndex)
	return typesByName[name]
}

// IsSyscallName reports whether name is a syscall name (with or without a
// dedicated event type). Syscalls without one are delivered as generic
// events (GenericE/GenericX) and rules name them with evt.type.
func IsSyscallName(name string) bool {
	_, ok := SyscallNumber(name)
	return ok
}

var (
	nameIndexOnce  sync.Once
	typesByName    map[string][]Type
	syscallNumbers map[string]uint16
)

func buildNameIndex() {
	typesByName = make(map[string][]Type, MaxType/2)
	for t := Type(0); t < MaxType; t++ {
		n := table[t].Name
		typesByName[n] = append(typesByName[n], t)
	}
	syscallNumbers = make(map[string]uint16, len(syscallNames))
	for nr, n := range syscallNames {
		syscallNumbers[n] = nr
	}
}
