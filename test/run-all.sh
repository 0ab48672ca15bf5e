#!/usr/bin/env bash
# `npm test`: installs what is missing, runs every suite (unit, integration, e2e), and prints one
# closing line "tests: N passed, N failed, N skipped" as the very last thing.
set -uo pipefail
cd "$(dirname "$0")/.."
bash test/support/host-deps.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }
mkdir -p test-artifacts
report=test-artifacts/vitest-report.json
rm -f "$report"
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" 2>&1
status=$?
node test/support/summary.mjs "$report" "$status"
