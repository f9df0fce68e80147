#!/usr/bin/env node
// The maintainers' half of `llm-speed self-update`: make the suite signing key, build the manifest
// of suite folders, and sign it. The CLI trusts the public keys in packages/framework/suites/trust.json;
// the one shipped today is a development placeholder whose private half was discarded, so a release
// replaces it with the `keygen` output below. Run after `npm run build`.
//
//   node scripts/suite-manifest.mjs keygen KEY_FILE [--kid llm-speed-suites-2]
//       writes the secret key (mode 0600, keep it offline) and prints the trust.json entry
//   node scripts/suite-manifest.mjs build --base-url URL [--out manifest.json] VERSION...
//       lists packages/framework/suites/<VERSION>/{suite.json,fixtures/*} with their SHA-256; a relative
//       URL resolves against wherever the manifest itself is served
//   node scripts/suite-manifest.mjs sign KEY_FILE MANIFEST
//       adds (or replaces) the detached EdDSA signature that self-update verifies
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ed from '@noble/ed25519';
import { parseManifest, signManifest } from '../packages/framework/dist/suite-update/index.js';

const SUITES = fileURLToPath(new URL('../packages/framework/suites/', import.meta.url));
const [command, ...rest] = process.argv.slice(2);

function fail(message) {
  console.error(`suite-manifest: ${message}`);
  process.exit(2);
}

function readKey(file) {
  if (!existsSync(file)) fail(`no key file at ${file} (make one with: keygen ${file})`);
  const key = JSON.parse(readFileSync(file, 'utf8'));
  const secret = Buffer.from(String(key.secret_key ?? ''), 'base64');
  if (secret.length !== 32 || typeof key.kid !== 'string') fail(`${file} is not a suite key file (kid + 32-byte secret_key)`);
  return { kid: key.kid, secretKey: new Uint8Array(secret) };
}

if (command === 'keygen') {
  const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { kid: { type: 'string', default: 'llm-speed-suites-2' } } });
  const file = positionals[0] ?? fail('usage: keygen KEY_FILE [--kid K]');
  if (existsSync(file)) fail(`${file} exists; refusing to overwrite a signing key`);
  const { secretKey, publicKey } = await ed.keygenAsync();
  writeFileSync(file, JSON.stringify({ kid: values.kid, secret_key: Buffer.from(secretKey).toString('base64') }) + '\n', { mode: 0o600 });
  console.log(JSON.stringify({ kid: values.kid, alg: 'EdDSA', public_key: Buffer.from(publicKey).toString('base64') }, null, 2));
} else if (command === 'build') {
  const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { 'base-url': { type: 'string' }, out: { type: 'string', default: 'manifest.json' } } });
  if (!values['base-url'] || positionals.length === 0) fail('usage: build --base-url URL [--out manifest.json] VERSION...');
  const base = values['base-url'].replace(/\/+$/, '');
  const suites = positionals.map((version) => {
    const dir = join(SUITES, version);
    if (!existsSync(join(dir, 'suite.json'))) fail(`no suite folder ${dir}`);
    const paths = [
      'suite.json',
      ...readdirSync(join(dir, 'fixtures'))
        .sort()
        .map((name) => `fixtures/${name}`),
    ];
    return {
      version,
      files: paths.map((path) => ({
        path,
        sha256: createHash('sha256')
          .update(readFileSync(join(dir, path)))
          .digest('hex'),
        url: `${base}/${version}/${path}`,
      })),
    };
  });
  const manifest = { manifest_version: 1, suites };
  parseManifest({ ...manifest, signature: 'checked..later' }); // the CLI's own shape check, before anyone signs it
  writeFileSync(values.out, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`wrote ${values.out}: ${suites.map((s) => `${s.version} (${s.files.length} files)`).join(', ')}`);
} else if (command === 'sign') {
  const [keyFile, manifestFile] = rest;
  if (!keyFile || !manifestFile) fail('usage: sign KEY_FILE MANIFEST');
  const { kid, secretKey } = readKey(keyFile);
  const signed = await signManifest(JSON.parse(readFileSync(manifestFile, 'utf8')), secretKey, kid);
  writeFileSync(manifestFile, JSON.stringify(signed, null, 2) + '\n');
  console.log(`signed ${manifestFile} as ${kid}`);
} else {
  fail('usage: keygen KEY_FILE [--kid K] | build --base-url URL [--out FILE] VERSION... | sign KEY_FILE MANIFEST');
}
