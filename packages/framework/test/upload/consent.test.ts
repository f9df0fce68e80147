import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CONSENT_TEXT, consentFilePath, consentRequired, promptConsent, readConsent, recordConsent } from '../../src/upload/index.js';

/** A fake terminal: answers are fed in, everything printed is collected. */
function fakeTty(answers: string[], options: { tty?: boolean; end?: boolean } = {}) {
  const input = new PassThrough() as PassThrough & { isTTY?: boolean };
  input.isTTY = options.tty ?? true;
  const output = new PassThrough();
  let printed = '';
  output.on('data', (c: Buffer) => (printed += c.toString()));
  for (const a of answers) input.write(a + '\n');
  if (options.end) input.end();
  return { input, output, printed: () => printed };
}

describe('first-upload consent (PRIVACY §7)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-consent-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is needed only for modes that upload: not --no-upload, --dry-run, --json, or --strict-anon', () => {
    assert.equal(consentRequired('default'), true);
    assert.equal(consentRequired('anon'), true);
    assert.equal(consentRequired('strict-anon'), false);
    assert.equal(consentRequired('default', { upload: false }), false);
    assert.equal(consentRequired('default', { dryRun: true }), false);
    assert.equal(consentRequired('anon', { json: true }), false);
  });

  it('prints the consent text and takes an empty answer as yes', async () => {
    const tty = fakeTty(['']);
    assert.equal(await promptConsent(tty), true);
    assert.ok(tty.printed().includes(CONSENT_TEXT));
    assert.ok(tty.printed().includes('[Y/n]'));
  });

  it('accepts y/yes, refuses n/no, and asks again on anything else', async () => {
    assert.equal(await promptConsent(fakeTty(['Y'])), true);
    assert.equal(await promptConsent(fakeTty(['yes'])), true);
    assert.equal(await promptConsent(fakeTty(['n'])), false);
    assert.equal(await promptConsent(fakeTty(['No'])), false);
    const unsure = fakeTty(['maybe', 'y']);
    assert.equal(await promptConsent(unsure), true);
    assert.match(unsure.printed(), /Please answer y or n/);
  });

  it('does not ask without a terminal, and treats a closed input as no', async () => {
    const piped = fakeTty(['y'], { tty: false });
    assert.equal(await promptConsent(piped), false);
    assert.equal(piped.printed(), '');
    assert.equal(await promptConsent(fakeTty([], { end: true })), false);
  });

  it('saves consent.json (0600) with timestamp, CLI version and the trimmed hash; deleting it revokes', async () => {
    assert.equal(await readConsent(dir), undefined);
    await recordConsent(dir, { cliVersion: '0.1.0', fingerprintHash: ' a1b2c3d4e5f60708 ' });
    const path = consentFilePath(dir);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(saved).sort(), ['cli_version', 'consented_at', 'fingerprint_hash']);
    assert.equal(saved.cli_version, '0.1.0');
    assert.equal(saved.fingerprint_hash, 'a1b2c3d4e5f60708');
    assert.ok(!Number.isNaN(Date.parse(saved.consented_at as string)));
    assert.deepEqual(await readConsent(dir), saved);
    unlinkSync(path);
    assert.equal(await readConsent(dir), undefined);
    assert.equal(existsSync(path), false);
  });

  it('publishRun: no terminal, no consent, no --yes → saved locally, nothing sent, message says how to consent', async () => {
    const { publishRun } = await import('../../src/harness/publish.js');
    const { recordingServer } = await import('./recording-server.js');
    const { sampleRun } = await import('../helpers/sample-run.js');
    const server = await recordingServer();
    try {
      const base = {
        mode: 'default' as const,
        dryRun: false,
        upload: true,
        printPayload: false,
        includeRawTimings: false,
        apiUrl: server.url,
        configDir: join(dir, 'config'),
        runsDir: join(dir, 'runs'),
        io: { out: () => undefined, err: () => undefined },
      };
      const skipped = await publishRun(sampleRun(), { ...base, yes: false, interactive: false });
      assert.equal(server.requests.length, 0);
      assert.ok(skipped.savedPath && existsSync(skipped.savedPath));
      assert.match(skipped.uploadSkipped ?? '', /--yes/);
      assert.equal(await readConsent(base.configDir), undefined);

      const consented = await publishRun(sampleRun(), { ...base, yes: false, interactive: true, io: { ...base.io, ...fakeTty(['']) } });
      assert.equal(server.requests.length, 1);
      assert.ok(consented.upload);
      assert.equal((await readConsent(base.configDir))?.fingerprint_hash, 'a1b2c3d4e5f60708');
    } finally {
      await server.close();
    }
  });
});
