#!/usr/bin/env node
// Generates the framework's TypeScript types from schemas/*.schema.json (the single source of truth).
// With --check it regenerates in memory and fails when the committed files differ or are missing,
// so a schema edit without regeneration cannot land.
import { compileFromFile } from 'json-schema-to-typescript';
import { readFileSync, writeFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaDir = join(root, 'schemas');
const outDir = join(root, 'packages/framework/src/contract/generated');
const check = process.argv.includes('--check');
const names = ['driver', 'workload-result', 'run', 'suite', 'config'];
const banner = '/* Generated from schemas/ by scripts/generate-types.mjs. Do not edit: run `npm run schemas:gen`. */';
// run.schema.json's results are workload results with every field of an upload required; the
// schema says it with allOf, which TypeScript reads best as this named type.
const measuredResult = (schema) =>
  `\nimport type { WorkloadResult } from './workload-result.js';\n\n/** A workload result as uploaded: the fields run.schema.json requires beyond the METHODOLOGY §3.6 example. */\nexport type MeasuredResult = WorkloadResult & Required<Pick<WorkloadResult, ${schema.properties.results.items.allOf[1].required.map((f) => `'${f}'`).join(' | ')}>>;\n`;

const stale = [];
if (!check) mkdirSync(outDir, { recursive: true });
for (const name of names) {
  let ts = await compileFromFile(join(schemaDir, `${name}.schema.json`), {
    cwd: schemaDir,
    bannerComment: banner,
    additionalProperties: false,
    strictIndexSignatures: false,
    unreachableDefinitions: true,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  const file = join(outDir, `${name}.ts`);
  if (name === 'run') ts += measuredResult(JSON.parse(readFileSync(join(schemaDir, 'run.schema.json'), 'utf8')));
  if (check) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== ts) stale.push(file);
  } else {
    writeFileSync(file, ts);
  }
}
if (check) {
  const expected = new Set(names.map((n) => `${n}.ts`));
  const extra = existsSync(outDir) ? readdirSync(outDir).filter((f) => !expected.has(f)) : [];
  for (const f of extra) stale.push(join(outDir, f) + ' (not generated from any schema)');
  if (stale.length > 0) {
    console.error(`schemas:check: generated types are out of date with schemas/:\n  ${stale.join('\n  ')}\nRun \`npm run schemas:gen\` and commit the result.`);
    process.exit(1);
  }
  console.log(`schemas:check: ${names.length} generated type files match schemas/.`);
}
