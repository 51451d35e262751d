package main

import (
	"github.com/sakersec/saker/config"
	"github.com/sakersec/saker/exporter"
	"github.com/sakersec/saker/exporter/outputs"
)

// newOutputs starts every enabled output behind the dispatcher.
func (a *app) newOutputs() (*exporter.Dispatcher, error) {
	host, _ := a.cfg.AlertHostname()
	oc := outputsConfig(a.cfg)
	return outputs.New(oc, outputs.Settings{Version: config.Version, Hostname: host, Logger: a.log, Stdout: a.stdout,
		OnHTTPTimeouts: func(n int, err error) {
			a.log.Error("http_output: too many consecutive timeouts; the alert was not delivered", "timeouts", n, "err", err)
		}})
}

// outputsConfig is the output part of the configuration: config.Config
// embeds exporter/outputs.Config, so every output key (http_output and
// syslog_output included) reaches the exporter as loaded.
func outputsConfig(c *config.Config) outputs.Config {
	return c.Config
}
