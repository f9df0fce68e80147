/**
 * `llm-speed login` end to end on 127.0.0.1: the real results server (temp SQLite) runs GitHub's
 * device flow against a loopback replay of a recorded exchange, and the CLI's login library polls
 * it through authorization_pending and slow_down to the linked login.
 *
 * Wire format of the recorded exchange: GitHub docs, "Authorizing OAuth apps" → "Device flow"
 * (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow)
 * and RFC 8628 §3.2/§3.5: POST /login/device/code → {device_code, user_code, verification_uri,
 * expires_in, interval}; POST /login/oauth/access_token (grant_type
 * urn:ietf:params:oauth:grant-type:device_code) answers HTTP 200 with {"error":
 * "authorization_pending" | "slow_down" | "expired_token" | "access_denied", error_description,
 * error_uri} until it answers {access_token, token_type: "bearer", scope}; GET
 * https://api.github.com/user → {"login": …}.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import { generateKeyPair, loadOrCreateKeyPair, loginChallenge, loginFilePath, loginWithDeviceFlow, publicKeyToBase64, signRun, toCompactJws } from '@llm-speed/framework';
import { jsonResponse, startReplayServer, type ReplayResponse, type ReplayServer } from '@llm-speed/framework/testing';
import { forEachBackend, sampleRun, startTestServer, type TestServer } from './helpers.js';

const DEVICE_CODE = '3584d83530557fdd1f46af8289938c8ef79f9dc5';
const deviceCodeAnswer = { device_code: DEVICE_CODE, user_code: 'WDJB-MJHT', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 5 };
const githubError = (error: string, extra: Record<string, unknown> = {}): ReplayResponse =>
  jsonResponse(200, { error, error_description: `recorded ${error}`, error_uri: 'https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow', ...extra });
const tokenAnswer = jsonResponse(200, { access_token: 'gho_16C7e42F292c6912E7710c838347Ae178B4a', token_type: 'bearer', scope: 'read:user' });

function githubReplay(tokenResponses: ReplayResponse[], login = 'octocat'): Promise<ReplayServer> {
  return startReplayServer([
    { method: 'POST', path: '/login/device/code', response: jsonResponse(200, deviceCodeAnswer) },
    { method: 'POST', path: '/login/oauth/access_token', response: tokenResponses },
    { method: 'GET', path: '/user', response: jsonResponse(200, { login, id: 583231, type: 'User' }) },
  ]);
}

forEachBackend('llm-speed login (GitHub device flow via the results server)', () => {
  let github: ReplayServer;
  let server: TestServer;
  let configDir: string;
  const sleeps: number[] = [];
  let fakeNow = 0;
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    fakeNow += ms;
  };
  const lines: string[] = [];

  async function start(tokenResponses: ReplayResponse[], login?: string) {
    github = await githubReplay(tokenResponses, login);
    server = await startTestServer({ github: { clientId: 'Iv1.testclient', oauthBaseUrl: github.url, apiBaseUrl: github.url } });
  }

  beforeEach(() => {
    configDir = mkdtempSync(join(tmpdir(), 'llm-speed-login-'));
    sleeps.length = 0;
    lines.length = 0;
    fakeNow = 0;
  });
  afterEach(async () => {
    await server?.stop();
    await github?.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('polls through authorization_pending and slow_down, links the key, writes login.json 0600, and the run page shows the contributor', async () => {
    await start([githubError('authorization_pending'), githubError('authorization_pending'), githubError('slow_down', { interval: 10 }), tokenAnswer]);
    const record = await loginWithDeviceFlow({ apiUrl: server.url, configDir, sleep, now: () => fakeNow, print: (l) => lines.push(l) });

    assert.equal(record.login, 'octocat');
    assert.deepEqual(lines, ['Open https://github.com/login/device and enter WDJB-MJHT']);
    // interval 5 s, twice pending, then slow_down adds 5 s to every later poll.
    assert.deepEqual(sleeps, [5000, 5000, 5000, 10000]);

    // What the server sent GitHub: the client id, the scope, the device grant; the CLI never talked to GitHub.
    const codeReq = github.requests.find((r) => r.path === '/login/device/code')!;
    assert.equal(codeReq.headers.accept, 'application/json');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(codeReq.body)), { client_id: 'Iv1.testclient', scope: 'read:user' });
    const polls = github.requests.filter((r) => r.path === '/login/oauth/access_token');
    assert.equal(polls.length, 4);
    assert.equal(new URLSearchParams(polls[0]!.body).get('grant_type'), 'urn:ietf:params:oauth:grant-type:device_code');
    assert.equal(new URLSearchParams(polls[0]!.body).get('device_code'), DEVICE_CODE);
    const userReq = github.requests.find((r) => r.path === '/user')!;
    assert.equal(userReq.headers.authorization, 'Bearer gho_16C7e42F292c6912E7710c838347Ae178B4a');

    const file = loginFilePath(configDir);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.login, 'octocat');
    assert.equal(saved.api_url, server.url);
    assert.ok(!Number.isNaN(Date.parse(saved.linked_at)));

    // The link row exists, for this machine's persistent key; the GitHub token is stored nowhere.
    const keys = await loadOrCreateKeyPair(configDir);
    const rows = await server.sql('SELECT public_key, github_login FROM contributor_links');
    const dump = await server.dump();
    assert.deepEqual(rows, [{ public_key: publicKeyToBase64(keys.publicKey), github_login: 'octocat' }]);
    assert.ok(!dump.includes('gho_'));

    // A result signed afterwards with the same key shows the contributor; one by another key does not.
    const mine = await server.post('/v1/results', toCompactJws(await signRun(sampleRun(), keys)));
    assert.equal(mine.status, 201);
    const page = await server.get(`/r/${mine.json.id}`);
    assert.match(page.text, /<td id="contributor">contributed by octocat<\/td>/);
    const other = await server.post('/v1/results', toCompactJws(await signRun(sampleRun(undefined, '2026-11-24T11:00:00.000Z'), await generateKeyPair())));
    assert.equal(other.status, 201);
    assert.doesNotMatch((await server.get(`/r/${other.json.id}`)).text, /contributed by/);

    // An --anon upload (X-LLM-Speed-Anon: 1) signed by the same linked key is nobody's contribution.
    const anon = await server.post('/v1/results', toCompactJws(await signRun(sampleRun(undefined, '2026-11-24T12:00:00.000Z'), keys)), { 'x-llm-speed-anon': '1' });
    assert.equal(anon.status, 201);
    assert.doesNotMatch((await server.get(`/r/${anon.json.id}`)).text, /contributed by/);
  });

  it('refuses a proof signed by another key with 400 and stores nothing', async () => {
    await start([tokenAnswer]);
    const keys = await generateKeyPair();
    const intruder = await generateKeyPair();
    const proof = Buffer.from(await ed.signAsync(new TextEncoder().encode(loginChallenge(DEVICE_CODE)), intruder.secretKey)).toString('base64url');
    const answer = await server.post('/v1/auth/token', { device_code: DEVICE_CODE, public_key: publicKeyToBase64(keys.publicKey), proof });
    assert.equal(answer.status, 400);
    assert.match(answer.json.error, /proof/);
    assert.equal(github.requests.length, 0, 'a bad proof must not cost a GitHub poll');
    assert.deepEqual(await server.sql('SELECT public_key FROM contributor_links'), []);
  });

  it('refuses the small-order forgery (identity key, signature 0x01 ‖ zeros) that proves any device code to OpenSSL alone', async () => {
    await start([tokenAnswer]);
    const zeroSignature = new Uint8Array(64);
    zeroSignature[0] = 1;
    const answer = await server.post('/v1/auth/token', {
      device_code: DEVICE_CODE,
      public_key: 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      proof: Buffer.from(zeroSignature).toString('base64url'),
    });
    assert.equal(answer.status, 400);
    assert.match(answer.json.error, /proof/);
    assert.equal(github.requests.length, 0);
  });

  it('keeps the first link: the same key cannot be re-linked to another GitHub login (409)', async () => {
    await start([tokenAnswer], 'mallory');
    const keys = await generateKeyPair();
    const publicKey = publicKeyToBase64(keys.publicKey);
    await server.repository.linkContributor(publicKey, 'octocat', '2026-11-24T00:00:00.000Z');
    const proof = Buffer.from(await ed.signAsync(new TextEncoder().encode(loginChallenge(DEVICE_CODE)), keys.secretKey)).toString('base64url');
    const again = await server.post('/v1/auth/token', { device_code: DEVICE_CODE, public_key: publicKey, proof });
    assert.equal(again.status, 409);
    assert.match(again.json.error, /already linked to GitHub user octocat/);
    assert.equal((await server.repository.linkContributor(publicKey, 'mallory', '2026-11-25T00:00:00.000Z')).login, 'octocat');
  });

  it('expired_token ends the login with a clear error and writes no login.json', async () => {
    await start([githubError('authorization_pending'), githubError('expired_token')]);
    await assert.rejects(
      loginWithDeviceFlow({ apiUrl: server.url, configDir, sleep, now: () => fakeNow, print: () => {} }),
      (error: Error & { code?: string }) => error.code === 'login-expired' && /expired: the code was not entered on GitHub in time/.test(error.message),
    );
    assert.throws(() => statSync(loginFilePath(configDir)), /ENOENT/);
  });

  it('refuses strict-anon before any request is made', async () => {
    await start([tokenAnswer]);
    const logsBefore = server.logs.length;
    await assert.rejects(
      loginWithDeviceFlow({ apiUrl: server.url, configDir, mode: 'strict-anon', sleep, print: () => {} }),
      (error: Error & { code?: string }) => error.code === 'login-strict-anon' && /strict-anon/.test(error.message),
    );
    assert.equal(github.requests.length, 0);
    assert.equal(server.logs.length, logsBefore, 'the results server saw no request');
    assert.throws(() => statSync(join(configDir, 'keys')), /ENOENT/, 'the persistent key is not even created');
  });

  it('answers 503 when the server has no GitHub client id', async () => {
    github = await githubReplay([tokenAnswer]);
    const saved = process.env.LLM_SPEED_GITHUB_CLIENT_ID;
    delete process.env.LLM_SPEED_GITHUB_CLIENT_ID;
    try {
      server = await startTestServer({ github: { oauthBaseUrl: github.url, apiBaseUrl: github.url } });
      const answer = await server.post('/v1/auth/device', {});
      assert.equal(answer.status, 503);
      assert.match(answer.json.error, /LLM_SPEED_GITHUB_CLIENT_ID/);
    } finally {
      if (saved !== undefined) process.env.LLM_SPEED_GITHUB_CLIENT_ID = saved;
    }
  });
});
