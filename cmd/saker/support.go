package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sakersec/saker/config"
	"github.com/sakersec/saker/engine/rules"
)

// supportInfo is Falco's --support document, with its key names.
type supportInfo struct {
	Version    supportVersion `json:"version"`
	SystemInfo systemInfo     `json:"system_info"`
	Cmdline    string         `json:"cmdline"`
	Config     string         `json:"config"` // the config file's text; "" on the built-in defaults
	RulesFiles []supportRules `json:"rules_files"`
	Plugins    []any          `json:"plugins"` // always empty: saker has no plugins
}

type supportVersion struct {
	Falco  string `json:"falco_version"`         // saker's version
	Engine string `json:"engine_version"`        // the minor number of Semver, Falco's older form
	Semver string `json:"engine_version_semver"` // rules.EngineVersion
}

// systemInfo is uname(2).
type systemInfo struct {
	Sysname  string `json:"sysname"`
	Nodename string `json:"nodename"`
	Release  string `json:"release"`
	Version  string `json:"version"`
	Machine  string `json:"machine"`
}

type supportRules struct {
	Name     string           `json:"name"`
	Variants []supportVariant `json:"variants"`
}

type supportVariant struct {
	Content string `json:"content"`
}

// printSupport is Falco's --support: one line of JSON with what a bug
// report needs — versions, the system, the command line, the config file
// and every rules file loaded, with their text. The configuration and the
// rules load as for --dry-run (the same errors and exit code); nothing is
// captured.
func (a *app) printSupport() error {
	if err := a.loadConfig(); err != nil {
		return err
	}
	if _, _, err := a.loadEngine(); err != nil {
		return err
	}
	var conf []byte
	if a.loadedConfig != "" {
		b, err := os.ReadFile(a.loadedConfig)
		if err != nil {
			return err
		}
		conf = b
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return fmt.Errorf("uname: %w", err)
	}
	info := supportInfo{
		Version: supportVersion{Falco: config.Version, Engine: engineMinor(rules.EngineVersion), Semver: rules.EngineVersion},
		SystemInfo: systemInfo{
			Sysname:  unix.ByteSliceToString(u.Sysname[:]),
			Nodename: unix.ByteSliceToString(u.Nodename[:]),
			Release:  unix.ByteSliceToString(u.Release[:]),
			Version:  unix.ByteSliceToString(u.Version[:]),
			Machine:  unix.ByteSliceToString(u.Machine[:]),
		},
		Cmdline:    a.o.cmdline,
		Config:     string(conf),
		RulesFiles: []supportRules{},
		Plugins:    []any{},
	}
	for _, f := range a.loadedRules {
		info.RulesFiles = append(info.RulesFiles, supportRules{Name: f.name, Variants: []supportVariant{{Content: string(f.content)}}})
	}
	enc := json.NewEncoder(a.stdout) // one line and a newline
	enc.SetEscapeHTML(false)         // rules text keeps its <, > and &
	return enc.Encode(info)
}

// engineMinor is the engine version as Falco gave it before it became a
// semantic version: the minor number ("0.57.0" → "57").
func engineMinor(semver string) string {
	parts := strings.Split(semver, ".")
	if len(parts) < 2 {
		return semver
	}
	return parts[1]
}
