/**
 * Issue 24, finding 7: an uncached card.png cost ~34 ms of CPU against 1.3 ms for a run page,
 * cycling through 300 ids defeated the 256-entry cache, and page GETs had no limit. Now GETs draw
 * from a per-client bucket, a card that must be drawn costs CARD_RENDER_COST of it, and a drawn
 * card is kept on disk for good (card-store.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CardStore, CARD_RENDER_COST } from '../src/card-store.js';
import { CARD_VERSION } from '../src/pages/pages.js';
import { sampleResult, sampleRun, signedToken, startTestServer, type TestServer } from './helpers.js';

const NO_REFILL = 1e-6;

describe('share cards drawn once, page GETs limited (issue 24.7)', () => {
  let server: TestServer | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-cards-'));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function postRuns(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await server!.post('/v1/results', await signedToken(sampleRun([sampleResult({ decode_tps: 100 + i })], new Date(Date.UTC(2026, 11, 2, 0, i)).toISOString())));
      assert.equal(res.status, 201, res.text);
      ids.push(res.json.id);
    }
    return ids;
  }

  it('cycling through many ids: renders stop at the client budget (429 with Retry-After); drawn cards stay cheap', async () => {
    const capacity = 100;
    server = await startTestServer({ pageRateLimit: { capacity, refillPerSecond: NO_REFILL }, cardCache: { dir } });
    const ids = await postRuns(20);
    const statuses: number[] = [];
    let refused: { retryAfter: string | null; body: string } | undefined;
    for (const id of ids) {
      const res: Response = await fetch(`${server.url}/r/${id}/card.png`);
      statuses.push(res.status);
      const body = Buffer.from(await res.arrayBuffer()).toString('utf8');
      if (res.status === 429) refused ??= { retryAfter: res.headers.get('retry-after'), body };
      else if (res.status !== 200) assert.fail(`${id}: ${res.status}`);
    }
    // Each render costs the GET (1) and the drawing (25): 100 tokens draw 3 cards.
    const drawn = Math.floor(capacity / (CARD_RENDER_COST + 1));
    assert.deepEqual(statuses.slice(0, drawn), Array(drawn).fill(200));
    assert.ok(
      statuses.slice(drawn).every((s) => s === 429),
      statuses.join(','),
    );
    assert.ok(Number(refused!.retryAfter) > 0);
    assert.match((JSON.parse(refused!.body) as { error: string }).error, /too many/);
    // The drawn cards are on disk, in the card version's folder, one per ranking state: these runs' group
    // holds one key's runs, below the default evidence rule, so each is drawn as "not ranked yet" (pending).
    for (const id of ids.slice(0, drawn)) assert.ok(existsSync(join(dir, `v${CARD_VERSION}`, `${id}.pending.png`)), id);
    assert.ok(!existsSync(join(dir, `v${CARD_VERSION}`, `${ids[drawn]}.pending.png`)));
  });

  it('page GETs have a bucket per client: 429 with Retry-After once it is empty; the health check is not counted', async () => {
    server = await startTestServer({ pageRateLimit: { capacity: 5, refillPerSecond: NO_REFILL } });
    for (let i = 0; i < 3; i++) assert.equal((await server.get('/healthz')).status, 200);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await server.get('/cheatsheet')).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
    const page = await server.get('/cheatsheet', { accept: 'text/html' });
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers.get('retry-after')) > 0);
    assert.match(page.text, /<h1>Too many requests<\/h1>/);
    assert.equal((await server.get('/healthz')).status, 200);
  });

  it('a card drawn once is drawn never again: a new process finds it on disk, byte for byte', async () => {
    const png = Buffer.from('not really a png, but the bytes a render gave');
    let calls = 0;
    const render = async () => (calls++, png);
    const first = new CardStore({ dir });
    assert.deepEqual(await first.get('r_AAAAAAAAAAA', { limiter: undefined, key: 'k' }, render), png);
    assert.deepEqual(await first.get('r_AAAAAAAAAAA', { limiter: undefined, key: 'k' }, render), png);
    assert.equal(calls, 1);
    const second = new CardStore({ dir });
    assert.deepEqual(await second.get('r_AAAAAAAAAAA', { limiter: undefined, key: 'k' }, render), png);
    assert.equal(calls, 1, 'read from disk, not drawn again');
    assert.equal(second.renders, 0);
    assert.deepEqual(readFileSync(join(dir, `v${CARD_VERSION}`, 'r_AAAAAAAAAAA.png')), png);
  });
});
