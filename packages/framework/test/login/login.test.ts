/**
 * The login library's polling rules against a scripted results server (the server side and the
 * recorded GitHub exchange are covered end to end in packages/server/test/auth.test.ts). The
 * `llm-speed login` command's strict-anon refusal is in packages/cli/test/login/login-command.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import { loginChallenge, loginFilePath, loginWithDeviceFlow } from '../../src/login/index.js';
import { publicKeyFromBase64 } from '../../src/signing/index.js';
import { jsonResponse, startReplayServer, type ReplayServer } from '../../src/testing/index.js';

const device = { device_code: 'dc-1', user_code: 'ABCD-EFGH', verification_uri: 'https://github.com/login/device', interval: 5, expires_in: 20 };

describe('login library', () => {
  let api: ReplayServer | undefined;
  let dir: string;
  let fakeNow: number;
  const sleeps: number[] = [];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    fakeNow += ms;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-login-lib-'));
    fakeNow = 1_000_000;
    sleeps.length = 0;
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a proof by its persistent key over llm-speed-login:<device_code> and stops at the expires_in deadline', async () => {
    api = await startReplayServer([
      { method: 'POST', path: '/v1/auth/device', response: jsonResponse(200, device) },
      { method: 'POST', path: '/v1/auth/token', response: jsonResponse(200, { status: 'authorization_pending' }) },
    ]);
    await assert.rejects(loginWithDeviceFlow({ apiUrl: api.url + '/', configDir: dir, sleep, now: () => fakeNow, print: () => {} }), (e: Error & { code?: string }) => e.code === 'login-expired');
    // 20 s lifetime, 5 s interval: polls at 5, 10, 15, 20 s; the wait to 25 s passes the deadline.
    assert.deepEqual(sleeps, [5000, 5000, 5000, 5000, 5000]);
    const polls = api.requests.filter((r) => r.path === '/v1/auth/token');
    assert.equal(polls.length, 4);
    const body = polls[0]!.json as { device_code: string; public_key: string; proof: string };
    assert.equal(body.device_code, 'dc-1');
    const ok = await ed.verifyAsync(Buffer.from(body.proof, 'base64url'), new TextEncoder().encode(loginChallenge('dc-1')), publicKeyFromBase64(body.public_key));
    assert.ok(ok, 'the proof verifies with the sent public key');
    assert.equal(statSync(join(dir, 'keys', 'ed25519.key')).mode & 0o777, 0o600, 'the persistent key was used (created)');
  });

  it('turns access_denied and a server error into clear errors', async () => {
    api = await startReplayServer([
      { method: 'POST', path: '/v1/auth/device', response: jsonResponse(200, device) },
      { method: 'POST', path: '/v1/auth/token', response: [jsonResponse(200, { status: 'access_denied' }), jsonResponse(400, { error: 'the proof is not valid' })] },
    ]);
    await assert.rejects(loginWithDeviceFlow({ apiUrl: api.url, configDir: dir, sleep, now: () => fakeNow, print: () => {} }), /denied on GitHub/);
    await assert.rejects(loginWithDeviceFlow({ apiUrl: api.url, configDir: dir, sleep, now: () => fakeNow, print: () => {} }), /HTTP 400: the proof is not valid/);
    assert.throws(() => statSync(loginFilePath(dir)), /ENOENT/);
  });
});
