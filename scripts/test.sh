#!/usr/bin/env bash
# The one test command (README, `npm test`, .ci/run): build everything, check generated types,
# lint and check the format, type-check the tests,
# make sure a real llama-server exists (built once per machine from the llama.cpp source that
# node-llama-cpp ships, then cached), run every test, then install the packed packages as a user
# would and use them (scripts/install-test.sh), and the standalone archive without Node
# (scripts/standalone-test.sh); both need the npm registry.
#
#   bash scripts/test.sh [mocha args]   (with mocha args, e.g. a --grep, the install test is skipped;
#                                        LLM_SPEED_SKIP_INSTALL_TEST=1 skips it too)
set -euo pipefail
cd "$(dirname "$0")/.."

# Before building: a schema edited without `npm run schemas:gen` must fail here, not be papered over.
npm run --silent schemas:check
npm run --silent build
# The linter (type-aware, zero warnings allowed: eslint.config.js) and the formatter's check, before
# the long tests: a floating promise or an unformatted file fails in a minute, not after the suite.
# `npm run format` fixes the second.
npm run --silent lint
npm run --silent format:check
# The tests run through tsx, which strips types without checking them: without this, a test could
# compare against a field that no longer exists and nothing would say so. One tsc per test tsconfig
# (packages/*/test, and the driver template's through templates/tsconfig.driver-plugin-test.json).
npm run --silent typecheck:tests
if [ -f scripts/build-llama-server.sh ]; then
  # The build's own output, kept whole: a failed build stops here with its error, not later as
  # confusing test failures.
  build_log="$(mktemp "${TMPDIR:-/tmp}/llama-server-build.XXXXXX")"
  if ! bash scripts/build-llama-server.sh >"$build_log" 2>&1; then
    echo "test.sh: building llama-server failed (scripts/build-llama-server.sh); its output:" >&2
    tail -n 80 "$build_log" >&2
    echo "test.sh: the whole build log is $build_log" >&2
    exit 1
  fi
  echo "llama-server: $(tail -n 1 "$build_log")"
  rm -f "$build_log"
fi
bash scripts/postgres-test.sh check  # the server tests run on SQLite and on a throw-away PostgreSQL (installed here if missing)
# One cache for the whole test run so the synthetic model is generated once.
export LLM_SPEED_TEST_CACHE_DIR="${LLM_SPEED_TEST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/llm-speed-test}"
npx mocha --exit 'packages/*/test/**/*.test.ts' "$@"

if [ "$#" -gt 0 ] || [ "${LLM_SPEED_SKIP_INSTALL_TEST:-}" = "1" ]; then
  echo "test.sh: install test and standalone test skipped (mocha arguments given, or LLM_SPEED_SKIP_INSTALL_TEST=1)"
else
  bash scripts/install-test.sh --no-build
  # The standalone archive (no Node on the user's machine) and install.sh, as a user gets them.
  bash scripts/standalone-test.sh --no-build
fi
