// Package deploytest checks everything under deploy/ against the real tools
// and against saker itself. It has no code of its own: its tests are the
// product. What they check, and with what:
//
//   - Every YAML file parses (all documents of a multi-document file), and
//     the dashboard is valid JSON.
//   - The Helm chart: `helm lint --strict` and `helm template` with the real
//     Helm (helm.sh/helm/v3, built once per machine into the saker cache
//     directory, like the test collector of internal/testenv), for the
//     default values, the sidecar mode and every optional object. The
//     rendered objects are decoded strictly into the Kubernetes API types by
//     kubecheck (a separate module in ./kubecheck, so saker's module does not
//     depend on k8s.io/api), and checked for what saker needs: hostPID, the
//     capabilities, the mounts, the OTLP environment.
//   - The rendered saker.yaml loads through saker's own config loader with
//     the DaemonSet's environment and no warnings; the custom-rules layout
//     loads through the rules engine; an alert sent by saker's OTLP exporter
//     configured from it carries the resource the chart promises.
//   - deploy/manifests are what the chart renders (regenerate with
//     `go test ./deploy/deploytest -run TestManifests -update`).
//   - Collector configs: `otelcol validate` with the collector built from
//     deploy/collector/builder-config.yaml for those that use only its
//     components; a structural pipeline check for all (including the
//     contrib-only gateway).
//   - Prometheus rules: `promtool check rules` and `promtool test rules`; the
//     scrape config with `promtool check config`.
//   - Metric names: every saker_* name and its labels used by the rules, the
//     dashboard and the Grafana alerts exist in a real scrape of
//     exporter/metrics, so a rename breaks this test. Every PromQL
//     expression of the dashboard and the Grafana alerts runs against a real
//     Prometheus scraping that endpoint, without error and with data.
//   - LogQL: the labels the Grafana queries use are what Loki makes of the
//     attributes of a record saker's OTLP exporter really sends.
//   - The image: the Dockerfile's COPY sources exist and are not excluded by
//     its .dockerignore, and its build command (`make build` with
//     CGO_ENABLED=0) gives a static binary, as distroless/static requires.
//     Docker itself cannot run here.
//
// Tools that are missing (helm cannot be built, promtool or prometheus not
// installed) skip the tests that need them, and fail them under CI=true.
package deploytest
