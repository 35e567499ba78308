#!/usr/bin/env bash
# Puts the pinned helm into .fleetwave/helm/<version>/helm (git-ignored), for the chart
# check (test/unit/helm-chart.test.ts lints and renders deploy/helm/fleetwave).
# Built from source through the Go module proxy (`go install`), because that is the one
# place helm is served from here. Go's state (modules, build cache, a fetched toolchain)
# goes where the Temporal server's and UI's builds put it (src/devserver/go-env.ts):
# .fleetwave/go/ unless GOPATH, GOMODCACHE or GOCACHE (environment or `go env -w`) say
# otherwise, so nothing is written outside the project unless asked. Needs `npm ci`.
# Idempotent: a binary already there is kept. Prints the binary's path and version.
set -euo pipefail
cd "$(dirname "$0")/.."

HELM_VERSION=v3.22.0
# What helm's own release build (its Makefile) stamps in: the version, and the Kubernetes
# version its client-go (v0.37 in v3.22.0's go.mod) speaks, which `helm lint` checks
# deprecated APIs against and `helm template` reports as .Capabilities.KubeVersion.
# Without these a `go install` build says v3.22 and assumes Kubernetes 1.20.
KUBE_MINOR=37
LDFLAGS="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in pkg/chartutil pkg/lint/rules; do
  LDFLAGS="$LDFLAGS -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$KUBE_MINOR"
done
dir="$(pwd)/.fleetwave/helm"
bin="$dir/$HELM_VERSION/helm"

if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || { echo "install-helm: go is needed to build helm $HELM_VERSION (or set HELM_PATH to a helm binary)" >&2; exit 1; }
  echo "install-helm: building helm $HELM_VERSION with go install (a few minutes the first time)" >&2
  echo "  downloads from the Go module proxy: helm's modules (~100 MB) unless already in the module cache" >&2
  # GOPATH, GOMODCACHE, GOCACHE (and -modcacherw for fleetwave's own module cache), said on stderr.
  go_env="$(node_modules/.bin/tsx src/devserver/go-env.ts)"
  eval "$go_env"
  # GOTOOLCHAIN is passed through: a helm that asks for a newer Go than the local one
  # gets it (into the module cache) when the caller exports e.g. GOTOOLCHAIN=go1.27.3.
  env GOBIN="$dir/$HELM_VERSION" CGO_ENABLED=0 \
    go install -trimpath -ldflags "$LDFLAGS" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
echo "helm: $bin ($("$bin" version --short 2>/dev/null || echo "version unknown"))"
