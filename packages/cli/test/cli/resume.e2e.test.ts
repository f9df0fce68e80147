/**
 * `llm-speed bench --resume` through the real CLI against a loopback results server: consent,
 * --no-upload and the recorded privacy mode apply as they do to a fresh upload.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { publishRun } from '@llm-speed/framework';
import type { PrivacyMode } from '@llm-speed/framework';
import { consentFilePath } from '@llm-speed/framework';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { sampleRun } from '@llm-speed/framework/testing';
import { publishOptions } from '../../../framework/test/helpers/publish-options.js';
import { recordingServer, type RecordingServer } from '../../../framework/test/upload/recording-server.js';

describe('llm-speed bench --resume (e2e, real CLI)', function () {
  this.timeout(120_000);
  let box: Sandbox;
  let server: RecordingServer;
  beforeEach(async () => {
    box = sandbox();
    server = await recordingServer();
  });
  afterEach(async () => {
    await server.close();
    box.cleanup();
  });

  /** A run saved by `--no-upload` in `mode`, in the sandbox's own runs folder. */
  async function saved(mode: PrivacyMode): Promise<string> {
    const { savedPath } = await publishRun(sampleRun(), publishOptions({ apiUrl: server.url, configDir: box.env.LLM_SPEED_CONFIG_DIR!, runsDir: join(box.root, 'runs') }, { mode, upload: false }));
    return savedPath!;
  }

  const resume = (path: string, ...args: string[]) => box.run(['bench', '--resume', path, '--api-url', server.url, ...args]);

  it('no terminal, no consent, no --yes: nothing is sent and the error says how to consent; --yes sends it', async () => {
    const path = await saved('default');
    const refused = await resume(path);
    assert.notEqual(refused.exitCode, 0);
    assert.match(String(refused.stderr), /no upload consent yet/);
    assert.match(String(refused.stderr), /--yes/);
    assert.equal(server.requests.length, 0);
    assert.equal(existsSync(consentFilePath(box.env.LLM_SPEED_CONFIG_DIR!)), false);

    const sent = await resume(path, '--yes');
    assert.equal(sent.exitCode, 0, String(sent.stderr));
    assert.match(String(sent.stdout), /uploaded: http/);
    assert.equal(server.requests.length, 1);
    assert.ok(existsSync(consentFilePath(box.env.LLM_SPEED_CONFIG_DIR!)));
  });

  it('--no-upload: nothing is sent, with a clear message', async () => {
    const path = await saved('default');
    const r = await resume(path, '--no-upload', '--yes');
    assert.notEqual(r.exitCode, 0);
    assert.match(String(r.stderr), /uploads are turned off/);
    assert.equal(server.requests.length, 0);
  });

  it('an --anon run goes up as --anon, and is refused in default mode', async () => {
    const path = await saved('anon');
    const viaEnv = await box.run(['bench', '--resume', path, '--api-url', server.url, '--yes'], { env: { LLM_SPEED_MODE: 'default' } });
    assert.notEqual(viaEnv.exitCode, 0);
    assert.match(String(viaEnv.stderr), /made in anon mode/);
    assert.equal(server.requests.length, 0);

    const r = await resume(path, '--yes');
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.match(String(r.stdout), /uploaded \(anon\)/);
    assert.equal(server.requests[0]!.headers['x-llm-speed-anon'], '1');
  });

  it('a --strict-anon run sends no User-Agent of ours and no Authorization, even with --api-key', async () => {
    const path = await saved('strict-anon');
    const r = await resume(path, '--api-key', 'sk-test');
    assert.equal(r.exitCode, 0, String(r.stderr));
    const headers = server.requests[0]!.headers;
    assert.equal(headers.authorization, undefined);
    assert.ok(!/llm-speed/i.test(headers['user-agent'] ?? ''), `User-Agent ${headers['user-agent']}`);
  });
});
