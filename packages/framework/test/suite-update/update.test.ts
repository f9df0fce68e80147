/**
 * self-update against a real loopback HTTP server serving a manifest signed in the test: a new
 * suite version is installed and found by loadSuite; an unsigned, foreign-signed or tampered
 * manifest and a file with the wrong bytes are refused with nothing written; installed versions
 * (shipped or downloaded) are never rewritten.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keygenAsync, signAsync } from '@noble/ed25519';
import { LlmSpeedError } from '../../src/errors.js';
import { canonicalize } from '../../src/signing/index.js';
import { SUITES_ROOT, availableSuites, loadSuite } from '../../src/suite/index.js';
import { shippedTrustedKeys, updateSuites, type TrustedKey } from '../../src/suite-update/index.js';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const b64u = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

interface Key {
  secretKey: Uint8Array;
  trusted: TrustedKey;
}

async function newKey(kid: string): Promise<Key> {
  const { secretKey, publicKey } = await keygenAsync();
  return { secretKey, trusted: { kid, publicKey: Buffer.from(publicKey).toString('base64') } };
}

async function sign(manifest: Record<string, unknown>, key: Key): Promise<Record<string, unknown>> {
  const header = b64u(JSON.stringify({ alg: 'EdDSA', kid: key.trusted.kid }));
  const input = `${header}.${b64u(canonicalize(manifest))}`;
  const sig = await signAsync(new TextEncoder().encode(input), key.secretKey);
  return { ...manifest, signature: `${header}..${b64u(sig)}` };
}

/** A suite folder's files as manifest paths → bytes. */
function suiteFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>([['suite.json', readFileSync(join(dir, 'suite.json'))]]);
  for (const name of readdirSync(join(dir, 'fixtures'))) files.set(`fixtures/${name}`, readFileSync(join(dir, 'fixtures', name)));
  return files;
}

/** suite-v1-test renamed to `version`: a valid new suite whose suite.json names itself. */
function renamedTestSuite(version: string): Map<string, Buffer> {
  const files = suiteFiles(join(SUITES_ROOT, 'suite-v1-test'));
  const def = JSON.parse(files.get('suite.json')!.toString('utf8')) as { suite_version: string };
  def.suite_version = version;
  files.set('suite.json', Buffer.from(`${JSON.stringify(def, null, 2)}\n`));
  return files;
}

function manifestEntry(version: string, files: Map<string, Buffer>) {
  return { version, files: [...files].map(([path, bytes]) => ({ path, sha256: sha256(bytes), url: `files/${version}/${path}` })) };
}

