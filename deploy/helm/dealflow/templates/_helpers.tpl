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
- name: DEALFLOW_JWT_ISSUER
  value: {{ $v.jwt.issuer | quote }}
- name: DEALFLOW_JWT_AUDIENCE
  value: {{ $v.jwt.audience | quote }}
- name: DEALFLOW_JWT_MAX_LIFETIME_SECONDS
  value: {{ $v.jwt.maxLifetimeSeconds | quote }}
- name: DEALFLOW_PAYLOAD_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ required "payloadEncryption.existingSecret is required" $v.payloadEncryption.existingSecret }}
      key: {{ $v.payloadEncryption.secretKey }}
{{- with $v.payloadEncryption.codecCorsOrigins }}
- name: DEALFLOW_CODEC_CORS_ORIGINS
  value: {{ . | quote }}
{{- end }}
{{- with $v.temporal.apiKey.existingSecret }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $v.temporal.apiKey.secretKey }}
{{- end }}
- name: KAFKA_CREATE_TOPICS
  value: {{ $v.kafka.topics.create | quote }}
- name: KAFKA_REPLICATION_FACTOR
  value: {{ $v.kafka.topics.replicationFactor | quote }}
- name: KAFKA_MIN_INSYNC_REPLICAS
  value: {{ $v.kafka.topics.minInsyncReplicas | quote }}
{{- with $v.kafka.sasl.username }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ . | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.sasl.existingSecret is required with kafka.sasl.username" $v.kafka.sasl.existingSecret }}
      key: {{ $v.kafka.sasl.passwordKey }}
{{- end }}
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
{{- if $v.kafka.tls.mutual }}
- name: KAFKA_TLS_CERT_FILE
  value: /etc/dealflow/tls/kafka/tls.crt
- name: KAFKA_TLS_KEY_FILE
  value: /etc/dealflow/tls/kafka/tls.key
{{- end }}
{{- end }}
{{- with $v.tracing.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
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
