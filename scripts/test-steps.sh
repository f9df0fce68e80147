#!/usr/bin/env bash
# Shared by the user-level test scripts (install-test.sh, standalone-test.sh), sourced, not run.
# Set STEP_PREFIX (the script's name in its output) and STEP_LOGS (a folder) first.
#
# step NAME CMD...   runs CMD with stdout in $OUT and stderr in $ERR; on failure prints both and exits.
# expect NAME JS     a check in node over the previous step's output (OUT/ERR in process.env).
STEP=0
step() {
  local name="$1"; shift
  STEP=$((STEP + 1))
  OUT="$STEP_LOGS/$(printf '%02d' "$STEP").out"
  ERR="$STEP_LOGS/$(printf '%02d' "$STEP").err"
  printf '%s: %-58s' "$STEP_PREFIX" "$name"
  local started=$SECONDS
  if "$@" >"$OUT" 2>"$ERR"; then
    echo " ok ($((SECONDS - started)) s)"
  else
    local code=$?
    echo " FAILED (exit $code)"
    echo "--- command: $*" >&2
    echo "--- stdout (last 60 lines):" >&2; tail -n 60 "$OUT" >&2
    echo "--- stderr (last 60 lines):" >&2; tail -n 60 "$ERR" >&2
    exit 1
  fi
}
expect() {
  local name="$1" script="$2"
  printf '%s:   %-56s' "$STEP_PREFIX" "$name"
  if OUT="$OUT" ERR="$ERR" node --input-type=module -e "$script" >"$STEP_LOGS/check.out" 2>&1; then
    echo " ok"
  else
    echo " FAILED"
    cat "$STEP_LOGS/check.out" >&2
    echo "--- checked output (last 40 lines):" >&2; tail -n 40 "$OUT" >&2
    exit 1
  fi
}
