// Package httpout is the http_output: one POST per alert of Falco's alert
// JSON (with json_output) or the text line, which is what falcosidekick and
// other Falco webhooks accept.
//
// Keys and defaults are Falco's (url, user_agent, insecure, ca_cert,
// ca_bundle, ca_path, mtls, client_cert, client_key, echo, compress_uploads,
// keep_alive, max_consecutive_timeouts) plus saker's timeout and
// connect_timeout, since Go has no libcurl defaults to inherit.
//
// Delivery: a 2xx answer delivers the alert; any other status or a transport
// error fails it (counted as permanent_failure) — there is no retry beyond
// Falco's: an attempt that times out is repeated, up to
// max_consecutive_timeouts consecutive timeouts; when that many are reached,
// the alert is failed and the OnMaxConsecutiveTimeouts callback is called, so
// the engine can raise its internal alert. 0 disables both.
//
// TLS: the trust store is the system pool plus ca_cert, ca_bundle and every
// PEM file in ca_path; insecure skips verification; mtls presents
// client_cert/client_key. compress_uploads gzips the body
// (Content-Encoding: gzip). keep_alive reuses connections; without it each
// alert opens a new one, as Falco does. echo prints each response body on
// saker's stdout.
package httpout
