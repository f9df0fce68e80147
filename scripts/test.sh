#!/usr/bin/env bash
# The one test command (README, `npm test`, .ci/run): build everything, check generated types,
# make sure a real llama-server exists (built once per machine from the llama.cpp source that
# node-llama-cpp ships, then cached), and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Before building: a schema edited without `npm run schemas:gen` must fail here, not be papered over.
npm run --silent schemas:check
npm run --silent build
if [ -f scripts/build-llama-server.sh ]; then
  echo "llama-server: $(bash scripts/build-llama-server.sh | tail -n 1)"
fi
bash scripts/postgres-test.sh check  # the server tests run on SQLite and on a throw-away PostgreSQL (installed here if missing)
# One cache for the whole test run so the synthetic model is generated once.
export LLM_SPEED_TEST_CACHE_DIR="${LLM_SPEED_TEST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/llm-speed-test}"
npx mocha --exit 'packages/*/test/**/*.test.ts' "$@"
