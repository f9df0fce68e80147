/**
 * `llm-speed bench --resume`: a saved run goes up under the same rules as a fresh one — consent,
 * --no-upload, and the privacy mode it was made in (PRIVACY §3, §7).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../../src/contract/validate.js';
import { publishRun, resumeRun, type ResumeRunOptions } from '../../src/harness/publish.js';
import type { PrivacyMode } from '../../src/privacy/index.js';
import { verifyRun } from '../../src/signing/index.js';
import { loadLocalRun, localMetaPath, readConsent, readLocalRunMode, UploadFailedError } from '../../src/upload/index.js';
import { INTERRUPTED_NOT_UPLOADED, INTERRUPTED_RULE } from '../../src/compare/interrupted.js';
import { generateKeyPair, signRun } from '../../src/signing/index.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';
import { publishOptions } from '../helpers/publish-options.js';
import { recordingServer, type RecordingServer } from './recording-server.js';

const CREATED = { status: 201, body: { id: 'r_resumed0001', url: 'https://llm-speed.com/r/r_resumed0001' } };

describe('--resume follows the rules of a fresh upload', () => {
  let dir: string;
  let server: RecordingServer;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-resume-'));
    server = await recordingServer([CREATED]);
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const configDir = () => join(dir, 'config');
  const quiet = { out: () => undefined, err: () => undefined };

  /** A run saved the way `--no-upload` saves it, in `mode`. */
  async function savedRun(mode: PrivacyMode): Promise<string> {
    const offline = publishOptions({ apiUrl: server.url, configDir: configDir(), runsDir: join(dir, 'runs') }, { mode, upload: false });
    const { savedPath, uploadSkipped } = await publishRun(sampleRun(), offline);
    assert.ok(savedPath && existsSync(savedPath));
    assert.equal(server.requests.length, 0);
    // The command to upload it later stands alone on its line: the mode it was made in, and --upload.
    if (mode !== 'default') assert.ok(uploadSkipped?.split('\n').includes(`  llm-speed bench --resume ${savedPath} --${mode} --upload`), uploadSkipped);
    return savedPath;
  }

  const resumeOptions = (path: string, extra: Partial<ResumeRunOptions> = {}): ResumeRunOptions => ({
    path,
    upload: true,
    apiUrl: server.url,
    yes: false,
    configDir: configDir(),
    interactive: false,
    io: quiet,
    backoffMs: 1,
    ...extra,
  });

  describe('consent (PRIVACY §7)', () => {
    it('no terminal, no consent, no --yes: nothing is sent and the message says how to consent', async () => {
      const path = await savedRun('default');
      await assert.rejects(resumeRun(resumeOptions(path)), (error: unknown) => {
        const e = error as { message: string; suggestions: string[] };
        assert.match(e.message, /no upload consent yet/);
        assert.match(e.message, /Nothing was sent/);
        assert.ok(e.message.includes(`kept in ${join(configDir(), 'consent.json')}`), e.message);
        assert.deepEqual(e.suggestions, [
          `to upload it now (--yes records your consent):\n  llm-speed bench --resume ${path} --yes`,
          'or run that command without --yes on a terminal, to read what is sent and answer the prompt.',
        ]);
        return true;
      });
      assert.equal(server.requests.length, 0);
      assert.equal(await readConsent(configDir()), undefined);
    });

    it('--anon needs consent too, and the suggested command keeps --anon', async () => {
      const path = await savedRun('anon');
      await assert.rejects(resumeRun(resumeOptions(path)), (e: unknown) => (e as { suggestions: string[] }).suggestions[0]!.endsWith(`\n  llm-speed bench --resume ${path} --anon --yes`));
      assert.equal(server.requests.length, 0);
    });

    it('--yes consents: the run is sent once and the consent is saved', async () => {
      const path = await savedRun('default');
      const { upload, mode } = await resumeRun(resumeOptions(path, { yes: true }));
      assert.equal(upload.id, 'r_resumed0001');
      assert.equal(mode, 'default');
      assert.equal(server.requests.length, 1);
      assert.equal((await readConsent(configDir()))?.fingerprint_hash, 'a1b2c3d4e5f60708');
      // Saved consent is enough next time.
      await resumeRun(resumeOptions(path));
      assert.equal(server.requests.length, 2);
    });

    it('a --strict-anon run needs no consent (the most private mode counts as consent)', async () => {
      const path = await savedRun('strict-anon');
      await resumeRun(resumeOptions(path));
      assert.equal(server.requests.length, 1);
      assert.equal(await readConsent(configDir()), undefined);
    });
  });

  it('--no-upload: nothing is sent, and the message says so', async () => {
    const path = await savedRun('anon');
    await assert.rejects(resumeRun(resumeOptions(path, { upload: false, yes: true })), (error: unknown) => {
      const e = error as { message: string; suggestions: string[] };
      assert.match(e.message, /uploads are turned off \(--no-upload/);
      assert.match(e.message, /Nothing was sent/);
      assert.deepEqual(e.suggestions, [`to send it:\n  llm-speed bench --resume ${path} --anon --upload`]);
      return true;
    });
    assert.equal(server.requests.length, 0);
  });

  describe('the privacy mode the run was made in', () => {
    it('is recorded in a local sidecar, not in the signed file', async () => {
      const path = await savedRun('anon');
      assert.equal(await readLocalRunMode(path), 'anon');
      assert.ok(!readFileSync(path, 'utf8').includes('privacy_mode'), 'the signed run does not carry the mode');
      assert.deepEqual(check('run', await loadLocalRun(path)), []);
      assert.deepEqual(await verifyRun(await loadLocalRun(path)), { valid: true });
    });

    it('an --anon run resumed with no mode goes up as --anon (X-LLM-Speed-Anon: 1)', async () => {
      const path = await savedRun('anon');
      const { mode } = await resumeRun(resumeOptions(path, { yes: true, apiKey: 'sk-test' }));
      assert.equal(mode, 'anon');
      assert.equal(server.requests[0]!.headers['x-llm-speed-anon'], '1');
    });

    it('an --anon or --strict-anon run is refused in a weaker mode, sending nothing', async () => {
      for (const [made, asked] of [
        ['anon', 'default'],
        ['strict-anon', 'default'],
        ['strict-anon', 'anon'],
      ] as const) {
        const path = await savedRun(made);
        await assert.rejects(resumeRun(resumeOptions(path, { mode: asked, yes: true })), (error: unknown) => {
          const e = error as { message: string; suggestions: string[] };
          assert.match(e.message, new RegExp(`in ${asked} mode: it was made in ${made} mode`));
          assert.ok(
            e.suggestions.some((s) => s.endsWith(`--resume ${path} --${made}`)),
            e.suggestions.join('\n'),
          );
          return true;
        });
        unlinkSync(path);
        unlinkSync(localMetaPath(path));
      }
      assert.equal(server.requests.length, 0);
    });

    it('a default run may go up as --anon, but not as --strict-anon (it carries the hash and the persistent key)', async () => {
      const path = await savedRun('default');
      await assert.rejects(resumeRun(resumeOptions(path, { mode: 'strict-anon', yes: true })), /cannot upload .* in strict-anon mode/);
      assert.equal(server.requests.length, 0);
      await resumeRun(resumeOptions(path, { mode: 'anon', yes: true }));
      assert.equal(server.requests[0]!.headers['x-llm-speed-anon'], '1');
    });

    it('a --strict-anon run resumed sends no User-Agent of ours and no Authorization, even with an API key', async () => {
      const path = await savedRun('strict-anon');
      const { mode } = await resumeRun(resumeOptions(path, { apiKey: 'sk-test' }));
      assert.equal(mode, 'strict-anon');
      const headers = server.requests[0]!.headers;
      assert.equal(headers.authorization, undefined);
      assert.ok(!/llm-speed/i.test(headers['user-agent'] ?? ''), `User-Agent ${headers['user-agent']}`);
      assert.equal(headers['x-llm-speed-anon'], undefined);
      // and the ephemeral-key run never brought the persistent key into being
      assert.equal(existsSync(join(configDir(), 'keys')), false);
    });

    it('a --strict-anon run whose sidecar is gone is still recognised by its payload', async () => {
      const path = await savedRun('strict-anon');
      unlinkSync(localMetaPath(path));
      await assert.rejects(resumeRun(resumeOptions(path, { yes: true, mode: 'default', apiKey: 'sk-test' })), /made in strict-anon mode/);
      await resumeRun(resumeOptions(path, { yes: true, apiKey: 'sk-test' }));
      assert.equal(server.requests.length, 1);
      assert.equal(server.requests[0]!.headers.authorization, undefined);
    });

    it('an unreadable sidecar is an error unless a mode is given explicitly', async () => {
      const path = await savedRun('anon');
      writeFileSync(localMetaPath(path), '{"privacy_mode": ');
      await assert.rejects(resumeRun(resumeOptions(path, { yes: true })), /does not record a privacy mode/);
      assert.equal(server.requests.length, 0);
      await resumeRun(resumeOptions(path, { yes: true, mode: 'anon' }));
      assert.equal(server.requests[0]!.headers['x-llm-speed-anon'], '1');
    });
  });

  describe('the retry commands printed name the mode', () => {
    it('after a failed --anon upload, and after a missing consent', async () => {
      await server.close();
      // A 4xx is not retried, so the failure comes at once.
      server = await recordingServer([{ status: 400, body: { error: 'no' } }]);
      const base = publishOptions({ apiUrl: server.url, configDir: configDir(), runsDir: join(dir, 'runs') }, { mode: 'anon' });
      const skipped = await publishRun(sampleRun(), base);
      assert.ok(skipped.uploadSkipped?.split('\n').includes(`  llm-speed bench --resume ${skipped.savedPath} --anon --yes`), skipped.uploadSkipped);

      const strict = { ...base, mode: 'strict-anon' as const, yes: true };
      const started = sampleRun(undefined, '2026-11-24T12:00:00.000Z');
      await assert.rejects(publishRun(started, strict), (error: unknown) => {
        assert.ok(error instanceof UploadFailedError);
        // Once: in the suggestions, on a line of its own; the message says where the run is.
        assert.doesNotMatch(error.message, /llm-speed bench/);
        assert.match(error.suggestions[0]!, /^retry with:\n {2}llm-speed bench --resume \S+-anon\.json --strict-anon$/);
        return true;
      });
    });
  });
  describe('an interrupted run is never uploaded (all of an invocation or none)', () => {
    const interruptedRun = () => sampleRun([sampleResult(), sampleResult({ workload: 'chat-long', output_tokens: 288, flags: ['interrupted'], error: 'interrupted' })]);

    it('publish keeps it with the Ctrl-C message, and --resume refuses it with the same reason, sending nothing', async () => {
      const { savedPath, uploadSkipped, upload } = await publishRun(
        interruptedRun(),
        publishOptions({ apiUrl: server.url, configDir: configDir(), runsDir: join(dir, 'runs') }, { interrupted: true, yes: true }),
      );
      assert.equal(upload, undefined);
      assert.equal(uploadSkipped, INTERRUPTED_NOT_UPLOADED);
      assert.ok(uploadSkipped.includes(INTERRUPTED_RULE));
      assert.equal(JSON.parse(readFileSync(localMetaPath(savedPath!), 'utf8')).interrupted, true, 'the sidecar records it');
      await assert.rejects(resumeRun(resumeOptions(savedPath!, { yes: true })), (error: unknown) => {
        const message = (error as Error).message;
        assert.ok(message.includes(INTERRUPTED_RULE), message);
        assert.match(message, /chat-long did not finish/);
        assert.match(message, /Nothing was sent; run the benchmark again to submit a complete one/);
        return true;
      });
      assert.equal(server.requests.length, 0);
    });

    it('the payload alone is enough: a run copied without its sidecar, or from a CLI that only wrote the error text', async () => {
      const keys = await generateKeyPair();
      const legacy = sampleRun([sampleResult(), sampleResult({ workload: 'chat-long', error: 'interrupted before this workload started', flags: ['no-output'] })]);
      for (const [name, run] of [
        ['copied.json', interruptedRun()],
        ['legacy.json', legacy],
      ] as const) {
        const path = join(dir, name);
        writeFileSync(path, JSON.stringify(await signRun(run, keys)));
        await assert.rejects(resumeRun(resumeOptions(path, { yes: true })), new RegExp(`${name} is an interrupted run`));
      }
      assert.equal(server.requests.length, 0);
    });

    it('the sidecar alone is enough: Ctrl-C after the last workload finished leaves every result clean', async () => {
      const { savedPath } = await publishRun(sampleRun(), publishOptions({ apiUrl: server.url, configDir: configDir(), runsDir: join(dir, 'runs') }, { interrupted: true, yes: true }));
      await assert.rejects(resumeRun(resumeOptions(savedPath!, { yes: true })), /is an interrupted run — /);
      assert.equal(server.requests.length, 0);
    });

    it('a library caller that does not say it was interrupted still does not upload a flagged run', async () => {
      const published = await publishRun(interruptedRun(), publishOptions({ apiUrl: server.url, configDir: configDir(), runsDir: join(dir, 'runs') }, { yes: true }));
      assert.equal(published.uploadSkipped, INTERRUPTED_NOT_UPLOADED);
      assert.equal(server.requests.length, 0);
    });
  });
});
