{{/*
Names. The chart name, then the release-qualified full name (at most 63
characters, the DNS label limit).
*/}}
{{- define "saker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "saker.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "saker.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "saker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: security-agent
{{- end -}}

{{/* Labels that select the saker pods (immutable on a DaemonSet). */}}
{{- define "saker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "saker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "saker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "saker.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "saker.priorityClassName" -}}
{{- if .Values.priorityClass.create -}}
{{- default (include "saker.fullname" .) .Values.priorityClass.name -}}
{{- else -}}
{{- .Values.priorityClass.name -}}
{{- end -}}
{{- end -}}

{{- define "saker.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/*
The OTLP endpoint saker exports to: the sidecar on loopback, the node's
collector agent on the host IP (HOST_IP is set from status.hostIP earlier in
the env list; Kubernetes expands $(HOST_IP)), or a given URL.
*/}}
{{- define "saker.otlpEndpoint" -}}
{{- if .Values.sidecar.enabled -}}
http://127.0.0.1:4317
{{- else if eq .Values.otlp.target "hostIP" -}}
{{- printf "http://$(HOST_IP):%v" .Values.otlp.port -}}
{{- else if eq .Values.otlp.target "endpoint" -}}
{{- required "otlp.endpoint is required when otlp.target is endpoint" .Values.otlp.endpoint -}}
{{- else -}}
{{- fail (printf "otlp.target must be hostIP or endpoint, not %q" .Values.otlp.target) -}}
{{- end -}}
{{- end -}}

{{/*
saker.yaml: the user's config with the chart's settings merged under it
(a key the user sets wins). customRules switches rules_files to the
built-in ruleset (defaultRulesFile) plus the rules.d directory.
*/}}
{{- define "saker.config" -}}
{{- $chart := dict -}}
{{- if .Values.customRules -}}
{{- if .Values.defaultRulesFile -}}
{{- $_ := set $chart "rules_files" (list .Values.defaultRulesFile "/etc/saker/rules.d") -}}
{{- else -}}
{{- $_ := set $chart "rules_files" (list "/etc/saker/rules.d") -}}
{{- end -}}
{{- end -}}
{{- if .Values.otlp.pushMetrics -}}
{{- $_ := set $chart "metrics" (dict "otlp" (dict "enabled" true)) -}}
{{- end -}}
{{- $cfg := mergeOverwrite (deepCopy $chart) (deepCopy .Values.config) -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/*
OTEL_RESOURCE_ATTRIBUTES: who emitted the alert (this saker pod on this
node). The subject's pod and namespace are log attributes, not resource
keys, so Loki does not index saker's own pod as the alert's pod.
*/}}
{{- define "saker.resourceAttributes" -}}
{{- $attrs := list "k8s.node.name=$(NODE_NAME)" "service.instance.id=$(POD_UID)" -}}
{{- range $k, $v := .Values.otlp.resourceAttributes -}}
{{- $attrs = append $attrs (printf "%s=%v" $k $v) -}}
{{- end -}}
{{- join "," $attrs -}}
{{- end -}}
