/**
 * publishRun and resumeRun (harness/publish.ts): what they print, where --json goes, when they ask
 * for consent, and what a refusal says (code, message, the command to run next).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { LlmSpeedError } from '../../src/errors.js';
import { publishRun, resumeRun, type PublishIo } from '../../src/harness/publish.js';
import { verifyRun } from '../../src/signing/index.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';
import { publishOptions } from '../helpers/publish-options.js';
import { recordingServer, type RecordingServer } from '../upload/recording-server.js';

const CREATED = { status: 201, body: { id: 'r_published01', url: 'https://llm-speed.com/r/r_published01' } };

function io(extra: Partial<PublishIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), ...extra } as PublishIo };
}

/** A terminal on which nobody ever answers: a prompt shown on it would wait for ever. */
function silentTerminal() {
  const input = new PassThrough() as PassThrough & { isTTY?: boolean };
  input.isTTY = true;
  const output = new PassThrough();
  let printed = '';
  output.on('data', (c: Buffer) => (printed += c.toString()));
  return { input, output, printed: () => printed, answer: (line: string) => input.write(`${line}\n`) };
}

describe('publishRun and resumeRun: output, consent and refusals', () => {
  let dir: string;
  let server: RecordingServer;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-publish-'));
    server = await recordingServer([CREATED]);
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const where = () => ({ apiUrl: server.url, configDir: join(dir, 'config'), runsDir: join(dir, 'runs') });

  it('a dry run prints nothing it was not asked for, and says why nothing was sent', async () => {
    const { out, err, io: quiet } = io();
    const outcome = await publishRun(sampleRun(), publishOptions(where(), { dryRun: true, io: quiet }));
    assert.deepEqual(out, []);
    assert.deepEqual(err, [], 'a clean run has no privacy notes');
    assert.match(outcome.uploadSkipped ?? '', /^--dry-run: not saved to the runs folder, not uploaded$/);
    assert.equal(server.requests.length, 0);
  });

  it('--json - prints the signed run on stdout; --json PATH writes it as a text file', async () => {
    const stdout = io();
    const { payload } = await publishRun(sampleRun(), publishOptions(where(), { dryRun: true, jsonPath: '-', io: stdout.io }));
    assert.equal(stdout.out.length, 1);
    assert.deepEqual(JSON.parse(stdout.out[0]!), payload);
    assert.deepEqual(await verifyRun(JSON.parse(stdout.out[0]!)), { valid: true });
    const path = join(dir, 'run.json');
    const file = await publishRun(sampleRun(), publishOptions(where(), { dryRun: true, jsonPath: path }));
    const text = readFileSync(path, 'utf8');
    assert.ok(text.endsWith('}\n'), 'a text file ends with a newline');
    assert.deepEqual(JSON.parse(text), file.payload);
  });

  it('--print-payload says on stderr how the bytes travel: the JWS header with the key, the endpoint, the headers', async () => {
    const printed = io();
    const { payload } = await publishRun(sampleRun(), publishOptions({ ...where(), apiUrl: `${server.url}//` }, { dryRun: true, printPayload: true, apiKey: 'secret-key', io: printed.io }));
    assert.equal(printed.out.length, 1);
    const lines = printed.err.join('\n').split('\n');
    assert.match(lines[0]!, /stdout holds the exact payload bytes/);
    assert.ok(lines[1]!.includes(Buffer.from(payload.public_key!, 'base64').toString('base64url')), 'the protected header, with the public key');
    assert.equal(lines[2], `in POST ${server.url}/v1/results with these headers:`);
    assert.ok(lines.includes('  content-type: application/jose'));
    assert.ok(lines.includes('  authorization: Bearer <api-key>'), 'the key itself is never echoed');
    assert.ok(!printed.err.join('\n').includes('secret-key'));
  });

  it('--yes on a terminal consents without asking', async () => {
    const tty = silentTerminal();
    const outcome = await publishRun(sampleRun(), publishOptions(where(), { yes: true, interactive: true, io: { out: () => undefined, err: () => undefined, input: tty.input, output: tty.output } }));
    assert.equal(outcome.upload?.id, 'r_published01');
    assert.equal(tty.printed(), '', 'no prompt was shown');
  });

  it('resume: an interrupted run is refused naming the workloads that did not finish, and what to run instead', async () => {
    const interrupted = sampleRun([sampleResult(), sampleResult({ workload: 'concurrent-decode', flags: ['interrupted', 'no-output'], error: 'interrupted' })]);
    const { savedPath } = await publishRun(interrupted, publishOptions(where(), { upload: false }));
    const printed = io();
    await assert.rejects(
      resumeRun({ path: savedPath!, upload: true, printPayload: false, apiUrl: server.url, yes: true, configDir: join(dir, 'config'), interactive: false, io: printed.io }),
      (e: unknown) => {
        assert.ok(e instanceof LlmSpeedError);
        assert.equal(e.code, 'interrupted');
        assert.match(e.message, new RegExp(`^not uploaded: ${savedPath!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is an interrupted run \\(concurrent-decode did not finish\\)`));
        assert.deepEqual(e.suggestions, ['llm-speed bench with the same backend, model and workloads']);
        return true;
      },
    );
    assert.deepEqual(printed.out, []);
    assert.equal(server.requests.length, 0);
  });

  it('resume: consent declined on the terminal is said as such, with the command that consents', async () => {
    const { savedPath } = await publishRun(sampleRun(), publishOptions(where(), { upload: false }));
    const tty = silentTerminal();
    const printed = io({ input: tty.input, output: tty.output });
    const configDir = join(dir, 'config');
    const refused = resumeRun({ path: savedPath!, upload: true, apiUrl: server.url, yes: false, configDir, interactive: true, io: printed.io, hints: { apiUrl: server.url, configDir } });
    setTimeout(() => tty.answer('n'), 50);
    await assert.rejects(refused, (e: unknown) => {
      assert.ok(e instanceof LlmSpeedError);
      assert.equal(e.code, 'consent');
      // What was just done is not asked again ("consent by running interactively" was): the path
      // that keeps consent, and the command for this server and config folder that consents.
      assert.equal(
        e.message,
        `not uploaded: you answered no to the upload prompt. Nothing was sent; the signed run is kept at ${savedPath}. Consent, once given, is kept in ${join(configDir, 'consent.json')}; deleting that file revokes it.`,
      );
      assert.deepEqual(e.suggestions, [
        `to upload it now (--yes records your consent):\n  llm-speed bench --resume ${savedPath} --api-url ${server.url} --config-dir ${configDir} --yes`,
        'or leave it: it stays on this machine.',
      ]);
      return true;
    });
    assert.deepEqual(printed.out, [], 'no payload printed unless asked');
    assert.equal(server.requests.length, 0);
  });
});
