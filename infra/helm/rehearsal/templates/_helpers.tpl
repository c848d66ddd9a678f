{{/* Names. */}}
{{- define "rehearsal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "rehearsal.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* <fullname>-<component>; call with (list $ "api"). */}}
{{- define "rehearsal.component" -}}
{{- printf "%s-%s" (include "rehearsal.fullname" (index . 0)) (index . 1) -}}
{{- end -}}

{{- define "rehearsal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rehearsal.name" (index . 0) }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "rehearsal.labels" -}}
{{ include "rehearsal.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" (index . 0).Chart.Name (index . 0).Chart.Version }}
app.kubernetes.io/managed-by: {{ (index . 0).Release.Service }}
app.kubernetes.io/part-of: rehearsal
{{- end -}}

{{/* An application image: (list $ .Values.api.image). */}}
{{- define "rehearsal.appImage" -}}
{{- $ := index . 0 -}}{{- $img := index . 1 -}}
{{- printf "%s%s:%s" $.Values.image.registry $img.repository (default $.Values.image.tag $img.tag) -}}
{{- end -}}

{{/* A llama-server image: (list $ .Values.llmQuestion). */}}
{{- define "rehearsal.llamaImage" -}}
{{- $role := index . 1 -}}
{{- printf "%s:%s" $role.image.repository (ternary $role.image.cudaTag $role.image.tag $role.gpu.enabled) -}}
{{- end -}}

{{/* Headless Service and StatefulSet names of a model role: (list $ "llm-question"). */}}
{{- define "rehearsal.headless" -}}
{{- printf "%s-headless" (include "rehearsal.component" .) -}}
{{- end -}}

{{/*
LLM_<ROLE>__BASE_URLS: one stable DNS name per StatefulSet replica, up to maxReplicas when autoscaled (replicas not
running yet are skipped by the client's health checks until they answer /health).
Call with (list $ "llm-question" .Values.llmQuestion).
*/}}
{{- define "rehearsal.baseUrls" -}}
{{- $ := index . 0 -}}{{- $component := index . 1 -}}{{- $role := index . 2 -}}
{{- if $role.enabled -}}
{{- $sts := include "rehearsal.component" (list $ $component) -}}
{{- $svc := include "rehearsal.headless" (list $ $component) -}}
{{- $count := int (include "rehearsal.llmMaxReplicas" (list $ $role)) -}}
{{- $urls := list -}}
{{- range $i := until $count -}}
{{- $urls = append $urls (printf "http://%s-%d.%s.%s.svc.%s:%d" $sts $i $svc $.Release.Namespace $.Values.clusterDomain (int $role.port)) -}}
{{- end -}}
{{- join "," $urls -}}
{{- else -}}
{{- required (printf "%s.externalBaseUrls is required when the chart does not run that role" $component) (join "," $role.externalBaseUrls) -}}
{{- end -}}
{{- end -}}

{{/* Replicas a model role can have: maxReplicas when KEDA scales it, else its fixed count. */}}
{{- define "rehearsal.llmMaxReplicas" -}}
{{- $ := index . 0 -}}{{- $role := index . 1 -}}
{{- if and $role.autoscaling.enabled $.Values.autoscaling.keda.enabled -}}
{{- $role.autoscaling.maxReplicas -}}
{{- else -}}
{{- $role.replicas -}}
{{- end -}}
{{- end -}}

{{/* Pod- and container-level security for the PodSecurity "restricted" profile. */}}
{{- define "rehearsal.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "rehearsal.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "rehearsal.podCommon" -}}
automountServiceAccountToken: false
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
securityContext:
  {{- include "rehearsal.podSecurityContext" . | nindent 2 }}
{{- end -}}

{{/* Scratch space: the root filesystem is read-only, the app writes only VAR_DIR (incl. Dramatiq's Prometheus
multiprocess directory) and /tmp. */}}
{{- define "rehearsal.scratchVolumes" -}}
- name: var
  emptyDir:
    sizeLimit: {{ .Values.app.scratchSizeLimit }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.app.scratchSizeLimit }}
{{- end -}}

{{- define "rehearsal.scratchMounts" -}}
- name: var
  mountPath: {{ .Values.app.varDir }}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "rehearsal.secretEnv" -}}
{{- $ := index . 0 -}}{{- $name := index . 1 -}}{{- $key := index . 2 -}}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ required "secrets.existingSecret is required" $.Values.secrets.existingSecret }}
      key: {{ $key }}
{{- end -}}

{{/* Settings shared by the Python services (compose.yaml: x-app-env). */}}
{{- define "rehearsal.appEnv" -}}
- name: ENVIRONMENT
  value: production
- name: LOG_FORMAT
  value: json
- name: LOG_LEVEL
  value: {{ .Values.app.logLevel | quote }}
- name: VAR_DIR
  value: {{ .Values.app.varDir | quote }}
{{ include "rehearsal.secretEnv" (list . "DATABASE_URL" .Values.secrets.databaseUrlKey) }}
{{ include "rehearsal.secretEnv" (list . "REDIS_URL" .Values.secrets.redisUrlKey) }}
{{ include "rehearsal.secretEnv" (list . "SECRET_KEY" .Values.secrets.secretKeyKey) }}
- name: LLM_QUESTION__BASE_URLS
  value: {{ include "rehearsal.baseUrls" (list . "llm-question" .Values.llmQuestion) | quote }}
- name: LLM_QUESTION__MODEL
  value: {{ .Values.llmQuestion.model | quote }}
- name: LLM_EVALUATOR__BASE_URLS
  value: {{ include "rehearsal.baseUrls" (list . "llm-evaluator" .Values.llmEvaluator) | quote }}
- name: LLM_EVALUATOR__MODEL
  value: {{ .Values.llmEvaluator.model | quote }}
- name: MEDIA_URL
  value: {{ printf "http://%s:%d" (include "rehearsal.component" (list . "media")) (int .Values.media.port) | quote }}
- name: RETENTION_DAYS
  value: {{ .Values.app.retentionDays | quote }}
{{- range $name, $value := .Values.app.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "rehearsal.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "rehearsal.metricsAnnotations" -}}
{{- $ := index . 0 -}}
{{- if $.Values.metricsAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ index . 1 | quote }}
prometheus.io/path: {{ index . 2 | quote }}
{{- end }}
{{- end -}}
