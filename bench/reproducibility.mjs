#!/usr/bin/env node
// Reproducibility (issue 22; METHODOLOGY §7.2): runs the full default suite (`llm-speed bench`,
// every workload repeated as METHODOLOGY §6.3 says) two or more times back to back on this machine
// and prints, per workload and figure, each run's median with its 95 % interval and repetitions,
// the ratio of consecutive runs' medians, whether that ratio is inside the promise of §7.2 (decode
// within ~5 %, TTFT within ~10 %), and whether each median falls inside the other run's interval.
// Beside each run: its whole-command time, the machine's load average before and after, and how
// busy the CPUs were while it ran (all processes, llm-speed and the backend included).
//
// Run after `npm run build`:
//   node bench/reproducibility.mjs [--runs N] [extra bench flags...]
//   node bench/reproducibility.mjs --llama-cpp-path "$(bash scripts/build-llama-server.sh | tail -1)"
// Extra flags go to every `llm-speed bench` (e.g. --backend, --model, --reps, --suite, --workload).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The promise of METHODOLOGY §7.2, per figure: the largest |ratio − 1| a re-run may show. */
export const PROMISE = { decode_tps: 0.05, ttft_ms: 0.1 };
export const FIGURES = [
  ['decode_tps', 'decode/s'],
  ['ttft_ms', 'TTFT ms'],
  ['prefill_tps', 'prefill/s'],
];

/** A figure of a result with its spread; a result from an older CLI (no spread) is one repetition, a point. */
export function figureOf(result, key) {
  const spread = result.spread?.[key];
  const median = spread?.median ?? result[key] ?? null;
  return { median, low: spread?.ci_low ?? null, high: spread?.ci_high ?? null, n: spread?.n ?? result.repetitions ?? 1 };
}

/** Whether `value` lies in the interval of `figure` (unknown without one). */
export function inside(value, figure) {
  if (value === null || figure.low === null || figure.high === null) return null;
  return value >= figure.low && value <= figure.high;
}

/** One row per workload and figure for two runs `a` and `b`. */
export function compareRuns(a, b) {
  const rows = [];
  for (const ra of a.results) {
    const rb = b.results.find((r) => r.workload === ra.workload);
    if (!rb) continue;
    for (const [key, label] of FIGURES) {
      const fa = figureOf(ra, key);
      const fb = figureOf(rb, key);
      const ratio = fa.median && fb.median !== null ? fb.median / fa.median : null;
      const band = PROMISE[key];
      rows.push({
        workload: ra.workload,
        figure: label,
        a: fa,
        b: fb,
        ratio,
        withinPromise: band === undefined || ratio === null ? null : Math.abs(ratio - 1) <= band,
        band,
        aInB: inside(fa.median, fb),
        bInA: inside(fb.median, fa),
        flags: [...new Set([...ra.flags, ...rb.flags].filter((f) => f === 'noisy' || f === 'warm-cache' || f === 'harness-gap'))],
      });
    }
  }
  return rows;
}

const num = (v) => (v === null || v === undefined ? '–' : v >= 1000 ? v.toFixed(0) : v.toFixed(1));
const yesNo = (v) => (v === null ? '–' : v ? 'yes' : 'NO');
const describe = (f) => `${num(f.median)} (${f.low === null ? 'no CI' : `${num(f.low)}–${num(f.high)}`}, n=${f.n})`;

export function renderRows(rows, names = ['A', 'B']) {
  const header = [
    'workload',
    'figure',
    `${names[0]} median (95 % CI, n)`,
    `${names[1]} median (95 % CI, n)`,
    `${names[1]}/${names[0]}`,
    'promise',
    `${names[0]} in ${names[1]}'s CI`,
    `${names[1]} in ${names[0]}'s CI`,
    'flags',
  ];
  const body = rows.map((r) => [
    r.workload,
    r.figure,
    describe(r.a),
    describe(r.b),
    r.ratio === null ? '–' : r.ratio.toFixed(3),
    r.band === undefined ? '(none)' : `${yesNo(r.withinPromise)} ±${r.band * 100}%`,
    yesNo(r.aInB),
    yesNo(r.bInA),
    r.flags.join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  return [header, ...body]
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The CPUs' busy time between two os.cpus() readings, as a share of all of them. */
function busyShare(before, after) {
  let busy = 0;
  let total = 0;
  after.forEach((cpu, i) => {
    const b = before[i]?.times;
    if (!b) return;
    const d = Object.fromEntries(Object.entries(cpu.times).map(([k, v]) => [k, v - (b[k] ?? 0)]));
    const all = Object.values(d).reduce((s, v) => s + v, 0);
    busy += all - d.idle;
    total += all;
  });
  return total > 0 ? busy / total : null;
}

function main() {
  const bin = fileURLToPath(new URL('../packages/cli/bin/run.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'llm-speed-repro-'));
  const args = process.argv.slice(2);
  let runs = 2;
  const runsAt = args.indexOf('--runs');
  if (runsAt >= 0) {
    runs = Number(args[runsAt + 1]);
    args.splice(runsAt, 2);
    if (!Number.isInteger(runs) || runs < 2 || runs > 10) {
      console.error('--runs takes a whole number from 2 to 10');
      process.exit(2);
    }
  }
  const names = Array.from({ length: runs }, (_, i) => String.fromCharCode(65 + i));
  try {
    const done = [];
    for (const name of names) {
      const out = join(dir, `${name}.json`);
      const loadBefore = loadavg()[0];
      const cpuBefore = cpus();
      const started = process.hrtime.bigint();
      execFileSync(process.execPath, [bin, 'bench', '--no-upload', '--json', out, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const busy = busyShare(cpuBefore, cpus());
      done.push({ name, run: JSON.parse(readFileSync(out, 'utf8')), seconds, loadBefore, loadAfter: loadavg()[0], busy });
    }
    console.log(`machine: ${cpus().length} logical CPUs (${cpus()[0]?.model ?? 'unknown'})`);
    for (const d of done) {
      console.log(
        `run ${d.name}: whole command ${d.seconds.toFixed(1)} s; load average (1 min) ${d.loadBefore.toFixed(2)} before, ${d.loadAfter.toFixed(2)} after; CPUs busy ${d.busy === null ? '–' : `${(d.busy * 100).toFixed(0)} %`} while it ran; ` +
          d.run.results.map((r) => `${r.workload} n=${r.repetitions ?? 1}`).join(', '),
      );
    }
    for (let i = 1; i < done.length; i++) {
      console.log('');
      console.log(renderRows(compareRuns(done[i - 1].run, done[i].run), [done[i - 1].name, done[i].name]));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
