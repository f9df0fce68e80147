/** The `llm-speed login` command refuses in strict-anon mode, by flag and by LLM_SPEED_MODE, before any request. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonResponse, startReplayServer, type ReplayServer } from '@llm-speed/framework/testing';
import Login from '../../src/commands/login.js';

const device = { device_code: 'dc-1', user_code: 'ABCD-EFGH', verification_uri: 'https://github.com/login/device', interval: 5, expires_in: 20 };

describe('llm-speed login command', () => {
  let api: ReplayServer | undefined;
  let dir: string;
  let savedEnv: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-login-cmd-'));
    savedEnv = { ...process.env };
    process.env.LLM_SPEED_CONFIG_DIR = dir;
  });
  afterEach(async () => {
    process.env = savedEnv;
    await api?.close();
    api = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [how, argv, env] of [
    ['the --strict-anon flag', ['--strict-anon'], {}],
    ['LLM_SPEED_MODE=strict-anon', [], { LLM_SPEED_MODE: 'strict-anon' }],
  ] as const) {
    it(`refuses in strict-anon (${how}) before any request`, async () => {
      api = await startReplayServer([{ path: /.*/, response: jsonResponse(200, device) }]);
      Object.assign(process.env, env);
      await assert.rejects(Login.run([...argv, '--api-url', api.url], join(import.meta.dirname, '..', '..')), /refusing to log in in --strict-anon mode/);
      assert.equal(api.requests.length, 0);
      assert.throws(() => statSync(join(dir, 'keys')), /ENOENT/);
    });
  }
});
