#!/usr/bin/env bash
# Installs the manifest-validation npm packages (kubernetes-models and the CRD
# models) into tests/ops/schema/node_modules, exactly as package-lock.json pins
# them. Idempotent: does nothing when node_modules matches the lock file.
# Called by scripts/bootstrap and by tests/ops/manifests_test.sh.
set -euo pipefail
SCHEMA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/schema"
command -v npm >/dev/null || { echo "install-schema-tools: npm is required (apt-get install npm)" >&2; exit 1; }
stamp="$SCHEMA/node_modules/.leadflow-lock"
if [ -f "$stamp" ] && cmp -s "$stamp" "$SCHEMA/package-lock.json"; then exit 0; fi
echo "install-schema-tools: npm ci in tests/ops/schema"
(cd "$SCHEMA" && npm ci --no-audit --no-fund --loglevel=error)
cp "$SCHEMA/package-lock.json" "$stamp"
