/**
 * `--print-payload` shows the exact bytes that go out (PRIVACY §5): compared here with what a
 * loopback results server actually receives, for a fresh run and for `--resume`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishRun, resumeRun, type PublishOptions } from '../../src/harness/publish.js';
import type { PrivacyMode } from '../../src/privacy/index.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';
import { publishOptions } from '../helpers/publish-options.js';
import { recordingServer, type RecordingServer } from './recording-server.js';

/** The compact JWS in a request body, split and decoded. */
function jwsParts(body: string): { header: string; payload: string } {
  const [header, payload, signature] = body.split('.');
  assert.ok(header && payload && signature, 'the body is a compact JWS with an attached payload');
  return { header: Buffer.from(header, 'base64url').toString('utf8'), payload: Buffer.from(payload, 'base64url').toString('utf8') };
}

describe('--print-payload prints what is sent', () => {
  let dir: string;
  let server: RecordingServer;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-print-'));
    server = await recordingServer();
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
  }

  const options = (mode: PrivacyMode, io: PublishOptions['io']): PublishOptions =>
    publishOptions({ apiUrl: server.url, configDir: join(dir, 'config'), runsDir: join(dir, 'runs') }, { mode, printPayload: true, apiKey: 'sk-secret-key', yes: true, io });

  for (const mode of ['default', 'anon', 'strict-anon'] as const) {
    it(`${mode}: stdout is byte for byte the JWS payload the server receives; stderr shows the header`, async () => {
      // Non-ASCII and keys out of canonical order, so a pretty or insertion-order print would differ.
      const run = sampleRun([sampleResult({ extras: { zeta: 1, alpha: 'naïve' } })]);
      const printed = capture();
      await publishRun(run, options(mode, printed.io));
      assert.equal(server.requests.length, 1);
      const sent = jwsParts(server.requests[0]!.body);
      assert.deepEqual(printed.out, [sent.payload]);
      const note = printed.err.join('\n');
      assert.ok(note.includes(sent.header), note);
      assert.match(note, /base64url-encoded as the payload of a compact JWS/);
      assert.ok(note.includes(`POST ${server.url}/v1/results`), note);
      assert.ok(!note.includes('sk-secret-key'), 'the API key is never printed');
      if (mode === 'strict-anon') assert.ok(!/authorization|user-agent/i.test(note), note);
      else assert.match(note, /authorization: Bearer <api-key>/);
    });
  }

  it("--resume --print-payload prints the resumed run's payload bytes", async () => {
    const saved = await publishRun(sampleRun(), { ...options('anon', capture().io), upload: false, printPayload: false });
    assert.equal(server.requests.length, 0);
    const printed = capture();
    await resumeRun({
      path: saved.savedPath!,
      upload: true,
      printPayload: true,
      apiUrl: server.url,
      yes: true,
      configDir: join(dir, 'config'),
      interactive: false,
      io: printed.io,
    });
    assert.equal(server.requests.length, 1);
    assert.deepEqual(printed.out, [jwsParts(server.requests[0]!.body).payload]);
  });
});
