#!/usr/bin/env node
// Privacy rules (issue 24 item 5): what they cost and what they let through.
// - the free-form text each run carries (letters and digits in distinct strings, PRIVACY §2's
//   limit) and the CPU time of privacyViolations() per run (the server runs it on every ingest),
//   on the bundled drivers' run shapes and on real saved runs (a folder of <run>.json files:
//   default $LLM_SPEED_TEST_CACHE_DIR/runs, which the CLI's end-to-end tests fill with real
//   llama-server runs);
// - the planted corpus (@llm-speed/framework/testing): each spelling class × each free-form field
//   and the split-copy runs, counted as accepted when the run matches the schema and breaks no rule.
// Run after `npm run build`:  node bench/privacy-rules.mjs [runs-folder] [repeats=200]
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { check, freeTextSize, privacyViolations, FREE_STRINGS_LIMIT, FREE_TEXT_LIMIT } from '@llm-speed/framework';
import { bundledDriverRuns, plantedClasses, plantedFields, sampleResult, sampleRun, splitFixtureRuns } from '@llm-speed/framework/testing';

const folder = process.argv[2] ?? join(process.env.LLM_SPEED_TEST_CACHE_DIR ?? join(homedir(), '.cache', 'llm-speed-test'), 'runs');
const repeats = Number(process.argv[3] ?? 200);

/** CPU milliseconds per call (user + system), steadier than wall time on a shared machine. */
function cpuMs(fn) {
  fn();
  const before = process.cpuUsage();
  for (let i = 0; i < repeats; i++) fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / repeats;
}

const rows = bundledDriverRuns().map(({ driver, run }) => ({ name: `${driver} (shape)`, run }));
let files = [];
try {
  files = readdirSync(folder).filter((f) => /Z-[0-9a-f]+\.json$/.test(f));
} catch {
  console.log(`no saved runs in ${folder}`);
}
for (const file of files) rows.push({ name: `real: ${file}`, run: JSON.parse(readFileSync(join(folder, file), 'utf8')) });

console.log(`free-text limit: ${FREE_TEXT_LIMIT} letters and digits in ${FREE_STRINGS_LIMIT} distinct strings`);
let most = { characters: 0, strings: 0 };
for (const { name, run } of rows) {
  const size = freeTextSize(run);
  most = { characters: Math.max(most.characters, size.characters), strings: Math.max(most.strings, size.strings) };
  const found = privacyViolations(run).map((v) => `${v.path}: ${v.kind}`);
  console.log(
    `${name.padEnd(62)} ${String(run.results.length).padStart(2)} results  ${String(size.characters).padStart(5)} chars  ${String(size.strings).padStart(3)} strings  ${cpuMs(() => privacyViolations(run)).toFixed(3)} ms CPU  ${found.length ? found.join('; ') : 'clean'}`,
  );
}
console.log(`most free text in these runs: ${most.characters} letters and digits, ${most.strings} distinct strings`);

const tally = new Map();
for (const planted of plantedClasses()) {
  for (const field of plantedFields()) {
    const run = sampleRun([sampleResult()]);
    field.plant(run, planted.value, planted);
    const row = tally.get(planted.family) ?? { classes: new Set(), tried: 0, accepted: 0 };
    row.classes.add(planted.name);
    row.tried++;
    if (check('run', run).length === 0 && privacyViolations(run).length === 0) row.accepted++;
    tally.set(planted.family, row);
  }
}
let tried = 0;
let accepted = 0;
for (const [family, row] of tally) {
  console.log(`${family.padEnd(30)} ${String(row.classes.size).padStart(3)} spellings × ${plantedFields().length} fields: ${row.tried} tried, ${row.accepted} accepted`);
  tried += row.tried;
  accepted += row.accepted;
}
const split = splitFixtureRuns();
const splitAccepted = split.filter(({ run }) => check('run', run).length === 0 && privacyViolations(run).length === 0).length;
console.log(`planted corpus: ${tried} tried, ${accepted} accepted; split copies: ${split.length} runs, ${splitAccepted} accepted`);
