#!/usr/bin/env node
// Reproducibility (issue 3): runs `llm-speed bench --quick` twice on the same machine and prints,
// per workload, the ratio of decode tok/s and of TTFT between the runs. METHODOLOGY §7.2 promises
// within ~5 % on decode_tps and ~10 % on ttft_ms for the same hardware class.
// Run after `npm run build`: node bench/reproducibility.mjs [extra bench flags...]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../packages/cli/bin/run.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'llm-speed-repro-'));
const extra = process.argv.slice(2);

function once(name) {
  const out = join(dir, `${name}.json`);
  execFileSync(process.execPath, [bin, 'bench', '--quick', '--no-upload', '--json', out, ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
  return JSON.parse(readFileSync(out, 'utf8'));
}

try {
  const a = once('first');
  const b = once('second');
  console.log('workload            decode A    decode B   ratio   within 5%   TTFT A ms  TTFT B ms  ratio   within 10%');
  for (const ra of a.results) {
    const rb = b.results.find((r) => r.workload === ra.workload);
    if (!rb) continue;
    const decode = rb.decode_tps / ra.decode_tps;
    const ttft = rb.ttft_ms / ra.ttft_ms;
    console.log(
      `${ra.workload.padEnd(18)} ${ra.decode_tps.toFixed(1).padStart(9)} ${rb.decode_tps.toFixed(1).padStart(10)} ${decode.toFixed(3).padStart(7)} ${String(Math.abs(decode - 1) <= 0.05).padStart(10)}` +
        ` ${ra.ttft_ms.toFixed(1).padStart(10)} ${rb.ttft_ms.toFixed(1).padStart(10)} ${ttft.toFixed(3).padStart(7)} ${String(Math.abs(ttft - 1) <= 0.1).padStart(11)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