describe('self-update (signed suite manifest, loopback server)', () => {
  let server: Server;
  let base: string;
  /** What the server answers, by URL path. */
  const routes = new Map<string, Buffer | string>();
  let key: Key;
  let tmp: string;
  let suitesDir: string;

  before(async () => {
    key = await newKey('test-suites-1');
    server = createServer((req, res) => {
      const body = routes.get(req.url ?? '');
      if (body === undefined) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    routes.clear();
    tmp = mkdtempSync(join(tmpdir(), 'llm-speed-self-update-'));
    suitesDir = join(tmp, 'data', 'suites');
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  function serveSuite(version: string, files: Map<string, Buffer>): void {
    for (const [path, bytes] of files) routes.set(`/suites/files/${version}/${path}`, bytes);
  }
  function serveManifest(manifest: unknown): string {
    routes.set('/suites/manifest.json', typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2));
    return `${base}/suites/manifest.json`;
  }
  const update = (manifestUrl: string, trustedKeys = [key.trusted]) => updateSuites({ manifestUrl, trustedKeys, suitesDir });
  const refusal = (pattern: RegExp) => (e: unknown) => e instanceof LlmSpeedError && pattern.test(e.message);
  /** Nothing at all was written: no suite, no staging leftover. */
  const nothingWritten = () => assert.deepEqual(existsSync(suitesDir) ? readdirSync(suitesDir) : [], []);

  it('downloads a new version, verifies it, and loadSuite finds it in the user suites folder', async () => {
    const files = renamedTestSuite('suite-v9-test');
    serveSuite('suite-v9-test', files);
    const url = serveManifest(await sign({ manifest_version: 1, suites: [manifestEntry('suite-v9-test', files)] }, key));

    const report = await update(url);
    assert.deepEqual(
      report.versions.map((v) => [v.version, v.status]),
      [['suite-v9-test', 'installed']],
    );
    assert.deepEqual(readdirSync(suitesDir), ['suite-v9-test'], 'no staging folder left behind');
    for (const [path, bytes] of files) assert.deepEqual(readFileSync(join(suitesDir, 'suite-v9-test', path)), bytes);

    // The default search path: $LLM_SPEED_DATA_DIR/suites.
    const saved = process.env.LLM_SPEED_DATA_DIR;
    process.env.LLM_SPEED_DATA_DIR = join(tmp, 'data');
    try {
      assert.ok(availableSuites().includes('suite-v9-test'));
      const suite = loadSuite('suite-v9-test');
      assert.equal(suite.dir, join(suitesDir, 'suite-v9-test'));
      assert.equal(suite.version, 'suite-v9-test');
      assert.equal(suite.workloads.length, loadSuite('suite-v1-test').workloads.length);
      assert.equal(loadSuite().version, 'suite-v1', 'the pinned default is unchanged');
    } finally {
      if (saved === undefined) delete process.env.LLM_SPEED_DATA_DIR;
      else process.env.LLM_SPEED_DATA_DIR = saved;
    }
    const installed = report.versions[0];
    assert.ok(installed?.status === 'installed');
    assert.equal(installed.digest, loadSuite('suite-v9-test', { userRoot: suitesDir }).digest);
  });

  it('refuses an unsigned manifest and writes nothing', async () => {
    const files = renamedTestSuite('suite-v9-test');
    serveSuite('suite-v9-test', files);
    const url = serveManifest({ manifest_version: 1, suites: [manifestEntry('suite-v9-test', files)] });
    await assert.rejects(update(url), refusal(/the suite manifest is unsigned/));
    nothingWritten();
  });

  it('refuses a manifest signed with a key the CLI does not trust', async () => {
    const files = renamedTestSuite('suite-v9-test');
    serveSuite('suite-v9-test', files);
    const stranger = await newKey('test-suites-1');
    const url = serveManifest(await sign({ manifest_version: 1, suites: [manifestEntry('suite-v9-test', files)] }, stranger));
    await assert.rejects(update(url), refusal(/signature does not verify with the trusted suite key/));
    nothingWritten();
  });

  it('refuses a manifest changed after signing (one hex digit of one hash)', async () => {
    const files = renamedTestSuite('suite-v9-test');
    serveSuite('suite-v9-test', files);
    const signed = (await sign({ manifest_version: 1, suites: [manifestEntry('suite-v9-test', files)] }, key)) as {
      suites: Array<{ files: Array<{ sha256: string }> }>;
    };
    const file = signed.suites[0]!.files[1]!;
    file.sha256 = (file.sha256[0] === '0' ? '1' : '0') + file.sha256.slice(1);
    await assert.rejects(update(serveManifest(signed)), refusal(/signature does not verify/));
    nothingWritten();
  });

  it('refuses the malleable twin of a genuine signature (S + L) and a trusted key of small order with a zero signature', async () => {
    const files = renamedTestSuite('suite-v9-test');
    serveSuite('suite-v9-test', files);
    const signed = (await sign({ manifest_version: 1, suites: [manifestEntry('suite-v9-test', files)] }, key)) as { signature: string };
    const [header, , sig] = signed.signature.split('.') as [string, string, string];
    const bytes = Buffer.from(sig, 'base64url');
    let s = BigInt('0x' + Buffer.from(bytes.subarray(32)).reverse().toString('hex')) + 2n ** 252n + 27742317777372353535851937790883648493n;
    for (let i = 32; i < 64; i++, s >>= 8n) bytes[i] = Number(s & 0xffn);
    await assert.rejects(update(serveManifest({ ...signed, signature: `${header}..${bytes.toString('base64url')}` })), refusal(/does not verify/));
    const zero = Buffer.alloc(64);
    zero[0] = 1;
    const forged = { ...signed, signature: `${header}..${zero.toString('base64url')}` };
    await assert.rejects(update(serveManifest(forged), [{ kid: 'test-suites-1', publicKey: 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' }]), refusal(/does not verify/));
    nothingWritten();
  });

  it('refuses a version whose downloaded file does not match its signed SHA-256, naming the file', async () => {
    const files = renamedTestSuite('suite-v9-test');
    const url = serveManifest(await sign({ manifest_version: 1, suites: [manifestEntry('suite-v9-test', files)] }, key));
    const served = new Map(files);
    const memo = Buffer.from(served.get('fixtures/w4-memo.txt')!);
    memo[0] = memo[0]! ^ 1;
    served.set('fixtures/w4-memo.txt', memo);
    serveSuite('suite-v9-test', served);
    await assert.rejects(update(url), refusal(/suite-v9-test\/fixtures\/w4-memo\.txt downloaded from .* has SHA-256 [0-9a-f]{64}, but the signed manifest says/));
    nothingWritten();
  });

  it('refuses a signed manifest whose paths leave the suite folder', async () => {
    const entry = {
      version: 'suite-v9-test',
      files: [
        { path: 'suite.json', sha256: '0'.repeat(64), url: 'x' },
        { path: '../../evil', sha256: '0'.repeat(64), url: 'y' },
      ],
    };
    const url = serveManifest(await sign({ manifest_version: 1, suites: [entry] }, key));
    await assert.rejects(update(url), refusal(/\/suites\/0\/files\/1\/path: expected suite\.json or fixtures\/<name>/));
    nothingWritten();
  });

  it('never changes an installed version: shipped and downloaded copies stay byte for byte', async () => {
    // Downloaded earlier: suite-v8-test.
    const earlier = renamedTestSuite('suite-v8-test');
    serveSuite('suite-v8-test', earlier);
    await update(serveManifest(await sign({ manifest_version: 1, suites: [manifestEntry('suite-v8-test', earlier)] }, key)));
    const before = suiteFiles(join(suitesDir, 'suite-v8-test'));
    const shippedBefore = suiteFiles(join(SUITES_ROOT, 'suite-v1'));

    // Now the manifest claims other bytes for suite-v1 (shipped) and suite-v8-test (downloaded),
    // lists suite-v1-test as shipped, and offers a new suite-v9-test.
    const alteredV1 = new Map(shippedBefore);
    alteredV1.set('fixtures/w1-question.txt', Buffer.from('a different question\n'));
    const alteredV8 = new Map(earlier);
    alteredV8.set('fixtures/w2-paragraphs.txt', Buffer.from('different paragraphs\n'));
    const fresh = renamedTestSuite('suite-v9-test');
    for (const [v, f] of [
      ['suite-v1', alteredV1],
      ['suite-v8-test', alteredV8],
      ['suite-v9-test', fresh],
    ] as const)
      serveSuite(v, f);
    const url = serveManifest(
      await sign(
        {
          manifest_version: 1,
          suites: [
            manifestEntry('suite-v1', alteredV1),
            manifestEntry('suite-v1-test', suiteFiles(join(SUITES_ROOT, 'suite-v1-test'))),
            manifestEntry('suite-v8-test', alteredV8),
            manifestEntry('suite-v9-test', fresh),
          ],
        },
        key,
      ),
    );
    const report = await update(url);
    const outcome = Object.fromEntries(report.versions.map((v) => [v.version, v]));
    assert.equal(outcome['suite-v1']?.status, 'refused');
    assert.match((outcome['suite-v1'] as { reason: string }).reason, /differs from the shipped copy \(fixtures\/w1-question\.txt has SHA-256/);
    assert.equal(outcome['suite-v8-test']?.status, 'refused');
    assert.match((outcome['suite-v8-test'] as { reason: string }).reason, /differs from the downloaded copy/);
    assert.deepEqual(outcome['suite-v1-test'], { version: 'suite-v1-test', status: 'unchanged', dir: join(SUITES_ROOT, 'suite-v1-test'), where: 'shipped' });
    assert.equal(outcome['suite-v9-test']?.status, 'installed');

    assert.deepEqual(suiteFiles(join(suitesDir, 'suite-v8-test')), before);
    assert.deepEqual(suiteFiles(join(SUITES_ROOT, 'suite-v1')), shippedBefore);
    assert.ok(!existsSync(join(suitesDir, 'suite-v1')), 'a shipped version is never downloaded');
  });

  it('a shipped version wins over a downloaded folder of the same name', () => {
    mkdirSync(join(suitesDir, 'suite-v1'), { recursive: true });
    cpSync(join(SUITES_ROOT, 'suite-v1-test'), join(suitesDir, 'suite-v1'), { recursive: true });
    assert.equal(loadSuite('suite-v1', { userRoot: suitesDir }).dir, join(SUITES_ROOT, 'suite-v1'));
    assert.deepEqual(availableSuites({ userRoot: suitesDir }), ['suite-v1', 'suite-v1-test']);
  });

  it('a downloaded suite altered on disk is refused by loadSuite with a re-download hint', async () => {
    const files = renamedTestSuite('suite-v9-test');
    serveSuite('suite-v9-test', files);
    await update(serveManifest(await sign({ manifest_version: 1, suites: [manifestEntry('suite-v9-test', files)] }, key)));
    writeFileSync(join(suitesDir, 'suite-v9-test', 'fixtures', 'w1-question.txt'), 'edited\n');
    assert.throws(
      () => loadSuite('suite-v9-test', { userRoot: suitesDir }),
      (e: unknown) => e instanceof LlmSpeedError && /fixture w1-question\.txt does not match its pinned digest \(downloaded to /.test(e.message) && /self-update/.test(e.suggestions.join(' ')),
    );
  });

  it('the CLI trusts only its shipped key: a manifest signed by any other key is refused', async () => {
    const shipped = shippedTrustedKeys();
    assert.equal(shipped.length, 1);
    assert.equal(Buffer.from(shipped[0]!.publicKey, 'base64').length, 32);
    const files = renamedTestSuite('suite-v9-test');
    serveSuite('suite-v9-test', files);
    const url = serveManifest(await sign({ manifest_version: 1, suites: [manifestEntry('suite-v9-test', files)] }, key));
    await assert.rejects(updateSuites({ manifestUrl: url, trustedKeys: shipped, suitesDir }), refusal(/signature does not verify/));
    nothingWritten();
  });
});
