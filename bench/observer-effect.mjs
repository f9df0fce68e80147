#!/usr/bin/env node
// Does measuring change what is measured, and what does measuring cost? (issues 13 and 28)
//
// 1. The ratio. The same W1 request — the suite's W1 prompt, 256 tokens, greedy, no prefix reuse —
//    against fresh, identically started llama-servers, once from a minimal client (a Node process
//    that sends the request and reads the bytes with one reused buffer, nothing else) and once from
//    llm-speed itself (the real CLI: `bench --workload W1`, attached to the server). Each figure is
//    llama-server's OWN prompt_per_second / predicted_per_second, so only what the client process
//    costs the server shows. Both send the same untimed warm-up first. Rounds alternate which
//    client goes first; each round starts two new servers. The ratio llm-speed ÷ minimal is taken
//    within each round (same load) and printed as the median with its interquartile range and a
//    bootstrap 95 % interval of the median, with the machine's load during every round.
//    Target: decode ratio ≥ 0.98 on the 2-core reference machine.
// 2. The pinned variant: llama-server pinned to core 0 (`taskset`, one thread) and each client to
//    core 1, so the client cannot take the server's core: what is left of the gap is not CPU.
// 3. The client's CPU per token (METHODOLOGY §3.5): as each CLI run recorded it in its result
//    (extras.client_cpu_us_per_token: one cold process per run), and warm, in this process, for W1
//    and W4 at batch 16 — targets ≤ 25 µs and ≤ 15 µs — beside the floor: what a process that
//    only reads the same stream spends per token on this machine (Node with a reused buffer;
//    Python with blocking reads, when python3 is installed). These run against a one-thread
//    llama-server (on core 0 when taskset is there): CPU per token grows when tokens come slowly
//    (every wakeup finds colder caches, and background work is spread over fewer tokens), and a
//    two-thread llama.cpp on a loaded 2-core machine decodes anywhere from 4 to 700 tok/s.
//
// Run after `npm run build`: node bench/observer-effect.mjs [rounds=8] [sections=123]
//   (e.g. `node bench/observer-effect.mjs 8 3` prints only the CPU figures)
// Env: LLM_SPEED_BENCH_THREADS (server threads; default: all cores, as the driver spawns it),
//      LLM_SPEED_BENCH_QUANT (default F16), LLM_SPEED_TEST_CACHE_DIR.
import { execFileSync, execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSynthModel } from '../packages/plugin-llamacpp/dist/synth/index.js';
import { spawnServer } from '../packages/plugin-llamacpp/dist/server/spawn.js';
import { llamaCppDriver } from '../packages/plugin-llamacpp/dist/driver.js';
import { clientCpuObserver, sessionNeeds, loadSuite, runWorkload, suitePlans, SUITE_SAMPLING, llamaCppSamplingFields, WARMUP_PROMPT, WARMUP_TOKENS } from '../packages/framework/dist/index.js';

