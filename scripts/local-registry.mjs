#!/usr/bin/env node
// A stand-in npm registry on 127.0.0.1 for the install test (scripts/install-test.sh): it serves
// the packages packed in one folder (`npm run pack:all`) as if they were published, and passes
// every other request through to the real registry. So `npm install -g llm-speed` resolves our
// unpublished @llm-speed/* packages exactly as it will once they are on npmjs.com (packuments,
// `_hasShrinkwrap`, integrity), while third-party packages come from the registry as usual.
//
//   node scripts/local-registry.mjs --dir <folder of .tgz> [--upstream <registry url>]
//
// --upstream defaults to the registry npm is configured with (`npm config get registry`). A driver
// author uses it the same way before the framework is published (DRIVERS.md §7.1):
// `LLM_SPEED_NPM_REGISTRY=<its URL> llm-speed plugins install file:<plugin>.tgz`.
//
// Prints its URL on the first line of stdout, then serves until it is sent SIGTERM or SIGINT.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { dir: { type: 'string' }, upstream: { type: 'string' } } });
if (!values.dir) {
  console.error('usage: local-registry.mjs --dir <folder of .tgz> [--upstream <registry url>]');
  process.exit(2);
}
const dir = resolve(values.dir);
/** npm's own registry setting, for packages this folder does not hold; undefined if npm cannot say. */
function npmRegistry() {
  try {
    return execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const configured = values.upstream ?? npmRegistry();
const upstream = configured ? configured.replace(/\/?$/, '/') : undefined;

/** name → packument; tarball file name → absolute path. Built once: the folder is a release. */
const packuments = new Map();
const tarballs = new Map();

function tarEntry(file, entry) {
  return execFileSync('tar', ['-xzOf', file, entry], { maxBuffer: 64 * 1024 * 1024 });
}

function indexFolder(baseUrl) {
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.tgz'))
    .sort()) {
    const file = join(dir, name);
    const bytes = readFileSync(file);
    const manifest = JSON.parse(tarEntry(file, 'package/package.json').toString('utf8'));
    const entries = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n');
    const version = {
      ...manifest,
      _id: `${manifest.name}@${manifest.version}`,
      // npmjs.com sets this on publish; npm reads a package's shrinkwrap only when it is true.
      _hasShrinkwrap: entries.includes('package/npm-shrinkwrap.json'),
      dist: {
        tarball: `${baseUrl}-/tarballs/${encodeURIComponent(name)}`,
        integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
        shasum: createHash('sha1').update(bytes).digest('hex'),
      },
    };
    const packument = packuments.get(manifest.name) ?? { name: manifest.name, 'dist-tags': {}, versions: {} };
    packument.versions[manifest.version] = version;
    packument['dist-tags'].latest = manifest.version;
    packuments.set(manifest.name, packument);
    tarballs.set(name, file);
  }
}

async function passThrough(req, res) {
  if (!upstream) return notFound(res);
  const answer = await fetch(new URL(req.url.slice(1), upstream), {
    headers: { accept: req.headers.accept ?? 'application/json' },
  });
  const body = Buffer.from(await answer.arrayBuffer());
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
  res.end(body);
}

function notFound(res) {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'Not found' }));
}

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res);
  if (path.startsWith('/-/tarballs/')) {
    const file = tarballs.get(path.slice('/-/tarballs/'.length));
    if (!file) return notFound(res);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    return res.end(readFileSync(file));
  }
  const packument = packuments.get(path.slice(1));
  if (packument) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(packument));
  }
  passThrough(req, res).catch((error) => {
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `upstream: ${error.message}` }));
  });
});

server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}/`;
  indexFolder(url);
  process.stdout.write(`${url}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
