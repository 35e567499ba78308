{{/*
The shutdown grace in whole seconds, read the way the worker reads
FLEET_WORKER_SHUTDOWN_GRACE_TIME (a number and a unit; the chart takes ms, s, m, h),
rounded up so the pod's grace is never short of it.
*/}}
{{- define "fleetwave.shutdownGraceSeconds" -}}
{{- $text := toString .Values.worker.shutdownGraceTime | trim }}
{{- $pattern := "^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)$" }}
{{- if not (regexMatch $pattern $text) }}
{{- fail (printf "worker.shutdownGraceTime must be a number and a unit (ms, s, m or h), like 30s or 2m; got %q" $text) }}
{{- end }}
{{- $amount := regexReplaceAll $pattern $text "${1}" | float64 }}
{{- $unit := regexReplaceAll $pattern $text "${2}" }}
{{- $factor := get (dict "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0) $unit }}
{{- mulf $amount $factor | ceil | int }}
{{- end }}

{{/*
terminationGracePeriodSeconds: longer than the shutdown grace, or Kubernetes kills the
worker (SIGKILL) while it still lets running activities finish, and they are cut off
mid-call. Unset: the grace plus terminationGraceMarginSeconds for the exit itself.
*/}}
{{- define "fleetwave.terminationGracePeriodSeconds" -}}
{{- $grace := include "fleetwave.shutdownGraceSeconds" . | int }}
{{- $set := .Values.terminationGracePeriodSeconds }}
{{- if kindIs "invalid" $set }}
{{- add $grace (int .Values.terminationGraceMarginSeconds) }}
{{- else if le (int $set) $grace }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be more than worker.shutdownGraceTime (%s = %d s): Kubernetes would kill the worker while running activities may still finish. Raise it, or leave it unset for %d s" (int $set) .Values.worker.shutdownGraceTime $grace (add $grace (int .Values.terminationGraceMarginSeconds))) }}
{{- else }}
{{- int $set }}
{{- end }}
{{- end }}
