package httpout

import (
	"fmt"
	"net/url"
	"time"
)

// ConfigKey is the config section (Falco's name).
const ConfigKey = "http_output"

// OutputName is the name in stats and metrics.
const OutputName = "http"

// Config is the http_output section.
type Config struct {
	Enabled   bool   `yaml:"enabled" koanf:"enabled"`
	URL       string `yaml:"url" koanf:"url"`
	UserAgent string `yaml:"user_agent" koanf:"user_agent"`
	// Insecure skips verification of the server certificate.
	Insecure bool `yaml:"insecure" koanf:"insecure"`
	// CACert and CABundle are PEM files of CAs to trust; CAPath is a
	// directory of them. All add to the system pool.
	CACert   string `yaml:"ca_cert" koanf:"ca_cert"`
	CABundle string `yaml:"ca_bundle" koanf:"ca_bundle"`
	CAPath   string `yaml:"ca_path" koanf:"ca_path"`
	// MTLS presents ClientCert/ClientKey to the server.
	MTLS       bool   `yaml:"mtls" koanf:"mtls"`
	ClientCert string `yaml:"client_cert" koanf:"client_cert"`
	ClientKey  string `yaml:"client_key" koanf:"client_key"`
	// Echo prints each response body on stdout.
	Echo            bool `yaml:"echo" koanf:"echo"`
	CompressUploads bool `yaml:"compress_uploads" koanf:"compress_uploads"`
	KeepAlive       bool `yaml:"keep_alive" koanf:"keep_alive"`
	// MaxConsecutiveTimeouts is how many timeouts in a row an alert may hit
	// (each repeated) before it is failed and the callback is called.
	MaxConsecutiveTimeouts int `yaml:"max_consecutive_timeouts" koanf:"max_consecutive_timeouts"`
	// Timeout bounds one request; ConnectTimeout the TCP+TLS connect.
	Timeout        time.Duration `yaml:"timeout" koanf:"timeout"`
	ConnectTimeout time.Duration `yaml:"connect_timeout" koanf:"connect_timeout"`
}

// Default is Falco's default (disabled, falcosecurity-style paths) with
// saker's user agent and timeouts.
func Default() Config {
	return Config{
		UserAgent:              "saker",
		CAPath:                 "/etc/ssl/certs",
		ClientCert:             "/etc/ssl/certs/client.crt",
		ClientKey:              "/etc/ssl/certs/client.key",
		MaxConsecutiveTimeouts: 5,
		Timeout:                10 * time.Second,
		ConnectTimeout:         5 * time.Second,
	}
}

// Validate checks an enabled config, naming the key and value.
func (c *Config) Validate() error {
	if !c.Enabled {
		return nil
	}
	k := func(s string) string { return ConfigKey + "." + s }
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return fmt.Errorf("%s: must be set when %s is true", k("url"), k("enabled"))
	case err != nil:
		return fmt.Errorf("%s: invalid value %q: %v", k("url"), c.URL, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%s: invalid value %q: scheme must be http or https", k("url"), c.URL)
	case u.Host == "":
		return fmt.Errorf("%s: invalid value %q: no host", k("url"), c.URL)
	case c.MaxConsecutiveTimeouts < 0:
		return fmt.Errorf("%s: must be >= 0, got %d", k("max_consecutive_timeouts"), c.MaxConsecutiveTimeouts)
	case c.Timeout <= 0:
		return fmt.Errorf("%s: must be > 0, got %v", k("timeout"), c.Timeout)
	case c.ConnectTimeout <= 0:
		return fmt.Errorf("%s: must be > 0, got %v", k("connect_timeout"), c.ConnectTimeout)
	case c.MTLS && (c.ClientCert == "" || c.ClientKey == ""):
		return fmt.Errorf("%s and %s must be set when %s is true", k("client_cert"), k("client_key"), k("mtls"))
	}
	return nil
}
