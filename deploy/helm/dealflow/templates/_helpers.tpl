{{- define "dealflow.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "dealflow.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "api") */}}
{{- define "dealflow.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "dealflow.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "dealflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ .Values.serviceAccount.name | default (include "dealflow.fullname" .) }}
{{- else -}}
{{ .Values.serviceAccount.name | default "default" }}
{{- end -}}
{{- end -}}

{{/* The environment every process reads (adapters/config.ts): (dict "root" $ "metricsPort" 9464) */}}
{{- define "dealflow.env" -}}
{{- $v := .root.Values -}}
- name: NODE_ENV
  value: production
- name: LOG_LEVEL
  value: {{ $v.config.logLevel | quote }}
- name: TEMPORAL_ADDRESS
  value: {{ required "temporal.address is required" $v.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ $v.temporal.namespace | quote }}
- name: TEMPORAL_TASK_QUEUE
  value: {{ $v.temporal.taskQueue | quote }}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers is required" $v.kafka.brokers | quote }}
- name: DEALFLOW_TOPIC
  value: {{ $v.config.topic | quote }}
- name: MONGO_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "mongo.existingSecret is required" $v.mongo.existingSecret }}
      key: {{ $v.mongo.urlKey }}
- name: DEALFLOW_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ required "jwt.existingSecret is required" $v.jwt.existingSecret }}
      key: {{ $v.jwt.secretKey }}
- name: DEALFLOW_S3_ENDPOINT
  value: {{ required "files.s3.endpoint is required" $v.files.s3.endpoint | quote }}
- name: DEALFLOW_S3_BUCKET
  value: {{ $v.files.s3.bucket | quote }}
- name: DEALFLOW_S3_REGION
  value: {{ $v.files.s3.region | quote }}
- name: DEALFLOW_S3_FORCE_PATH_STYLE
  value: {{ $v.files.s3.forcePathStyle | quote }}
{{- if $v.files.s3.credentials.existingSecret }}
- name: DEALFLOW_S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ $v.files.s3.credentials.existingSecret }}
      key: {{ $v.files.s3.credentials.accessKeyIdKey }}
- name: DEALFLOW_S3_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.files.s3.credentials.existingSecret }}
      key: {{ $v.files.s3.credentials.secretAccessKeyKey }}
{{- end }}
- name: DEALFLOW_FILE_ENCRYPTION_KEY
  valueFrom:
    secretKeyRef:
      name: {{ required "files.encryption.existingSecret is required" $v.files.encryption.existingSecret }}
      key: {{ $v.files.encryption.secretKey }}
- name: DEALFLOW_FILE_RETENTION_DAYS
  value: {{ $v.files.retentionDays | quote }}
{{- if .metricsPort }}
- name: DEALFLOW_METRICS_PORT
  value: {{ .metricsPort | quote }}
{{- end }}
{{- if $v.temporal.tls.enabled }}
- name: TEMPORAL_TLS_CA_FILE
  value: /etc/dealflow/tls/temporal/ca.crt
{{- if $v.temporal.tls.mutual }}
- name: TEMPORAL_TLS_CERT_FILE
  value: /etc/dealflow/tls/temporal/tls.crt
- name: TEMPORAL_TLS_KEY_FILE
  value: /etc/dealflow/tls/temporal/tls.key
{{- end }}
{{- with $v.temporal.tls.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- if $v.kafka.tls.enabled }}
- name: KAFKA_TLS_CA_FILE
  value: /etc/dealflow/tls/kafka/ca.crt
{{- end }}
{{- end -}}

{{/* The TLS secrets each enabled client mounts, and /tmp (the root filesystem is read-only). */}}
{{- define "dealflow.volumes" -}}
- name: tmp
  emptyDir: {}
{{- range $name := list "temporal" "kafka" "mongo" }}
{{- $tls := (index $.Values $name).tls }}
{{- if $tls.enabled }}
- name: tls-{{ $name }}
  secret:
    secretName: {{ required (printf "%s.tls.secretName is required when %s.tls.enabled" $name $name) $tls.secretName }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "dealflow.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- range $name := list "temporal" "kafka" "mongo" }}
{{- if (index $.Values $name).tls.enabled }}
- name: tls-{{ $name }}
  mountPath: /etc/dealflow/tls/{{ $name }}
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}
