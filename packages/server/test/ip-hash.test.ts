import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DailySaltIpHasher, SaltSecretError, secretSalts } from '../src/index.js';
import { forEachBackend, sampleRun, signedToken, startTestServer } from './helpers.js';

const DAY1_NOON = Date.parse('2026-11-24T12:00:00Z');
const DAY2_0030 = Date.parse('2026-11-25T00:30:00Z');
const DAY2_0101 = Date.parse('2026-11-25T01:01:00Z');

describe('server: hashed client IPs (PRIVACY §4)', () => {
  it('hashes to 16 hex, stable within a UTC day, different across days', () => {
    let now = DAY1_NOON;
    const hasher = new DailySaltIpHasher(() => now);
    const a = hasher.hash('203.0.113.77');
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.equal(hasher.hash('203.0.113.77'), a);
    assert.notEqual(hasher.hash('203.0.113.78'), a);
    now = DAY2_0030;
    const b = hasher.hash('203.0.113.77');
    assert.notEqual(b, a, 'same IP, new day, different hash');
    // Yesterday's salt is kept for one hour past midnight...
    assert.equal(hasher.previousHash('203.0.113.77'), a);
    assert.equal(hasher.retainedSalts(), 2);
    // ...and dropped after 01:00 UTC: yesterday's hash cannot be produced any more.
    now = DAY2_0101;
    assert.equal(hasher.previousHash('203.0.113.77'), undefined);
    assert.equal(hasher.retainedSalts(), 1);
    assert.equal(hasher.hash('203.0.113.77'), b);
  });

  it('two hashers (a restart) share nothing: the salt lives in memory only', () => {
    const clock = () => DAY1_NOON;
    assert.notEqual(new DailySaltIpHasher(clock).hash('203.0.113.77'), new DailySaltIpHasher(clock).hash('203.0.113.77'));
  });

  it('LLM_SPEED_IP_SALT_SECRET: servers holding the same secret hash a client alike; the day still changes the hash', () => {
    const secret = 'an operator secret of at least 32 characters';
    let now = DAY1_NOON;
    const machineA = new DailySaltIpHasher(() => now, secretSalts(secret));
    const machineB = new DailySaltIpHasher(() => now, secretSalts(secret));
    const elsewhere = new DailySaltIpHasher(() => now, secretSalts(secret + '!'));
    const a = machineA.hash('203.0.113.77');
    assert.equal(machineB.hash('203.0.113.77'), a, 'another machine, same secret, same day: same hash');
    assert.notEqual(elsewhere.hash('203.0.113.77'), a, 'another secret: another hash');
    assert.notEqual(new DailySaltIpHasher(() => now).hash('203.0.113.77'), a, 'no secret: a random salt');
    now = DAY2_0030;
    assert.notEqual(machineB.hash('203.0.113.77'), a, 'next day, different hash');
    assert.equal(machineA.hash('203.0.113.77'), machineB.hash('203.0.113.77'));
    assert.equal(machineA.previousHash('203.0.113.77'), a, 'yesterday kept until 01:00 as with random salts');
    now = DAY2_0101;
    assert.equal(machineA.previousHash('203.0.113.77'), undefined);
  });

  it('refuses a salt secret short enough to guess', () => {
    assert.throws(
      () => secretSalts('short'),
      (e: Error) => e instanceof SaltSecretError && /at least 32 characters/.test(e.message),
    );
  });

  it("shareable(): today's and tomorrow's salt for the workers, yesterday's only until 01:00", () => {
    let now = DAY2_0030 - 3_600_000; // yesterday, 23:30
    const yesterday = new DailySaltIpHasher(() => now);
    yesterday.hash('198.51.100.1');
    now = DAY2_0030;
    const day = Math.floor(DAY2_0030 / 86_400_000);
    assert.deepEqual(
      yesterday.shareable().map(([d]) => d),
      [day - 1, day, day + 1],
    );
    now = DAY2_0101;
    assert.deepEqual(
      yesterday.shareable().map(([d]) => d),
      [day, day + 1],
      'yesterday is no longer handed to anyone',
    );
  });
});

forEachBackend('server: hashed client IPs are stored nowhere (PRIVACY §4)', () => {
  it('the clear IP appears neither in the access log nor in the database files', async () => {
    let now = DAY1_NOON;
    const server = await startTestServer({ clock: () => now, trustProxy: ['127.0.0.1'] });
    try {
      const ip = '203.0.113.77';
      const headers = { 'x-forwarded-for': ip };
      assert.equal((await server.post('/v1/results', await signedToken(sampleRun()), headers)).status, 201);
      const id = server.logs.length;
      await server.get('/cheatsheet', headers);
      now = DAY2_0101;
      await server.get('/cheatsheet', headers);
      assert.equal(server.logs.length, id + 2);
      const hashes = server.logs.map((line) => line.split(' ')[1]);
      assert.ok(
        hashes.every((h) => /^[0-9a-f]{16}$/.test(h)),
        server.logs.join('\n'),
      );
      assert.equal(hashes[0], hashes[1], 'same day, same hash');
      assert.notEqual(hashes[2], hashes[0], 'next day, different hash');
      const everything = server.logs.join('\n');
      assert.ok(!everything.includes(ip) && !everything.includes('127.0.0.1'), everything);
      // Every row of every table; on SQLite also every byte of the database files (WAL included).
      const stored = [Buffer.from(await server.dump()), ...readdirSync(server.dir).map((f) => readFileSync(join(server.dir, f)))];
      assert.ok(stored[0]!.includes('results'), 'the dump lists the tables');
      for (const bytes of stored) {
        assert.equal(bytes.indexOf(ip), -1);
        assert.equal(bytes.indexOf('127.0.0.1'), -1);
        for (const h of hashes) assert.equal(bytes.indexOf(h), -1, 'not even the hash is stored');
      }
    } finally {
      await server.stop();
    }
  });
});
