#!/usr/bin/env node
// Every published package's tarball holds the compiled .js of every source module (.ts and .tsx):
// a pack step that dropped outputs once shipped @llm-speed/server without its page components
// (the .tsx ones), and nothing that installs only the CLI would notice. Called by install-test.sh.
//
//   node scripts/check-packed-outputs.mjs <folder of tarballs>
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const folder = process.argv[2];
if (!folder || !existsSync(folder)) {
  console.error('check-packed-outputs: give the folder that holds the packed tarballs (npm run pack:all writes dist-packages/)');
  process.exit(2);
}

const sources = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });

const tarballs = readdirSync(folder).filter((f) => f.endsWith('.tgz'));
const missing = [];
let checked = 0;
for (const ws of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', ws);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (manifest.private || !existsSync(join(dir, 'src'))) continue;
  // npm pack names @scope/name-1.0.0 as scope-name-1.0.0.tgz.
  const tarball = tarballs.find((t) => t === `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
  if (!tarball) {
    missing.push(`${manifest.name}: no tarball in ${folder}`);
    continue;
  }
  const packed = new Set(execFileSync('tar', ['tzf', join(folder, tarball)], { encoding: 'utf8' }).split('\n'));
  for (const source of sources(join(dir, 'src'))) {
    const js = `package/dist/${relative(join(dir, 'src'), source).replace(/\.tsx?$/, '.js')}`;
    checked++;
    if (!packed.has(js)) missing.push(`${manifest.name}: ${js.replace(/^package\//, '')} (from src/${relative(join(dir, 'src'), source)})`);
  }
}
if (missing.length > 0) {
  console.error(`check-packed-outputs: ${missing.length} compiled module(s) missing from the tarballs:\n  ${missing.join('\n  ')}\nRun \`npx tsc -b --clean && npm run build\`, then pack again.`);
  process.exit(1);
}
console.log(`check-packed-outputs: ${checked} modules, each compiled into its package's tarball`);
