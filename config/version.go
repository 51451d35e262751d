package config

// Version is saker's version, set at build time:
//
//	go build -ldflags "-X github.com/sakersec/saker/config.Version=v1.2.3"
//
// It lives here because every command and exporter that reports the version
// (saker version, /version, service.version, saker_build_info) already
// depends on config.
var Version = "dev"