const rounds = Math.max(2, Number(process.argv[2] ?? 8));
const sections = process.argv[3] ?? '123';
const cores = availableParallelism();
const threads = Number(process.env.LLM_SPEED_BENCH_THREADS ?? cores);
const quant = process.env.LLM_SPEED_BENCH_QUANT ?? 'F16';
const cacheDir = process.env.LLM_SPEED_TEST_CACHE_DIR ?? join(tmpdir(), 'llm-speed-test-cache');
const CLI = fileURLToPath(new URL('../packages/cli/bin/run.js', import.meta.url));
const binDir = execFileSync('bash', ['scripts/build-llama-server.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim()
  .split('\n')
  .pop();
const model = await ensureSynthModel({ size: 'tiny', quant, cacheDir, log: () => {} });
const [w1, w4full] = suitePlans(loadSuite('suite-v1'), ['W1', 'W4']);
const w4 = { ...w4full, batchSizes: [16] };
const work = mkdtempSync(join(tmpdir(), 'llm-speed-observer-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'pass'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// ---------------------------------------------------------------------------------------------
// Statistics: median, quartiles (R-7, as METHODOLOGY §3.2's percentiles), bootstrap interval.

const sorted = (xs) => [...xs].sort((a, b) => a - b);
function quantile(xs, q) {
  const s = sorted(xs);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
}
const median = (xs) => quantile(xs, 0.5);
/** 95 % percentile-bootstrap interval of the median (2,000 resamples, fixed seed: the same data print the same interval). */
function bootstrapMedian(xs, resamples = 2000) {
  let seed = 0x9e3779b9;
  const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const medians = [];
  for (let b = 0; b < resamples; b++) medians.push(median(Array.from(xs, () => xs[Math.floor(random() * xs.length)])));
  return [quantile(medians, 0.025), quantile(medians, 0.975)];
}
const f = (x, digits = 1) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x.toFixed(digits));
function spread(xs, digits = 3) {
  const [lo, hi] = bootstrapMedian(xs);
  return `median ${f(median(xs), digits)}, IQR ${f(quantile(xs, 0.25), digits)}–${f(quantile(xs, 0.75), digits)}, 95 % interval of the median ${f(lo, digits)}–${f(hi, digits)} (n = ${xs.length})`;
}

// ---------------------------------------------------------------------------------------------
// The machine's load during a round: busy share of all cores from /proc/stat, and the 1-minute load average.

function cpuTimes() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = line[3] + (line[4] ?? 0);
    return { idle, total: line.reduce((s, v) => s + v, 0) };
  } catch {
    return undefined;
  }
}
function machineLoad(before, after) {
  const busy = before && after && after.total > before.total ? (1 - (after.idle - before.idle) / (after.total - before.total)) * cores : undefined;
  return `machine busy ${busy === undefined ? '–' : busy.toFixed(2)}/${cores} cores, load ${loadavg()[0].toFixed(1)}`;
}

// ---------------------------------------------------------------------------------------------
// The clients.

const requestBody = (prompt, nPredict) =>
  JSON.stringify({ prompt, n_predict: nPredict, ignore_eos: true, cache_prompt: false, stream: true, return_tokens: true, ...llamaCppSamplingFields(SUITE_SAMPLING), samplers: ['top_k'] });

/**
 * The minimal Node client, run as its own process: one request per connection, the socket read
 * into one reused buffer (net `onread`), the bytes copied aside and parsed only after the stream
 * ended. It reports llama-server's final timings and its own CPU per token over the W1 request.
 */
const MINIMAL_NODE = `
import net from 'node:net';
const [url, warm, w1] = JSON.parse(process.argv[1]);
const { hostname, port } = new URL(url);
const buffer = Buffer.allocUnsafe(65536);
const post = (body) => new Promise((resolve, reject) => {
  const parts = [];
  const socket = net.connect({ host: hostname, port: Number(port), onread: { buffer, callback: (n) => void parts.push(Buffer.from(buffer.subarray(0, n))) } },
    () => socket.write('POST /completion HTTP/1.1\\r\\nHost: ' + hostname + '\\r\\nContent-Type: application/json\\r\\nConnection: close\\r\\nContent-Length: ' + Buffer.byteLength(body) + '\\r\\n\\r\\n' + body));
  socket.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  socket.on('error', reject);
});
await post(warm.body);
const cpu0 = process.cpuUsage();
const text = await post(w1.body);
const cpu = process.cpuUsage(cpu0);
const last = text.split('\\n').filter((l) => l.startsWith('data: ')).pop();
const timings = JSON.parse(last.slice(6)).timings;
console.log(JSON.stringify({ timings, cpuPerToken: (cpu.user + cpu.system) / w1.tokens }));
`;

/** The same in Python with blocking reads (no event loop at all): the floor of this machine. */
const MINIMAL_PYTHON = `
import json, resource, socket, sys
url, warm, w1 = json.loads(sys.argv[1])
host, port = url.replace('http://', '').split(':')
def post(body):
    s = socket.create_connection((host, int(port)))
    data = body.encode()
    s.sendall(('POST /completion HTTP/1.1\\r\\nHost: %s\\r\\nContent-Type: application/json\\r\\nConnection: close\\r\\nContent-Length: %d\\r\\n\\r\\n' % (host, len(data))).encode() + data)
    parts = []
    while True:
        d = s.recv(65536)
        if not d: break
        parts.append(d)
    s.close()
    return b''.join(parts).decode('utf8', 'replace')
post(warm['body'])
r0 = resource.getrusage(resource.RUSAGE_SELF)
text = post(w1['body'])
r1 = resource.getrusage(resource.RUSAGE_SELF)
last = [l for l in text.split('\\n') if l.startswith('data: ')][-1]
cpu = (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1e6
print(json.dumps({'timings': json.loads(last[6:])['timings'], 'cpuPerToken': cpu / w1['tokens']}))
`;

const pinned = (core, command, args) => (core === undefined ? [command, args] : ['taskset', ['-c', String(core), command, ...args]]);

function runChild(command, args, env = process.env) {
  return new Promise((resolve, reject) =>
    execFile(command, args, { env, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout))),
  );
}

