#!/usr/bin/env bash
# The test suite on Node 22 (and whatever NODE_VERSIONS names, e.g. "22 24"), beside the Node 20 of `npm test`:
# each runs vitest under that version, fetched from the npm registry's `node` package with npx. A version that cannot
# be fetched (no registry) is skipped with a message; a failing suite fails the script.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for version in ${NODE_VERSIONS:-22}; do
  if ! npx -y -p "node@${version}" node --version >/dev/null 2>&1; then
    echo "test-node-versions: Node ${version} is not available here: skipped" >&2
    continue
  fi
  echo "test-node-versions: vitest on Node $(npx -y -p "node@${version}" node --version)" >&2
  npx -y -p "node@${version}" node node_modules/vitest/vitest.mjs run || status=1
done
exit "$status"
