import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunPayload } from '../../src/contract/generated/run.js';
import { buildUploadPayload, PrivacyInvariantError, type PrivacyMode } from '../../src/privacy/index.js';
import { ephemeralKeyPair, keyFilePath, loadOrCreateKeyPair, signRun, verifyCompactJws, verifyRun } from '../../src/signing/index.js';
import { resumeRun, type ResumeRunOptions } from '../../src/harness/publish.js';
import { loadLocalRun, saveLocalRun, TamperedRunError, uploadRun, UploadFailedError } from '../../src/upload/index.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';
import { recordingServer, type RecordingServer } from './recording-server.js';

const CREATED = { status: 201, body: { id: 'r_abcdefghijk', url: 'https://llm-speed.com/r/r_abcdefghijk' } };

describe('uploads against a loopback server', () => {
  let dir: string;
  /** `llm-speed bench --resume <path> --yes`: the CLI's own resume path, consent already given. */
  const resume = (path: string, extra: Partial<ResumeRunOptions> & { apiUrl: string }) =>
    resumeRun({ path, upload: true, yes: true, configDir: join(dir, 'config'), interactive: false, io: { out: () => undefined, err: () => undefined }, ...extra });
  let server: RecordingServer;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-upload-'));
  });
  afterEach(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function signedFor(mode: PrivacyMode, run: RunPayload = sampleRun()): Promise<RunPayload> {
    const payload = buildUploadPayload(run, { mode });
    const keys = mode === 'strict-anon' ? await ephemeralKeyPair() : await loadOrCreateKeyPair(join(dir, 'config'));
    return signRun(payload, keys);
  }

  async function uploadIn(mode: PrivacyMode, apiKey?: string) {
    server = await recordingServer([CREATED]);
    const signed = await signedFor(mode);
    const result = await uploadRun({ run: signed, apiUrl: server.url, mode, apiKey, cliVersion: '9.8.7', backoffMs: 1 });
    assert.deepEqual(result, { id: 'r_abcdefghijk', url: 'https://llm-speed.com/r/r_abcdefghijk' });
    assert.equal(server.requests.length, 1);
    const request = server.requests[0]!;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v1/results');
    assert.equal(request.headers['content-type'], 'application/jose');
    const { payload, publicKey } = await verifyCompactJws(request.body);
    return { request, payload, publicKey, signed };
  }

  describe('PRIVACY §3, one row at a time', () => {
    it('User-Agent llm-speed-cli/<version>: sent in default and --anon, not in --strict-anon', async () => {
      assert.equal((await uploadIn('default')).request.headers['user-agent'], 'llm-speed-cli/9.8.7');
      await server.close();
      assert.equal((await uploadIn('anon')).request.headers['user-agent'], 'llm-speed-cli/9.8.7');
      await server.close();
      const strict = (await uploadIn('strict-anon')).request.headers['user-agent'];
      assert.ok(!strict || !/llm-speed/i.test(strict), `strict-anon sent User-Agent ${strict}`);
    });

    it('Authorization: Bearer (when a key is given): sent in default and --anon, not in --strict-anon', async () => {
      assert.equal((await uploadIn('default', 'sk-test')).request.headers.authorization, 'Bearer sk-test');
      await server.close();
      assert.equal((await uploadIn('anon', 'sk-test')).request.headers.authorization, 'Bearer sk-test');
      await server.close();
      assert.equal((await uploadIn('strict-anon', 'sk-test')).request.headers.authorization, undefined);
      await server.close();
      assert.equal((await uploadIn('default')).request.headers.authorization, undefined);
    });

    it('X-LLM-Speed-Anon: 1 only in --anon', async () => {
      assert.equal((await uploadIn('default', 'k')).request.headers['x-llm-speed-anon'], undefined);
      await server.close();
      assert.equal((await uploadIn('anon', 'k')).request.headers['x-llm-speed-anon'], '1');
      await server.close();
      assert.equal((await uploadIn('strict-anon', 'k')).request.headers['x-llm-speed-anon'], undefined);
    });

    it('fingerprint_hash: sent in default and --anon, absent in --strict-anon', async () => {
      assert.equal((await uploadIn('default')).payload.fingerprint.fingerprint_hash, 'a1b2c3d4e5f60708');
      await server.close();
      assert.equal((await uploadIn('anon')).payload.fingerprint.fingerprint_hash, 'a1b2c3d4e5f60708');
      await server.close();
      const strict = await uploadIn('strict-anon');
      assert.equal('fingerprint_hash' in strict.payload.fingerprint, false);
      assert.ok(!strict.request.body.includes('a1b2c3d4e5f60708'));
    });

    it('public key: persistent in default and --anon, ephemeral in --strict-anon', async () => {
      const persistent = Buffer.from((await loadOrCreateKeyPair(join(dir, 'config'))).publicKey).toString('base64');
      assert.equal((await uploadIn('default')).publicKey, persistent);
      await server.close();
      assert.equal((await uploadIn('anon')).publicKey, persistent);
      await server.close();
      const first = (await uploadIn('strict-anon')).publicKey;
      await server.close();
      const second = (await uploadIn('strict-anon')).publicKey;
      assert.notEqual(first, persistent);
      assert.notEqual(first, second);
    });

    it('sends nothing beyond the payload: the body decodes to exactly the signed run', async () => {
      const { payload, signed } = await uploadIn('default');
      assert.deepEqual(payload, signed);
    });
  });

  it('a planted prompt in extras is refused with the exact message and nothing is sent', async () => {
    server = await recordingServer([CREATED]);
    const prompt = 'You are a helpful assistant. Summarise the following document in detail. '.repeat(5);
    // Planted after buildUploadPayload (which would drop it: extras strings are at most 64 safe
    // characters), so this is uploadRun's own last check before a byte leaves.
    const payload = buildUploadPayload(sampleRun([sampleResult()]), { mode: 'default' });
    payload.results[0]!.extras = { note: prompt };
    const signed = await signRun(payload, await loadOrCreateKeyPair(join(dir, 'config')));
    await assert.rejects(uploadRun({ run: signed, apiUrl: server.url, mode: 'default', cliVersion: '1', backoffMs: 1 }), (error: unknown) => {
      assert.ok(error instanceof PrivacyInvariantError);
      assert.equal(error.message, 'upload payload contains unexpected long string at results[0].extras.note; refusing to upload (privacy invariant).');
      return true;
    });
    assert.equal(server.requests.length, 0);
  });

  it('refuses a --strict-anon upload that still carries a fingerprint_hash, sending nothing', async () => {
    server = await recordingServer([CREATED]);
    const signed = await signedFor('default');
    await assert.rejects(uploadRun({ run: signed, apiUrl: server.url, mode: 'strict-anon', cliVersion: '1' }), /fingerprint_hash/);
    assert.equal(server.requests.length, 0);
  });

  it('503 three times: the run stays on disk, the error names the exact --resume command, and resume posts it once', async () => {
    let calls = 0;
    server = await recordingServer(() => (++calls <= 3 ? { status: 503, body: { error: 'maintenance' } } : CREATED));
    const signed = await signedFor('default');
    const path = await saveLocalRun(signed, { runsDir: join(dir, 'runs') });
    await assert.rejects(uploadRun({ run: signed, apiUrl: server.url, mode: 'default', cliVersion: '1', retries: 2, backoffMs: 1, localPath: path }), (error: unknown) => {
      assert.ok(error instanceof UploadFailedError);
      assert.ok(error.message.includes(`kept at ${path}`), error.message);
      assert.deepEqual(error.suggestions, [`retry with:\n  llm-speed bench --resume ${path}`]);
      assert.match(error.message, /HTTP 503: maintenance/);
      return true;
    });
    assert.equal(server.requests.length, 3);
    assert.ok(existsSync(path));
    assert.deepEqual(await verifyRun(await loadLocalRun(path)), { valid: true });

    const result = (await resume(path, { apiUrl: server.url, mode: 'default', backoffMs: 1 })).upload;
    assert.equal(result.id, 'r_abcdefghijk');
    assert.equal(server.requests.length, 4);
    assert.equal(server.requests[3]!.body, server.requests[0]!.body);
  });

  it('does not retry a 4xx (the server refused this run)', async () => {
    server = await recordingServer([{ status: 400, body: { error: 'run does not match run.schema.json' } }]);
    const signed = await signedFor('default');
    await assert.rejects(uploadRun({ run: signed, apiUrl: server.url, mode: 'default', cliVersion: '1', backoffMs: 1, localPath: '/tmp/x.json' }), (error: unknown) => {
      assert.ok(error instanceof UploadFailedError);
      assert.equal(error.status, 400);
      assert.match(error.message, /HTTP 400: run does not match/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('retries network errors, then fails naming the resume command', async () => {
    server = await recordingServer([CREATED]);
    const deadUrl = server.url;
    await server.close();
    const signed = await signedFor('default');
    const path = await saveLocalRun(signed, { runsDir: join(dir, 'runs') });
    await assert.rejects(
      uploadRun({ run: signed, apiUrl: deadUrl, mode: 'default', cliVersion: '1', retries: 1, backoffMs: 1, localPath: path }),
      (error: unknown) => error instanceof UploadFailedError && error.suggestions[0] === `retry with:\n  llm-speed bench --resume ${path}` && /after 2 attempts/.test(error.message),
    );
  });

  it('--resume refuses a tampered file and sends nothing', async () => {
    server = await recordingServer([CREATED]);
    const signed = await signedFor('default');
    const path = await saveLocalRun(signed, { runsDir: join(dir, 'runs') });
    writeFileSync(path, readFileSync(path, 'utf8').replace('"decode_tps": 187.4', '"decode_tps": 287.4'));
    await assert.rejects(resume(path, { apiUrl: server.url, mode: 'default' }), TamperedRunError);
    assert.equal(server.requests.length, 0);
  });

  it('--resume of a --strict-anon run keeps strict-anon headers, and refuses a weaker mode', async () => {
    server = await recordingServer([CREATED]);
    const signed = await signedFor('strict-anon');
    const path = await saveLocalRun(signed, { runsDir: join(dir, 'runs') });
    await assert.rejects(resume(path, { apiUrl: server.url, mode: 'default', apiKey: 'sk-test' }), /made in strict-anon mode/);
    assert.equal(server.requests.length, 0);
    await resume(path, { apiUrl: server.url, apiKey: 'sk-test' });
    const headers = server.requests[0]!.headers;
    assert.equal(headers.authorization, undefined);
    assert.ok(!/llm-speed/.test(headers['user-agent'] ?? ''));
  });

  it('--strict-anon never reads or writes the persistent key file (absent stays absent; present keeps its mtime)', async () => {
    const { publishRun } = await import('../../src/harness/publish.js');
    server = await recordingServer([CREATED]);
    const configDir = join(dir, 'config');
    const options = {
      mode: 'strict-anon' as const,
      dryRun: false,
      upload: true,
      printPayload: false,
      includeRawTimings: false,
      apiUrl: server.url,
      yes: false,
      configDir,
      runsDir: join(dir, 'runs'),
      interactive: false,
      io: { out: () => undefined, err: () => undefined },
    };
    await publishRun(sampleRun(), options);
    assert.equal(existsSync(keyFilePath(configDir)), false);
    assert.equal(server.requests.length, 1);

    await loadOrCreateKeyPair(configDir);
    const content = readFileSync(keyFilePath(configDir), 'utf8');
    const before = statSync(keyFilePath(configDir));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await publishRun({ ...sampleRun(), started_at: '2026-11-24T11:00:00.000Z' }, options);
    const after = statSync(keyFilePath(configDir));
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.equal(after.atimeMs, before.atimeMs);
    assert.equal(readFileSync(keyFilePath(configDir), 'utf8'), content);
    assert.equal(server.requests.length, 2);
  });
});
