#!/usr/bin/env bash
# Installs llm-speed as a user gets it, outside the monorepo, and uses it (called from
# scripts/test.sh; runnable alone). Packs every package (scripts/pack-all.mjs), serves the packed
# @llm-speed/* packages and the CLI from a stand-in registry on 127.0.0.1 that passes everything
# else through to the real one (scripts/local-registry.mjs), then, with a temp HOME and from a
# temp folder: `npm install -g llm-speed`, --version, detect, bench --quick, validate, config init, help, verify,
# a third-party driver built from templates/driver-plugin (installed, then linked), and npm's own
# reason when a plugin install fails. Then the driver kit before the framework is published, both
# paths exactly as docs/DRIVERS.md §7.1 writes them, with npm seeing only the real registry (where
# no @llm-speed package is): the framework tarball installed with `npm install --save-dev` (it
# must be self-contained), and `npm pack && LLM_SPEED_NPM_REGISTRY=<stand-in> llm-speed plugins
# install file:…` with the framework as a peer. Prints the install's size and time.
#
#   bash scripts/install-test.sh [--no-build]     (LLM_SPEED_INSTALL_TEST_KEEP=1 keeps the temp folder)
#
# Needs the npm registry (third-party packages; the npm cache makes repeat runs fast) and git.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
PACK_ARGS=()
[ "${1:-}" = "--no-build" ] && PACK_ARGS+=(--no-build)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/llm-speed-install-test.XXXXXX")"
REGISTRY_PID=""
NPM_CACHE=""
# The npx installs this run made under <cache>/_npx (newer than the list taken before them).
new_npx_dirs() { ls "$NPM_CACHE/_npx" 2>/dev/null | sort | comm -13 "$WORK/logs/npx-before.txt" - || true; }
cleanup() {
  if [ -n "$REGISTRY_PID" ]; then kill "$REGISTRY_PID" 2>/dev/null || true; wait "$REGISTRY_PID" 2>/dev/null || true; fi
  if [ -n "$NPM_CACHE" ] && [ -f "$WORK/logs/npx-before.txt" ]; then
    for dir in $(new_npx_dirs); do rm -rf "${NPM_CACHE:?}/_npx/$dir"; done
  fi
  if [ "${LLM_SPEED_INSTALL_TEST_KEEP:-}" = "1" ]; then echo "install-test: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
mkdir -p "$WORK/logs" "$WORK/home" "$WORK/run" "$WORK/prefix"

# step / expect: scripts/test-steps.sh (shared with standalone-test.sh).
# shellcheck source=scripts/test-steps.sh
source "$REPO/scripts/test-steps.sh"
STEP_PREFIX=install-test
STEP_LOGS="$WORK/logs"

# Read before HOME moves: the real npm cache (repeat runs download nothing) and registry.
NPM_CACHE="$(npm config get cache)"
UPSTREAM="$(npm config get registry)"
HEAD_COMMIT="$(git -C "$REPO" rev-parse HEAD)"
VERSION="$(node -p "require('$REPO/packages/cli/package.json').version")"
FW_VERSION="$(node -p "require('$REPO/packages/framework/package.json').version")"

step "pack every package (npm run pack:all)" node "$REPO/scripts/pack-all.mjs" --out "$WORK/packages" ${PACK_ARGS[@]+"${PACK_ARGS[@]}"}
cat "$OUT"
step "every source module compiled into its tarball" node "$REPO/scripts/check-packed-outputs.mjs" "$WORK/packages"

# As DRIVERS.md §7.1 starts it: no --upstream, so npm's configured registry ($UPSTREAM) serves the rest.
node "$REPO/scripts/local-registry.mjs" --dir "$WORK/packages" >"$WORK/registry.url" 2>"$WORK/logs/registry.err" &
REGISTRY_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/registry.url" ] && break; sleep 0.1; done
REGISTRY="$(head -n 1 "$WORK/registry.url")"
[ -n "$REGISTRY" ] || { echo "install-test: the stand-in registry did not start:" >&2; cat "$WORK/logs/registry.err" >&2; exit 1; }

# From here on: a user's machine. Nothing of this checkout's or this user's configuration leaks in.
export HOME="$WORK/home"
unset XDG_CONFIG_HOME XDG_CACHE_HOME XDG_DATA_HOME LLM_SPEED_TEST_CACHE_DIR
for var in $(env | grep -o '^LLM_SPEED_[A-Z_]*' || true); do unset "$var"; done
export npm_config_registry="$REGISTRY" npm_config_cache="$NPM_CACHE" npm_config_userconfig="$HOME/.npmrc"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export PATH="$WORK/prefix/bin:$PATH" NO_COLOR=1
cd "$WORK/run"

# npx keeps its installs under <cache>/_npx/<hash>; the one made here is removed again.
ls "$NPM_CACHE/_npx" 2>/dev/null | sort >"$WORK/logs/npx-before.txt" || true
step "npx llm-speed@$VERSION --version" npx --yes "llm-speed@$VERSION" --version
NPX_DIRS="$(new_npx_dirs)"
expect "npx: prints llm-speed/$VERSION, without GPU builds" "
  import { existsSync, readdirSync, readFileSync } from 'node:fs';
  if (!readFileSync(process.env.OUT, 'utf8').startsWith('llm-speed/$VERSION ')) throw new Error('unexpected version line');
  if (!'$NPX_DIRS'.trim()) throw new Error('npx installed nothing new under $NPM_CACHE/_npx');
  for (const hash of '$NPX_DIRS'.split(/\s+/).filter(Boolean)) {
    const dir = '$NPM_CACHE/_npx/' + hash + '/node_modules/@node-llama-cpp';
    const gpu = existsSync(dir) ? readdirSync(dir).filter((b) => /-(cuda|cuda-ext|vulkan)$/.test(b)) : [];
    if (gpu.length) throw new Error('npx installed ' + gpu.join(', '));
  }"
for dir in $NPX_DIRS; do rm -rf "${NPM_CACHE:?}/_npx/$dir"; done

started=$SECONDS
step "npm install -g llm-speed@$VERSION" npm install -g --prefix "$WORK/prefix" "llm-speed@$VERSION"
INSTALL_SECONDS=$((SECONDS - started))
INSTALLED="$WORK/prefix/lib/node_modules/llm-speed"
INSTALL_KB="$(du -sk "$WORK/prefix" | cut -f1)"
ADDED="$(grep -o 'added [0-9]* packages' "$OUT" | head -n 1 || true)"
expect "node-llama-cpp's GPU builds are not installed" "
  import { existsSync, readdirSync } from 'node:fs';
  const dir = '$INSTALLED/node_modules/@node-llama-cpp';
  const builds = existsSync(dir) ? readdirSync(dir) : [];
  const gpu = builds.filter((b) => /-(cuda|cuda-ext|vulkan)$/.test(b));
  if (gpu.length) throw new Error('installed anyway: ' + gpu.join(', '));
  if (process.platform === 'linux' && process.arch === 'x64' && !builds.includes('linux-x64')) throw new Error('the CPU build linux-x64 is missing: ' + builds.join(', '));"

step "npm ls -g (no missing, invalid or circular package)" npm ls -g --prefix "$WORK/prefix" --all --json
expect "no package depends on itself through another" "
  import { readFileSync } from 'node:fs';
  const tree = JSON.parse(readFileSync(process.env.OUT, 'utf8'));
  const cycles = [];
  const walk = (deps, above) => { for (const [name, node] of Object.entries(deps ?? {})) {
    if (above.includes(name)) cycles.push([...above, name].join(' > '));
    else walk(node.dependencies, [...above, name]);
  } };
  walk(tree.dependencies, []);
  if (cycles.length) throw new Error(cycles.join('\n'));"
npm ls -g --prefix "$WORK/prefix" --depth=1 >"$WORK/logs/npm-ls.txt" 2>&1 || true

step "llm-speed --version" llm-speed --version
expect "prints llm-speed/$VERSION" "
  import { readFileSync } from 'node:fs';
  if (!readFileSync(process.env.OUT, 'utf8').startsWith('llm-speed/$VERSION ')) throw new Error('unexpected version line');"

step "llm-speed detect --json" llm-speed detect --json
expect "the bundled drivers answer; llama.cpp is available" "
  import { readFileSync } from 'node:fs';
  const report = JSON.parse(readFileSync(process.env.OUT, 'utf8'));
  const names = report.drivers.map((d) => d.name);
  for (const n of ['llama.cpp', 'ollama', 'vllm', 'mlx', 'exllamav2', 'hosted-api', 'openai-compat']) if (!names.includes(n)) throw new Error('missing driver ' + n + ' in ' + names);
  if (!report.drivers.find((d) => d.name === 'llama.cpp').available) throw new Error('llama.cpp unavailable');
  const compat = report.drivers.find((d) => d.name === 'openai-compat');
  if (compat.available || !/^not configured: set drivers.openai-compat.base_url/.test(compat.reason)) throw new Error('openai-compat: ' + JSON.stringify(compat));"

started=$SECONDS
step "llm-speed bench --quick --no-upload --json out.json" llm-speed bench --quick --no-upload --json out.json
BENCH_SECONDS=$((SECONDS - started))
expect "out.json holds a run on llama.cpp with tokens measured" "
  import { readFileSync } from 'node:fs';
  const run = JSON.parse(readFileSync('out.json', 'utf8'));
  const results = run.payload?.results ?? run.results ?? [];
  if (!results.length) throw new Error('no results in out.json: ' + Object.keys(run));
  if (!results.some((r) => r.decode_tps > 0)) throw new Error('no decode_tps > 0');"
ENGINE="$(node -e "const r=JSON.parse(require('fs').readFileSync('out.json','utf8'));const x=(r.payload?.results??r.results)[0];console.log((x.extras&&x.extras.engine)||'?', x.backend_version||'')")"

step "llm-speed validate out.json" llm-speed validate out.json

step "llm-speed config init (the commented example config)" llm-speed config init
step "llm-speed validate llm-speed.config.yaml" llm-speed validate llm-speed.config.yaml
expect "the written config is a valid, empty config" "
  import { readFileSync } from 'node:fs';
  if (!/: valid config/.test(readFileSync(process.env.OUT, 'utf8'))) throw new Error('not a valid config');"
rm -f llm-speed.config.yaml
step "llm-speed help bench" llm-speed help bench

step "llm-speed verify --json" llm-speed verify --json
expect "the commit packed from, and the shrinkwrap's SHA-256" "
  import { createHash } from 'node:crypto';
  import { readFileSync } from 'node:fs';
  const info = JSON.parse(readFileSync(process.env.OUT, 'utf8'));
  const sha = createHash('sha256').update(readFileSync('$INSTALLED/npm-shrinkwrap.json')).digest('hex');
  const packed = createHash('sha256').update(readFileSync('$WORK/packages/llm-speed.npm-shrinkwrap.json')).digest('hex');
  const want = { version: '$VERSION', commit: '$HEAD_COMMIT', commit_source: 'build-info', dependencies_sha256: sha, dependencies_source: 'npm-shrinkwrap.json' };
  for (const [k, v] of Object.entries(want)) if (info[k] !== v) throw new Error(k + ': ' + info[k] + ' (expected ' + v + ')');
  if (sha !== packed) throw new Error('the installed shrinkwrap is not the packed one');"
step "llm-speed verify (text)" llm-speed verify
cat "$OUT"

# A third-party driver, as its author builds it: the template, with the framework from the registry.
cp -R "$REPO/templates/driver-plugin" "$WORK/echo-driver"
rm -rf "$WORK/echo-driver/node_modules" "$WORK/echo-driver/dist" "$WORK/echo-driver/package-lock.json"
cd "$WORK/echo-driver"
step "template: npm install (framework from the registry)" npm install
step "template: npm test (the driver contract suite)" npm test
step "template: npm pack" npm pack --json
ECHO_TGZ="$WORK/echo-driver/$(OUT="$OUT" node -e "console.log(JSON.parse(require('fs').readFileSync(process.env.OUT,'utf8'))[0].filename)")"
cd "$WORK/run"
step "llm-speed plugins install file:<echo driver tarball>" llm-speed plugins install "file:$ECHO_TGZ"
step "llm-speed detect --json (lists the installed driver)" llm-speed detect --json
expect "detect lists echo" "
  import { readFileSync } from 'node:fs';
  const report = JSON.parse(readFileSync(process.env.OUT, 'utf8'));
  const echo = report.drivers.find((d) => d.name === 'echo');
  if (!echo) throw new Error('no echo row: ' + report.drivers.map((d) => d.name));
  if (echo.plugin !== 'llm-speed-plugin-echo') throw new Error('echo comes from ' + echo.plugin);"
step "llm-speed plugins uninstall llm-speed-plugin-echo" llm-speed plugins uninstall llm-speed-plugin-echo
step "llm-speed plugins link <freshly installed template>" llm-speed plugins link "$WORK/echo-driver"
step "llm-speed detect --json (lists the linked driver)" llm-speed detect --json
expect "detect lists echo" "
  import { readFileSync } from 'node:fs';
  if (!JSON.parse(readFileSync(process.env.OUT, 'utf8')).drivers.some((d) => d.name === 'echo')) throw new Error('no echo row');"

# The template built against this checkout's framework (the documented path before a release).
cp -R "$REPO/templates/driver-plugin" "$WORK/echo-monorepo"
rm -rf "$WORK/echo-monorepo/node_modules" "$WORK/echo-monorepo/dist" "$WORK/echo-monorepo/package-lock.json"
cd "$WORK/echo-monorepo"
step "template: npm install --save-dev <checkout>/packages/framework" npm install --save-dev "$REPO/packages/framework"
step "template (checkout framework): npm test" npm test
cd "$WORK/run"

# The driver kit before the framework is published (DRIVERS.md §7.1), each command as written there.
# npm sees the real registry only: no @llm-speed package is on it, so nothing may come from there.
step "llm-speed plugins unlink llm-speed-plugin-echo" llm-speed plugins unlink llm-speed-plugin-echo
cp -R "$REPO/templates/driver-plugin" "$WORK/echo-prerelease"
rm -rf "$WORK/echo-prerelease/node_modules" "$WORK/echo-prerelease/dist" "$WORK/echo-prerelease/package-lock.json"
cd "$WORK/echo-prerelease"
FW_TGZ="$WORK/packages/llm-speed-framework-$FW_VERSION.tgz"
step "unpublished: npm install --save-dev …/llm-speed-framework-$FW_VERSION.tgz" env npm_config_registry="$UPSTREAM" npm install --save-dev "$FW_TGZ"
expect "the framework tarball brought its schemas (bundled, not fetched)" "
  import { existsSync, readFileSync } from 'node:fs';
  const fw = 'node_modules/@llm-speed/framework';
  if (JSON.parse(readFileSync(fw + '/package.json', 'utf8')).version !== '$FW_VERSION') throw new Error('not framework $FW_VERSION');
  if (!existsSync(fw + '/node_modules/@llm-speed/schemas/run.schema.json')) throw new Error('@llm-speed/schemas is not bundled in the framework');
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
  const entry = lock.packages['node_modules/@llm-speed/framework/node_modules/@llm-speed/schemas'];
  if (!entry || !entry.inBundle) throw new Error('the lockfile does not take @llm-speed/schemas from the bundle: ' + JSON.stringify(entry));"
step "unpublished: npm test (the contract suite against the tarball's framework)" env npm_config_registry="$UPSTREAM" npm test
step "unpublished: npm pack" env npm_config_registry="$UPSTREAM" npm pack --json
PRE_TGZ="$WORK/echo-prerelease/$(OUT="$OUT" node -e "console.log(JSON.parse(require('fs').readFileSync(process.env.OUT,'utf8'))[0].filename)")"
cd "$WORK/run"
# What DRIVERS.md says happens without the stand-in registry: npm cannot fetch the peer.
if env npm_config_registry="$UPSTREAM" llm-speed plugins install "file:$PRE_TGZ" >"$WORK/logs/peer.out" 2>"$WORK/logs/peer.err"; then
  echo "install-test: installing a plugin whose peer framework is unpublished succeeded without a registry that has it" >&2; exit 1
fi
OUT="$WORK/logs/peer.out" ERR="$WORK/logs/peer.err"
expect "unpublished, no stand-in: E404 on the peer @llm-speed/framework" "
  import { readFileSync } from 'node:fs';
  const err = readFileSync(process.env.ERR, 'utf8');
  if (!/E404/.test(err) || !err.includes('@llm-speed/framework')) throw new Error('stderr lacks the E404 on @llm-speed/framework');"
step "unpublished: LLM_SPEED_NPM_REGISTRY=<stand-in> llm-speed plugins install file:…tgz" env npm_config_registry="$UPSTREAM" LLM_SPEED_NPM_REGISTRY="$REGISTRY" llm-speed plugins install "file:$PRE_TGZ"
step "llm-speed detect --json (lists the driver built on the unpublished framework)" llm-speed detect --json
expect "detect lists echo, from the plugin" "
  import { readFileSync } from 'node:fs';
  const echo = JSON.parse(readFileSync(process.env.OUT, 'utf8')).drivers.find((d) => d.name === 'echo');
  if (!echo || echo.plugin !== 'llm-speed-plugin-echo') throw new Error('no echo row from llm-speed-plugin-echo');"
step "llm-speed plugins uninstall llm-speed-plugin-echo" llm-speed plugins uninstall llm-speed-plugin-echo

if llm-speed plugins install "file:$WORK/no-such-driver.tgz" >"$WORK/logs/fail.out" 2>"$WORK/logs/fail.err"; then
  echo "install-test: installing a missing tarball succeeded" >&2; exit 1
fi
OUT="$WORK/logs/fail.out" ERR="$WORK/logs/fail.err"
expect "a failed plugins install shows npm's own reason" "
  import { readFileSync } from 'node:fs';
  const err = readFileSync(process.env.ERR, 'utf8');
  if (!/npm error .*ENOENT/.test(err) || !err.includes('no-such-driver.tgz')) throw new Error('stderr lacks npm\\'s reason');"

echo
echo "install-test: npm ls -g --depth=1:"
cat "$WORK/logs/npm-ls.txt"
echo
echo "install-test: passed. npm install -g llm-speed: ${INSTALL_SECONDS} s, $((INSTALL_KB / 1024)) MB on disk, ${ADDED:-added ? packages}; bench --quick: ${BENCH_SECONDS} s (engine: ${ENGINE})"
