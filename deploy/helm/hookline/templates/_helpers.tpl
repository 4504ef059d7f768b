{{/* The four services, in pipeline order. */}}
{{- define "hookline.services" -}}
ingest fanout delivery retry
{{- end -}}

{{/* The consumer services (scaled by partitions; ingest also serves the API). */}}
{{- define "hookline.consumers" -}}
fanout delivery retry
{{- end -}}

{{- define "hookline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* release-chart, or the release name alone when it already contains the chart name. */}}
{{- define "hookline.fullname" -}}
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

{{/* Name of a per-service resource: (dict "root" $ "service" "delivery"). Trimmed to fit 63 characters. */}}
{{- define "hookline.componentName" -}}
{{- printf "%s-%s" (include "hookline.fullname" .root | trunc (int (sub 62 (len .service)))) .service | trimSuffix "-" -}}
{{- end -}}

{{- define "hookline.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "hookline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hookline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "hookline.labels" -}}
helm.sh/chart: {{ include "hookline.chart" . }}
{{ include "hookline.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hookline
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of one component: (dict "root" $ "component" "delivery"). */}}
{{- define "hookline.componentLabels" -}}
{{ include "hookline.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "hookline.componentSelectorLabels" -}}
{{ include "hookline.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "hookline.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "hookline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "hookline.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret the services read: the existing one, or the chart's. */}}
{{- define "hookline.secretName" -}}
{{- default (include "hookline.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/*
The Secret the hook Jobs read. Hooks run before the release's own resources exist, so with a
chart-created Secret they read a hook copy holding DATABASE_URL only.
*/}}
{{- define "hookline.hookSecretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-hooks" (include "hookline.fullname" . | trunc 57 | trimSuffix "-") -}}
{{- end -}}
{{- end -}}

{{/* A duration (250ms, 20s, 5m, 2h, 1d) in seconds, as text. */}}
{{- define "hookline.seconds" -}}
{{- $text := toString . | trim -}}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$" $text) -}}
{{- fail (printf "expected a duration like 500ms, 20s, 5m, 2h or 1d; got %q" $text) -}}
{{- end -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $text | float64 -}}
{{- $unit := regexReplaceAll "^[0-9.]+" $text "" -}}
{{- $scale := dict "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0 "d" 86400.0 -}}
{{- mulf $number (index $scale $unit) -}}
{{- end -}}

{{/*
Non-secret configuration every service shares (the ConfigMap's data; the topics Job gets the
same as env). Ports and OTEL_SERVICE_NAME are per service, so they are set on each container.
*/}}
{{- define "hookline.configData" -}}
NODE_ENV: {{ .Values.config.nodeEnv | quote }}
KAFKA_BROKERS: {{ .Values.kafka.brokers | quote }}
HOOKLINE_KAFKA_SESSION_TIMEOUT: {{ .Values.kafka.sessionTimeout | quote }}
HOOKLINE_KAFKA_RECOVERY_DEADLINE: {{ .Values.kafka.recoveryDeadline | quote }}
HOOKLINE_CONSUMER_STUCK_AFTER: {{ .Values.kafka.stuckAfter | quote }}
HOOKLINE_CONSUMER_PENDING_MIB: {{ .Values.kafka.pendingMiB | int | quote }}
HOOKLINE_KAFKA_MANAGE_TOPICS: {{ .Values.kafka.manageTopics | toString | quote }}
HOOKLINE_KAFKA_COMPRESSION: {{ .Values.kafka.compression | quote }}
HOOKLINE_KAFKA_TLS: {{ .Values.kafka.tls.enabled | toString | quote }}
HOOKLINE_KAFKA_TLS_SERVERNAME_CHECK: {{ .Values.kafka.tls.serverNameCheck | toString | quote }}
{{- range $variable, $key := dict "HOOKLINE_KAFKA_TLS_CA_FILE" .Values.kafka.tls.caKey "HOOKLINE_KAFKA_TLS_CERT_FILE" .Values.kafka.tls.certKey "HOOKLINE_KAFKA_TLS_KEY_FILE" .Values.kafka.tls.keyKey }}
{{- with $key }}
{{ $variable }}: {{ printf "%s/%s" (include "hookline.kafkaTlsDir" $) . | quote }}
{{- end }}
{{- end }}
{{- with .Values.kafka.sasl.mechanism }}
HOOKLINE_KAFKA_SASL_MECHANISM: {{ . | quote }}
{{- end }}
{{- if eq .Values.kafka.sasl.mechanism "aws-msk-iam" }}
{{- range $variable, $value := dict "HOOKLINE_KAFKA_AWS_REGION" .Values.kafka.sasl.aws.region "HOOKLINE_KAFKA_AWS_ROLE_ARN" .Values.kafka.sasl.aws.roleArn "HOOKLINE_KAFKA_AWS_ROLE_SESSION_NAME" .Values.kafka.sasl.aws.roleSessionName }}
{{- with $value }}
{{ $variable }}: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{ include "hookline.databaseConfig" . }}
HOOKLINE_TOPIC_PREFIX: {{ .Values.topics.prefix | quote }}
HOOKLINE_TOPIC_PARTITIONS: {{ .Values.topics.partitions | int | quote }}
{{- with .Values.topics.provision.retention.outcomes }}
HOOKLINE_OUTCOMES_RETENTION: {{ . | quote }}
{{- end }}
HOOKLINE_RETRY_SCHEDULE: {{ .Values.config.retry.schedule | quote }}
HOOKLINE_RETRY_JITTER: {{ .Values.config.retry.jitter | toString | quote }}
HOOKLINE_RETRY_LOOKAHEAD: {{ .Values.config.retry.lookahead | int | quote }}
HOOKLINE_DEAD_LETTER_AFTER: {{ .Values.config.retry.deadLetterAfter | quote }}
HOOKLINE_RETENTION: {{ .Values.config.retention.messages | quote }}
HOOKLINE_IDEMPOTENCY_KEY_TTL: {{ .Values.config.retention.idempotencyKeys | quote }}
HOOKLINE_DELIVERY_TIMEOUT: {{ .Values.config.delivery.timeout | quote }}
HOOKLINE_DELIVERY_ALLOW_HTTP: {{ .Values.config.delivery.allowHttp | toString | quote }}
HOOKLINE_DELIVERY_ALLOWED_SUBNETS: {{ join "," .Values.config.delivery.allowedSubnets | quote }}
HOOKLINE_ENDPOINT_DISABLE_AFTER: {{ .Values.config.delivery.disableEndpointAfter | quote }}
HOOKLINE_CIRCUIT_BREAKER_THRESHOLD: {{ .Values.config.delivery.circuitBreaker.threshold | int | quote }}
HOOKLINE_CIRCUIT_BREAKER_COOLDOWN: {{ .Values.config.delivery.circuitBreaker.cooldown | quote }}
HOOKLINE_API_RATE_LIMIT: {{ .Values.config.api.rateLimit | int | quote }}
HOOKLINE_API_INVALID_TOKEN_RATE_LIMIT: {{ .Values.config.api.invalidTokenRateLimit | int | quote }}
HOOKLINE_TRUSTED_PROXIES: {{ join "," .Values.config.api.trustedProxies | quote }}
HOOKLINE_MAX_ENDPOINTS_PER_APP: {{ .Values.config.api.maxEndpointsPerApp | int | quote }}
HOOKLINE_ENDPOINT_VERIFICATION: {{ .Values.config.api.endpointVerification | toString | quote }}
HOOKLINE_SECRET_ROTATION_GRACE: {{ .Values.config.api.secretRotationGrace | quote }}
{{- with .Values.config.api.publicUrl }}
HOOKLINE_PUBLIC_URL: {{ . | quote }}
{{- end }}
HOOKLINE_CONSOLE_DIR: {{ .Values.config.console.dir | quote }}
HOOKLINE_PORTAL_FRAME_ANCESTORS: {{ join "," .Values.config.console.portalFrameAncestors | quote }}
HOOKLINE_PORTAL_TOKEN_TTL: {{ .Values.config.console.portalTokenTtl | quote }}
{{- with .Values.config.console.traceLink }}
HOOKLINE_TRACE_LINK: {{ . | quote }}
{{- end }}
{{- with .Values.config.console.traceQueryUrl }}
HOOKLINE_TRACE_QUERY_URL: {{ . | quote }}
{{- end }}
HOOKLINE_SHUTDOWN_GRACE: {{ .Values.config.shutdownGrace | quote }}
HOOKLINE_LISTEN_HOST: {{ .Values.config.listenHost | quote }}
HOOKLINE_LOG_LEVEL: {{ .Values.config.logLevel | quote }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ .Values.otel.protocol | quote }}
{{- with .Values.otel.endpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- with .Values.otel.resourceAttributes }}
OTEL_RESOURCE_ATTRIBUTES: {{ . | quote }}
{{- end }}
{{- range $name, $value := .Values.config.extra }}
{{ $name }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* Where the Secrets with PEM files are mounted. */}}
{{- define "hookline.kafkaTlsDir" -}}/etc/hookline/kafka-tls{{- end -}}
{{- define "hookline.databaseTlsDir" -}}/etc/hookline/database-tls{{- end -}}

{{/* PostgreSQL settings beyond DATABASE_URL: in the ConfigMap, and set on the migration Job itself. */}}
{{- define "hookline.databaseConfig" -}}
HOOKLINE_DATABASE_POOL_SIZE: {{ .Values.database.poolSize | int | quote }}
HOOKLINE_DATABASE_PREPARED_STATEMENTS: {{ .Values.database.preparedStatements | toString | quote }}
{{- with .Values.database.sslmode }}
HOOKLINE_DATABASE_SSLMODE: {{ . | quote }}
{{- end }}
{{- range $variable, $key := dict "HOOKLINE_DATABASE_SSL_CA_FILE" .Values.database.tls.caKey "HOOKLINE_DATABASE_SSL_CERT_FILE" .Values.database.tls.certKey "HOOKLINE_DATABASE_SSL_KEY_FILE" .Values.database.tls.keyKey }}
{{- with $key }}
{{ $variable }}: {{ printf "%s/%s" (include "hookline.databaseTlsDir" $) . | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* SASL username and password from a Secret, where the mechanism takes them: (dict "root" $ "secret" "..."). */}}
{{- define "hookline.kafkaSaslEnv" -}}
{{- if has .root.Values.kafka.sasl.mechanism (list "plain" "scram-sha-256" "scram-sha-512") }}
{{- include "hookline.secretEnv" (dict "name" "HOOKLINE_KAFKA_SASL_USERNAME" "secret" .secret "key" .root.Values.secrets.keys.kafkaSaslUsername) }}
{{ include "hookline.secretEnv" (dict "name" "HOOKLINE_KAFKA_SASL_PASSWORD" "secret" .secret "key" .root.Values.secrets.keys.kafkaSaslPassword) }}
{{- end }}
{{- end -}}

{{/* The Secrets with PEM files as volumes, and their mounts: (dict "root" $ "kafka" true "database" true). */}}
{{- define "hookline.tlsVolumes" -}}
{{- if and .kafka .root.Values.kafka.tls.secretName }}
- name: kafka-tls
  secret:
    secretName: {{ .root.Values.kafka.tls.secretName }}
    defaultMode: 0440
{{- end }}
{{- if and .database .root.Values.database.tls.secretName }}
- name: database-tls
  secret:
    secretName: {{ .root.Values.database.tls.secretName }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "hookline.tlsVolumeMounts" -}}
{{- if and .kafka .root.Values.kafka.tls.secretName }}
- name: kafka-tls
  mountPath: {{ include "hookline.kafkaTlsDir" .root }}
  readOnly: true
{{- end }}
{{- if and .database .root.Values.database.tls.secretName }}
- name: database-tls
  mountPath: {{ include "hookline.databaseTlsDir" .root }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* env entries of one Secret key: (dict "name" "DATABASE_URL" "secret" "..." "key" "..." "optional" false). */}}
{{- define "hookline.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{/* Checks across values that a JSON schema cannot express. Renders nothing. */}}
{{- define "hookline.validate" -}}
{{- $grace := include "hookline.seconds" .Values.config.shutdownGrace | float64 -}}
{{- if le (float64 .Values.terminationGracePeriodSeconds) $grace -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must be above config.shutdownGrace (%s), or in-flight deliveries are killed before they finish" .Values.terminationGracePeriodSeconds .Values.config.shutdownGrace) -}}
{{- end -}}
{{- $_ := include "hookline.seconds" .Values.config.delivery.timeout -}}
{{- $deadLetterAfter := include "hookline.seconds" .Values.config.retry.deadLetterAfter | float64 -}}
{{- if le (include "hookline.seconds" .Values.config.retention.messages | float64) $deadLetterAfter -}}
{{- fail (printf "config.retention.messages (%s) must be longer than config.retry.deadLetterAfter (%s), so that a message outlives its retries" .Values.config.retention.messages .Values.config.retry.deadLetterAfter) -}}
{{- end -}}
{{- $_ := include "hookline.seconds" .Values.config.retention.idempotencyKeys -}}
{{- $kafka := .Values.kafka -}}
{{- range $name, $tls := dict "kafka.tls" $kafka.tls "database.tls" .Values.database.tls -}}
{{- if and (or $tls.caKey $tls.certKey $tls.keyKey) (not $tls.secretName) -}}
{{- fail (printf "%s: caKey, certKey and keyKey name keys of %s.secretName, which is empty" $name $name) -}}
{{- end -}}
{{- if ne (empty $tls.certKey) (empty $tls.keyKey) -}}
{{- fail (printf "%s: a client certificate needs both certKey and keyKey" $name) -}}
{{- end -}}
{{- end -}}
{{- if and (not $kafka.tls.enabled) (or $kafka.tls.caKey $kafka.tls.certKey) -}}
{{- fail "kafka.tls: caKey or certKey is set while kafka.tls.enabled is false" -}}
{{- end -}}
{{- if and (has $kafka.sasl.mechanism (list "plain" "aws-msk-iam")) (not $kafka.tls.enabled) -}}
{{- fail (printf "kafka.sasl.mechanism %s needs kafka.tls.enabled (plain sends the password in clear; MSK serves IAM over TLS)" $kafka.sasl.mechanism) -}}
{{- end -}}
{{- if and (eq $kafka.sasl.mechanism "aws-msk-iam") (not $kafka.sasl.aws.region) -}}
{{- fail "kafka.sasl.aws.region is required with kafka.sasl.mechanism aws-msk-iam" -}}
{{- end -}}
{{- range $service := splitList " " (include "hookline.services" .) -}}
{{- $values := index $.Values $service -}}
{{- if and $values.autoscaling.enabled (gt (int $values.autoscaling.minReplicas) (int $values.autoscaling.maxReplicas)) -}}
{{- fail (printf "%s.autoscaling: minReplicas is above maxReplicas" $service) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The ServiceAccount of the hook Jobs: they run before the chart's own ServiceAccount exists, so
they use the namespace's default one unless an existing account is named (serviceAccount.create false).
*/}}
{{- define "hookline.jobServiceAccount" -}}
{{- if and (not .Values.serviceAccount.create) .Values.serviceAccount.name -}}
serviceAccountName: {{ .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}
