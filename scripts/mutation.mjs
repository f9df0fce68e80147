#!/usr/bin/env node
// Mutation testing (issues 18 and 27): runs StrykerJS once per area of stryker.config.mjs, one
// area at a time (the reference machine has 2 cores), then prints the score of every mutated module
// from the JSON reports. HTML reports: test-output/mutation/<area>/index.html.
//
//   node scripts/mutation.mjs [area ...] [--break N] [--survivors] [--report-only]
//     area         only these areas (default: every area of AREAS in stryker.config.mjs; a
//                  subset such as `fast` only when named)
//     --break N    exit 1 when an area's score is below N % (Stryker's thresholds.break, per area)
//     --survivors  list every surviving / uncovered mutant (file:line mutator → replacement)
//     --report-only  print the summary of the last reports without running Stryker
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { AREAS, SUBSETS } = await import(new URL('../stryker.config.mjs', import.meta.url).href);
const KNOWN = { ...AREAS, ...SUBSETS };

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  args.splice(i, 1);
  return true;
};
const option = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const showSurvivors = flag('--survivors');
const reportOnly = flag('--report-only');
const breakAt = option('--break');
if (breakAt !== undefined && !(Number(breakAt) >= 0 && Number(breakAt) <= 100)) {
  console.error(`mutation: --break takes a score between 0 and 100, got "${breakAt}"`);
  process.exit(2);
}
const unknown = args.filter((a) => !(a in KNOWN));
if (unknown.length > 0) {
  console.error(`mutation: unknown area ${unknown.map((a) => `"${a}"`).join(', ')}; the areas are ${Object.keys(KNOWN).join(', ')}`);
  process.exit(2);
}
const areas = args.length > 0 ? args : Object.keys(AREAS);

const seconds = {};
let failed = false;
if (!reportOnly) {
  for (const area of areas) {
    const started = Date.now();
    console.log(`\nmutation: ${area} (${KNOWN[area].mutate.join(', ')})`);
    const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], { cwd: root, stdio: 'inherit', env: { ...process.env, STRYKER_AREA: area } });
    seconds[area] = Math.round((Date.now() - started) / 1000);
    if (run.status !== 0) {
      console.error(`mutation: Stryker failed on ${area} (exit ${run.status ?? run.signal})`);
      failed = true;
    }
  }
}

// Stryker's mutation score: detected (killed + timeout) over valid mutants (compile errors and
// ignored mutants are not valid; uncovered ones are, and count as not detected).
const COUNTED = ['Killed', 'Timeout', 'Survived', 'NoCoverage'];
const score = (c) => {
  const valid = COUNTED.reduce((s, k) => s + (c[k] ?? 0), 0);
  return valid === 0 ? 100 : (100 * ((c.Killed ?? 0) + (c.Timeout ?? 0))) / valid;
};
const row = (name, c, extra = '') =>
  `${name.padEnd(52)} ${String(c.Killed ?? 0).padStart(6)} ${String(c.Survived ?? 0).padStart(8)} ${String(c.NoCoverage ?? 0).padStart(8)} ${String(c.Timeout ?? 0).padStart(7)} ${String(c.CompileError ?? 0).padStart(7)} ${score(c).toFixed(1).padStart(6)}%${extra}`;

console.log(`\n${'module'.padEnd(52)} ${'killed'.padStart(6)} ${'survived'.padStart(8)} ${'no-cover'.padStart(8)} ${'timeout'.padStart(7)} ${'compile'.padStart(7)} ${'score'.padStart(7)}`);
const total = {};
const survivors = [];
for (const area of areas) {
  const path = join(root, 'test-output/mutation', area, 'mutation.json');
  if (!existsSync(path)) {
    console.log(`${area}: no report (${relative(root, path)})`);
    failed = true;
    continue;
  }
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const areaCounts = {};
  for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const c = {};
    for (const m of mutants) {
      c[m.status] = (c[m.status] ?? 0) + 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survivors.push(`${relative(root, join(root, file))}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName} → ${JSON.stringify(m.replacement ?? '')}`);
      }
    }
    for (const [k, v] of Object.entries(c)) {
      areaCounts[k] = (areaCounts[k] ?? 0) + v;
      total[k] = (total[k] ?? 0) + v;
    }
    console.log(row(relative(root, join(root, file)), c));
  }
  const s = score(areaCounts);
  const below = breakAt !== undefined && s < Number(breakAt);
  if (below) failed = true;
  console.log(row(`  ${area} (all)`, areaCounts, `${seconds[area] !== undefined ? `  ${seconds[area]} s` : ''}${below ? `  below --break ${breakAt}` : ''}`));
}
console.log(row('all areas', total, Object.keys(seconds).length ? `  ${Object.values(seconds).reduce((a, b) => a + b, 0)} s` : ''));
if (showSurvivors && survivors.length > 0) console.log(`\nsurvivors and uncovered mutants:\n${survivors.join('\n')}`);
process.exit(failed ? 1 : 0);
