{{/*
The worker's environment: settings from values as literals, secrets only as references
to the Secret (secretKeyRef here, envFrom in the Deployment). The same environment serves
the healthcheck, which connects to Temporal as the worker does.
*/}}

{{/* Names that hold secrets: never a literal in the Deployment (extraEnv is checked against it). */}}
{{- define "fleetwave.secretEnvPattern" -}}
^(AVISI_API_TOKEN|AETHER_API_TOKEN|TEMPORAL_API_KEY|TEMPORAL_TLS_CLIENT_KEY_DATA|TEMPORAL_CODEC_AUTH|TEMPORAL_GRPC_META_.+|FLEET_NOTIFY_.+_(URL|SECRET)|FLEET_HEALTH_.+|.*(TOKEN|SECRET|PASSWORD|API_KEY).*)$
{{- end }}

{{- define "fleetwave.optionalEnv" -}}
{{- range $name, $value := .vars }}
{{- if not (kindIs "invalid" $value) }}
- name: {{ $name }}
  value: {{ toString $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fleetwave.env" -}}
{{- $secret := include "fleetwave.secretName" . }}
{{- $tls := .Values.temporal.tls }}
- name: TEMPORAL_ADDRESS
  value: {{ required "temporal.address is required (host:port of the Temporal frontend)" .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: FLEET_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
{{- if $tls.enabled }}
- name: TEMPORAL_TLS
  value: "true"
{{- end }}
{{- if $tls.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ $tls.serverName | quote }}
{{- end }}
{{- if $tls.clientCertSecret }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: /etc/fleetwave/temporal-tls/tls.crt
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: /etc/fleetwave/temporal-tls/tls.key
{{- if $tls.serverCaKey }}
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: /etc/fleetwave/temporal-tls/{{ $tls.serverCaKey }}
{{- end }}
{{- end }}
{{- /* Each platform's URL, rate and burst: _platforms.tpl, written from the registry. */}}
{{- include "fleetwave.platformEnv" . }}
{{- include "fleetwave.optionalEnv" (dict "vars" (dict
  "FLEET_HTTP_TIMEOUT_MS" .Values.platforms.httpTimeoutMs
  "FLEET_WORKER_MAX_CONCURRENT_ACTIVITIES" .Values.worker.maxConcurrentActivities
  "FLEET_WORKER_MAX_CONCURRENT_WORKFLOW_TASKS" .Values.worker.maxConcurrentWorkflowTasks
  "FLEET_WORKER_MAX_CACHED_WORKFLOWS" .Values.worker.maxCachedWorkflows
  "FLEET_WORKER_STICKY_TIMEOUT" .Values.worker.stickyTimeout
  "FLEET_WORKER_REQUIRE_NAMESPACE" .Values.worker.requireNamespace)) }}
- name: FLEET_LOG_LEVEL
  value: {{ .Values.worker.logLevel | quote }}
- name: FLEET_WORKER_SHUTDOWN_GRACE_TIME
  value: {{ .Values.worker.shutdownGraceTime | quote }}
{{- if .Values.metrics.enabled }}
# 0.0.0.0: Prometheus scrapes from outside the pod (a port alone would bind loopback).
- name: FLEET_METRICS_ADDRESS
  value: "0.0.0.0:{{ .Values.metrics.port }}"
{{- end }}
{{- $tokenKeys := include "fleetwave.platformTokenKeys" . | fromYaml }}
{{- range $var, $key := set $tokenKeys "TEMPORAL_API_KEY" .Values.secret.keys.temporalApiKey }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
      optional: true
{{- end }}
{{- $pattern := include "fleetwave.secretEnvPattern" . }}
{{- range .Values.extraEnv }}
{{- if and (hasKey . "value") (regexMatch $pattern .name) }}
{{- fail (printf "extraEnv: %s holds a secret, and a literal value would be written into the Deployment: put it in the Secret %s (every key reaches the worker through envFrom)" .name $secret) }}
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