function minimalClient(language, core) {
  return async (baseUrl) => {
    const spec = JSON.stringify([baseUrl, { body: requestBody(WARMUP_PROMPT, WARMUP_TOKENS) }, { body: requestBody(w1.prompt, w1.outputTokens), tokens: w1.outputTokens }]);
    const [command, args] = language === 'python' ? pinned(core, 'python3', ['-c', MINIMAL_PYTHON, spec]) : pinned(core, process.execPath, ['--input-type=module', '-e', MINIMAL_NODE, spec]);
    const out = JSON.parse((await runChild(command, args)).trim().split('\n').pop());
    return { ...out.timings, client_cpu_us_per_token: out.cpuPerToken };
  };
}

function llmSpeedClient(core) {
  return async (baseUrl) => {
    const dir = mkdtempSync(join(work, 'cli-'));
    const out = join(dir, 'run.json');
    const env = { ...process.env, LLM_SPEED_CACHE_DIR: cacheDir, LLM_SPEED_CONFIG_DIR: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
    const [command, args] = pinned(core, process.execPath, [CLI, 'bench', '--workload', 'W1', '--llama-cpp-url', baseUrl, '--no-upload', '--json', out]);
    await runChild(command, args, env);
    const result = JSON.parse(readFileSync(out, 'utf8')).results[0];
    if (result.error) throw new Error(result.error);
    return {
      prompt_per_second: result.extras.prompt_per_second,
      predicted_per_second: result.extras.predicted_per_second,
      client_decode: result.decode_tps,
      client_cpu_us_per_token: result.extras.client_cpu_us_per_token,
    };
  };
}

/** llama-server started through a wrapper that pins it to one core (spawnServer runs any binary it is given). */
function pinnedServerBinary(core) {
  const wrapper = join(work, `llama-server-core${core}.sh`);
  if (!existsSync(wrapper)) {
    writeFileSync(wrapper, `#!/bin/sh\nexec taskset -c ${core} '${join(binDir, 'llama-server')}' "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  return wrapper;
}

async function onFreshServer(client, { serverCore, serverThreads = threads, parallel = 1, contextTokens = 1024 } = {}) {
  const binary = serverCore === undefined ? join(binDir, 'llama-server') : pinnedServerBinary(serverCore);
  const server = await spawnServer({ binary, model, contextTokens, parallel, threads: serverThreads, signal: new AbortController().signal });
  try {
    return await client(server.baseUrl);
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 1 and 2: the ratio, interleaved, unpinned and pinned.

async function ratioRounds(label, n, placement) {
  console.log(`\n${label}`);
  const rows = [];
  for (let round = 0; round < n; round++) {
    const order = round % 2 === 0 ? ['minimal', 'llmSpeed'] : ['llmSpeed', 'minimal'];
    const seen = {};
    const before = cpuTimes();
    for (const who of order) {
      const client = who === 'minimal' ? minimalClient('node', placement.clientCore) : llmSpeedClient(placement.clientCore);
      seen[who] = await onFreshServer(client, placement);
    }
    const load = machineLoad(before, cpuTimes());
    const row = {
      decode: seen.llmSpeed.predicted_per_second / seen.minimal.predicted_per_second,
      prompt: seen.llmSpeed.prompt_per_second / seen.minimal.prompt_per_second,
      clientVsServer: seen.llmSpeed.client_decode / seen.llmSpeed.predicted_per_second,
      llmSpeedCpu: seen.llmSpeed.client_cpu_us_per_token,
      minimalCpu: seen.minimal.client_cpu_us_per_token,
    };
    rows.push(row);
    console.log(
      `round ${String(round + 1).padStart(2)} (${order[0] === 'minimal' ? 'minimal first ' : 'llm-speed first'}): ` +
        `decode ${f(seen.minimal.predicted_per_second)} / ${f(seen.llmSpeed.predicted_per_second)} tok/s (${f(row.decode, 3)}), ` +
        `prompt ${f(seen.minimal.prompt_per_second, 0)} / ${f(seen.llmSpeed.prompt_per_second, 0)} tok/s (${f(row.prompt, 3)}) · ` +
        `client CPU ${f(row.minimalCpu)} / ${f(row.llmSpeedCpu)} µs per token · ${load}`,
    );
  }
  console.log(`  (minimal / llm-speed; ratio llm-speed ÷ minimal; llama-server's own rates)`);
  console.log(`llama-server's own decode, llm-speed ÷ minimal: ${spread(rows.map((r) => r.decode))} (target ≥ 0.98)`);
  console.log(`llama-server's own prompt, llm-speed ÷ minimal: ${spread(rows.map((r) => r.prompt))}`);
  console.log(`llm-speed's client decode ÷ llama-server's own (same runs): ${spread(rows.map((r) => r.clientVsServer))}`);
  return rows;
}

console.log(`model: synthetic tiny ${quant}, W1 (${w1.outputTokens} tokens), ${cores} cores, fresh servers every run`);
if (sections.includes('1')) await ratioRounds(`1. Both on any core: llama-server ${threads} threads, ${rounds} rounds`, rounds, {});
if (!sections.includes('2')) {
  // skipped on request
} else if (!hasTaskset) console.log('\n2. Pinned: skipped, taskset is not available on this machine');
else if (cores < 2) console.log('\n2. Pinned: skipped, it needs two cores');
else await await ratioRounds(`2. Pinned: llama-server on core 0 (1 thread), each client on core 1, ${rounds} rounds`, rounds, { serverCore: 0, serverThreads: 1, clientCore: 1 });

// ---------------------------------------------------------------------------------------------
// 3. CPU per token: as recorded by each CLI run, warm in this process (W1, W4 batch 16), and the floors.

/** Runs a workload `repeats` times in this process against one server, through the attached driver, reading the figure the CLI records. */
/** The server for the CPU figures: one thread, on core 0 when it can be pinned (see 3. above). */
const cpuServer = hasTaskset && cores >= 2 ? { serverCore: 0, serverThreads: 1 } : { serverThreads: 1 };

async function inProcess(plan, repeats) {
  return onFreshServer(
    async (baseUrl) => {
      const session = await llamaCppDriver.open(undefined, sessionNeeds([plan]), {
        config: { llama_cpp_url: baseUrl },
        cacheDir,
        env: { PATH: '' },
        signal: new AbortController().signal,
        log: () => {},
      });
      const figures = [];
      try {
        for (let i = 0; i < repeats; i++) {
          const r = await runWorkload(
            { suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'llama.cpp', session, signal: new AbortController().signal, observers: [clientCpuObserver()] },
            plan,
          );
          if (r.error) throw new Error(r.error);
          figures.push({ usPerToken: r.extras.client_cpu_us_per_token, share: r.extras.client_cpu_core_share });
        }
      } finally {
        await session.close();
      }
      return figures;
    },
    { ...sessionNeeds([plan]), ...cpuServer },
  );
}

if (sections.includes('3')) {
  const pin = hasTaskset && cores >= 2;
  console.log(
    `\n3. Client CPU per token (process CPU over the timed part ÷ tokens; METHODOLOGY §3.5), ${rounds} runs each, one-thread llama-server` +
      (pin ? ' on core 0, every client on core 1' : ' (taskset unavailable: nothing pinned)'),
  );
  // This process and every client it starts on core 1, the server on core 0: the same placement for every figure below.
  if (pin) execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const clientCore = pin ? 1 : undefined;
  const recorded = [];
  const floors = { node: [], python: [] };
  for (let i = 0; i < rounds; i++) {
    recorded.push((await onFreshServer(llmSpeedClient(clientCore), cpuServer)).client_cpu_us_per_token);
    floors.node.push((await onFreshServer(minimalClient('node', clientCore), cpuServer)).client_cpu_us_per_token);
    if (hasPython) floors.python.push((await onFreshServer(minimalClient('python', clientCore), cpuServer)).client_cpu_us_per_token);
  }
  console.log(`W1 as the CLI records it (extras.client_cpu_us_per_token; a cold process each): ${spread(recorded, 1)} µs (target ≤ 25)`);
  console.log(`floor: a Node process that only reads the W1 stream (one reused buffer; cold, like the CLI): ${spread(floors.node, 1)} µs`);
  if (hasPython) console.log(`floor: a Python process that only reads it (blocking reads): ${spread(floors.python, 1)} µs`);
  else console.log('floor (Python): skipped, python3 is not installed');
  console.log(
    `llm-speed over the Node floor, run by run: ${spread(
      recorded.map((r, i) => r - floors.node[i]),
      1,
    )} µs`,
  );
  const warmW1 = await inProcess(w1, rounds);
  console.log(
    `W1, warm (the same workload again in one process): ${spread(
      warmW1.map((x) => x.usPerToken),
      1,
    )} µs (target ≤ 25); share of one core ${f(median(warmW1.map((x) => x.share)) * 100)} %`,
  );
  const warmW4 = await inProcess(w4, Math.min(rounds, 5));
  console.log(
    `W4 batch 16, warm: ${spread(
      warmW4.map((x) => x.usPerToken),
      1,
    )} µs (target ≤ 15); share of one core ${f(median(warmW4.map((x) => x.share)) * 100)} %`,
  );
}
console.log(
  `machine at the end: load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')} (1, 5, 15 min) on ${cores} cores`,
);
