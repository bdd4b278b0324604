#!/usr/bin/env bash
# Manifest checks (ctest ops_manifests): every kustomization under deploy/k8s
# renders with kustomize, the output validates against the Kubernetes and CRD
# schemas (kubernetes-models npm packages, installed project-locally into
# tests/ops/schema/node_modules from the committed package-lock.json), and
# follows leadflow's policy (policy.mjs); prod is closed by default
# (closed.mjs, proven able to fail by closed_selftest.mjs). The generated
# files are current.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SCHEMA="$ROOT/tests/ops/schema"

"$ROOT/tests/ops/install-schema-tools.sh"

if kubectl kustomize --help >/dev/null 2>&1; then KUSTOMIZE=(kubectl kustomize)
elif command -v kustomize >/dev/null; then KUSTOMIZE=(kustomize build)
else echo "manifests: need kubectl (1.27+) or kustomize" >&2; exit 1; fi

python3 "$ROOT/deploy/generate.py" --check

render() {  # dir -> stdout
  "${KUSTOMIZE[@]}" "$ROOT/$1"
}
fail=0
for spec in "deploy/k8s/base:3:2" "deploy/k8s/overlays/prod:3:2" "deploy/k8s/overlays/dev:1:1"; do
  IFS=: read -r dir replicas isr <<<"$spec"
  out=$(mktemp)
  if ! render "$dir" >"$out"; then echo "manifests: $dir does not render" >&2; fail=1; continue; fi
  (cd "$SCHEMA" && node validate.mjs "$dir" <"$out") || fail=1
  (cd "$SCHEMA" && node policy.mjs "$dir" "$replicas" "$isr" <"$out") || fail=1
  # Production is closed by default (docs/security.md, "What ships for
  # production"), and each way of opening it again fails the check.
  if [ "$dir" = deploy/k8s/overlays/prod ]; then
    (cd "$SCHEMA" && node closed.mjs "$dir" "$ROOT" <"$out") || fail=1
    (cd "$SCHEMA" && node closed_selftest.mjs "$ROOT" <"$out") || fail=1
  fi
  rm -f "$out"
done
for dir in deploy/grafana config; do
  render "$dir" >/dev/null || { echo "manifests: $dir does not render" >&2; fail=1; }
done
# One Dockerfile for every service (ARG SERVICE): no copy per service, and it
# names every service it accepts.
ls "$ROOT"/services/*/Dockerfile >/dev/null 2>&1 \
  && { echo "manifests: a per-service Dockerfile is back; the root Dockerfile builds them all (ARG SERVICE)" >&2; fail=1; }
for svc in intake scoring routing nurture notifier; do
  grep -q "leadflow_service($svc " "$ROOT/services/$svc/CMakeLists.txt" \
    || { echo "manifests: no CMake target leadflow-$svc for the Dockerfile" >&2; fail=1; }
  grep -qE "(in |\|)$svc[|)]" "$ROOT/Dockerfile" \
    || { echo "manifests: the Dockerfile does not accept SERVICE=$svc" >&2; fail=1; }
  grep -q "image: leadflow/$svc:" "$ROOT/deploy/k8s/base/$svc.yaml" \
    || { echo "manifests: deploy/k8s/base/$svc.yaml does not run image leadflow/$svc" >&2; fail=1; }
done
exit $fail
