package metrics

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"time"
)

// Endpoints are what the webserver serves besides its own paths.
type Endpoints struct {
	// Metrics serves /metrics ([Metrics.Handler]); nil leaves it out.
	Metrics http.Handler
	// Health reports whether saker is healthy; nil means always healthy.
	// An error makes the health endpoint answer 503.
	Health func() error
	// Build is reported by /version.
	Build BuildInfo
}

// Server is the webserver. Build it with [NewServer].
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// NewServer listens on the configured address at once (so a busy port fails
// start-up, not later) and serves in the background until Shutdown.
func NewServer(cfg WebserverConfig, ep Endpoints, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !cfg.Enabled {
		return nil, errors.New("webserver: not enabled")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	if ep.Metrics != nil && cfg.PrometheusMetricsEnabled {
		mux.Handle("GET /metrics", ep.Metrics)
	}
	mux.HandleFunc("GET "+cfg.K8sHealthzEndpoint, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if ep.Health != nil {
			if err := ep.Health(); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				_ = json.NewEncoder(w).Encode(map[string]string{"status": "error", "error": err.Error()})
				return
			}
		}
		_, _ = w.Write([]byte(`{"status": "ok"}` + "\n"))
	})
	version := map[string]string{
		"saker_version":  ep.Build.Version,
		"engine_version": ep.Build.EngineVersion,
		"go_version":     runtime.Version(),
	}
	versionHandler := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(version)
	}
	mux.HandleFunc("GET /version", versionHandler)
	mux.HandleFunc("GET /versions", versionHandler) // Falco's path

	s := &Server{
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		done: make(chan error, 1),
	}
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return nil, fmt.Errorf("webserver: %w", err)
	}
	if cfg.SSLEnabled {
		// Falco's ssl_certificate is one PEM file holding the key and the
		// certificate chain; LoadX509KeyPair picks each from it.
		cert, err := tls.LoadX509KeyPair(cfg.SSLCertificate, cfg.SSLCertificate)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("webserver.ssl_certificate: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	s.ln = ln
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	log.Info("webserver listening", "address", ln.Addr().String(), "tls", cfg.SSLEnabled)
	return s, nil
}

// Addr is the address the server listens on (useful with port 0).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Shutdown stops accepting, waits for requests in flight (until ctx ends)
// and returns the serve error, if any.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; err == nil {
		err = serr
	}
	return err
}
