{{/* Written by `npm run chart:sync` from src/platforms/registry.ts: do not edit (test/platforms/chart-sync.test.ts checks it). */}}

{{- define "fleetwave.platformEnv" -}}
{{- $platforms := .Values.platforms | default dict }}
{{- $avisi := index $platforms "avisi" | default dict }}
- name: AVISI_API_URL
  value: {{ index $avisi "apiUrl" | default "https://api.avisi.cloud/api/v1" | quote }}
{{- include "fleetwave.optionalEnv" (dict "vars" (dict "AVISI_API_RATE_PER_MINUTE" (index $avisi "ratePerMinute") "AVISI_API_BURST" (index $avisi "burst"))) }}
{{- $aether := index $platforms "aether" | default dict }}
- name: AETHER_API_URL
  value: {{ index $aether "apiUrl" | default "https://api.aetherplatform.cloud/api/v1" | quote }}
{{- include "fleetwave.optionalEnv" (dict "vars" (dict "AETHER_API_RATE_PER_MINUTE" (index $aether "ratePerMinute") "AETHER_API_BURST" (index $aether "burst"))) }}
{{- end }}

{{- define "fleetwave.platformTokenKeys" -}}
{{- $keys := .Values.secret.keys | default dict }}
AVISI_API_TOKEN: {{ index $keys "avisiToken" | default "AVISI_API_TOKEN" | quote }}
AETHER_API_TOKEN: {{ index $keys "aetherToken" | default "AETHER_API_TOKEN" | quote }}
{{- end }}
