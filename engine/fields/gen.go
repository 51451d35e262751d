package fields

//go:generate go run ./internal/genknown -fields ../../../shared/research/falco/libs_fields.json -notes ../../../shared/notes/falco-compat.md -out known_gen.go
