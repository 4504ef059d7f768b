#!/usr/bin/env bash
# CI for the Helm chart (deploy/helm/hookline): builds helm from Go modules if it is missing,
# then `helm lint --strict` and `helm template` over the default values and over
# ci/all-on-values.yaml (every option on), and checks that the values schema rejects a value of
# the wrong type. test/deploy/helm.spec.ts reads the rendered manifests with the same binary.
#
# helm: $HOOKLINE_HELM if set, else ${HOOKLINE_CACHE_DIR:-~/.cache/hookline}/bin/helm, built on
# first use with `go install` (a few minutes on two cores; the Go build cache makes later builds quick).
set -euo pipefail
cd "$(dirname "$0")/../.."

HELM_VERSION="${HOOKLINE_HELM_VERSION:-v3.16.4}"
# The Kubernetes version the chart is rendered and linted for (its Chart.yaml asks for >=1.25).
KUBE_VERSION="${HOOKLINE_KUBE_VERSION:-1.31.0}"
CHART=deploy/helm/hookline
ALL_ON="$CHART/ci/all-on-values.yaml"

log() { echo "helm-ci: $*" >&2; }
die() { log "error: $*"; exit 1; }

install_helm() {
  local bin="$1" k8s_minor
  command -v go >/dev/null || die "go not found: it builds helm ($HELM_VERSION) from Go modules"
  log "building helm $HELM_VERSION from Go modules into $(dirname "$bin") (first run only; a few minutes)"
  mkdir -p "$(dirname "$bin")"
  # The version stamps a release build gets from helm's Makefile: its own version, and the
  # Kubernetes version of its client-go (the default for Capabilities.KubeVersion and lint).
  k8s_minor=31
  GOBIN="$(dirname "$bin")" GOFLAGS=-buildvcs=false go install -trimpath -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$k8s_minor \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$k8s_minor" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

if [[ -n "${HOOKLINE_HELM:-}" ]]; then
  HELM="$HOOKLINE_HELM"
  [[ -x "$HELM" ]] || die "HOOKLINE_HELM=$HELM is not an executable"
else
  HELM="${HOOKLINE_CACHE_DIR:-${HOME:?}/.cache/hookline}/bin/helm"
  if [[ ! -x "$HELM" || "$("$HELM" version --template '{{.Version}}' 2>/dev/null)" != "$HELM_VERSION" ]]; then
    install_helm "$HELM"
  fi
fi
export HOOKLINE_HELM="$HELM"
log "helm: $HELM ($("$HELM" version --template '{{.Version}}'))"
echo "HOOKLINE_HELM=$HELM"

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

render() { # name, extra args...
  local name="$1"; shift
  "$HELM" lint --strict --kube-version "$KUBE_VERSION" "$CHART" "$@" >"$OUT/$name.lint" 2>&1 \
    || { cat "$OUT/$name.lint" >&2; die "helm lint --strict failed ($name values)"; }
  "$HELM" template hookline "$CHART" --namespace hookline --kube-version "$KUBE_VERSION" "$@" >"$OUT/$name.yaml" 2>"$OUT/$name.err" \
    || { cat "$OUT/$name.err" >&2; die "helm template failed ($name values)"; }
  log "$name values: lint --strict ok; template rendered $(grep -c '^kind: ' "$OUT/$name.yaml") objects ($(grep '^kind: ' "$OUT/$name.yaml" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $3; sep=", "}'))"
}

render default
render all-on -f "$ALL_ON"

# A value of the wrong type must fail at template (and so at install) with a schema error.
expect_rejected() { # description, expected message fragment, args...
  local what="$1" expected="$2"; shift 2
  if "$HELM" template hookline "$CHART" --kube-version "$KUBE_VERSION" "$@" >"$OUT/rejected.yaml" 2>"$OUT/rejected.err"; then
    die "$what was accepted; the chart must reject it"
  fi
  grep -q -- "$expected" "$OUT/rejected.err" || { cat "$OUT/rejected.err" >&2; die "$what failed without the expected '$expected'"; }
  log "rejected as expected: $what ($(grep -m1 -- "$expected" "$OUT/rejected.err" | sed 's/^[[:space:]-]*//'))"
}
expect_rejected "delivery.replicaCount=abc" "delivery.replicaCount: Invalid type" --set delivery.replicaCount=abc
expect_rejected "an unknown key (fanout.replicas)" "Additional property replicas is not allowed" --set fanout.replicas=2
expect_rejected "config.retry.deadLetterAfter=2 days" "config.retry.deadLetterAfter: Does not match pattern" --set "config.retry.deadLetterAfter=2 days"
expect_rejected "kafka.sasl.mechanism=gssapi" "kafka.sasl.mechanism must be one of" --set kafka.sasl.mechanism=gssapi
expect_rejected "SASL/PLAIN without TLS" "plain needs kafka.tls.enabled" --set kafka.sasl.mechanism=plain
expect_rejected "terminationGracePeriodSeconds not above shutdownGrace" "must be above config.shutdownGrace" --set terminationGracePeriodSeconds=20
log "chart ok"
