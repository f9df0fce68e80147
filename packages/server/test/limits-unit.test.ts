/**
 * The server's counting parts at their edges, without HTTP: the daily salt's hour of overlap and
 * its derivation from an operator secret, the token bucket's numbers, the rate-limit store's
 * answers to @fastify/rate-limit, robust z against the README's definition computed the slow way,
 * cluster statistics, and the --trust-proxy list.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { clusterStats, DailySaltIpHasher, hashedIpRateLimit, leaveOneOutZ, MIN_SALT_SECRET_LENGTH, parseTrustProxy, secretSalts, TokenBucketLimiter, TrustProxyError } from '../src/index.js';
import { isOutlier } from '../src/outliers.js';

const DAY_MS = 86_400_000;
const DAY = Math.floor(Date.UTC(2026, 10, 28) / DAY_MS);

describe('daily salt: the hour of overlap, and the salt an operator secret gives', () => {
  it("yesterday's salt lives until 01:00:00.000 UTC exactly, not a millisecond longer", () => {
    let now = DAY * DAY_MS - 1; // 23:59:59.999
    const hasher = new DailySaltIpHasher(() => now);
    const yesterday = hasher.hash('203.0.113.9');
    now = DAY * DAY_MS + 3_600_000 - 1;
    assert.notEqual(hasher.hash('203.0.113.9'), yesterday);
    assert.equal(hasher.previousHash('203.0.113.9'), yesterday);
    assert.equal(hasher.retainedSalts(), 2);
    now = DAY * DAY_MS + 3_600_000;
    assert.equal(hasher.previousHash('203.0.113.9'), undefined);
    assert.equal(hasher.retainedSalts(), 1);
  });

  it('a salt two days old is gone even inside the hour of overlap', () => {
    let now = (DAY - 2) * DAY_MS + 1000;
    const hasher = new DailySaltIpHasher(() => now);
    hasher.hash('203.0.113.9');
    now = DAY * DAY_MS + 1000;
    hasher.hash('203.0.113.9');
    assert.equal(hasher.retainedSalts(), 1);
    assert.deepEqual(
      hasher.shareable().map(([d]) => d),
      [DAY, DAY + 1],
    );
  });

  it('from a secret: HMAC-SHA256 of "llm-speed ip salt " and the UTC date, so every machine and version agrees', () => {
    const secret = 'an operator secret of 32 chars!!';
    assert.equal(secret.length, MIN_SALT_SECRET_LENGTH);
    // printf 'llm-speed ip salt 2026-11-28' | openssl dgst -sha256 -hmac 'an operator secret of 32 chars!!'
    assert.equal(secretSalts(secret)(DAY).toString('hex'), '8b6e639ae5235cc0ad4ea020a5150ba0e09b0fa07f0f91da13d1e8cb07d8e56a');
    assert.equal(secretSalts(secret)(DAY + 1).toString('hex'), createHmac('sha256', secret).update('llm-speed ip salt 2026-11-29').digest('hex'));
    assert.throws(() => secretSalts(secret.slice(1)), /at least 32 characters .*; got 31/);
  });
});

describe('token bucket: the numbers', () => {
  it('refuses a configuration that could never allow a request or never refill', () => {
    for (const options of [
      { capacity: 0.5, refillPerSecond: 1 },
      { capacity: 1, refillPerSecond: 0 },
      { capacity: Number.NaN, refillPerSecond: 1 },
      { capacity: 10, refillPerSecond: Number.POSITIVE_INFINITY },
      { capacity: Number.POSITIVE_INFINITY, refillPerSecond: 1 },
      { capacity: 5, refillPerSecond: -1 },
    ]) {
      assert.throws(
        () => new TokenBucketLimiter(options),
        (e: unknown) => e instanceof RangeError && /capacity >= 1 and refillPerSecond > 0/.test(e.message) && e.message.includes(JSON.stringify(options)),
        JSON.stringify(options),
      );
    }
    assert.doesNotThrow(() => new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0.001 }));
  });

  it('Retry-After is the time until one whole token is back', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 0.5 }, () => now);
    assert.equal(limiter.retryAfterMs('a'), 0, 'unknown key: no wait');
    assert.ok(limiter.take('a') && limiter.take('a'));
    assert.equal(limiter.take('a'), false);
    assert.equal(limiter.retryAfterMs('a'), 2000); // 1 token at 0.5 per second
    now = 500; // 0.25 tokens back
    assert.equal(limiter.retryAfterMs('a'), 1500);
    assert.equal(limiter.retryAfterSeconds('a'), 2);
    now = 2000;
    assert.equal(limiter.retryAfterMs('a'), 0);
    assert.equal(limiter.remaining('a'), 1);
    now = 60_000;
    assert.equal(limiter.remaining('a'), 2, 'never more than the capacity');
    assert.equal(limiter.retryAfterMs('a'), 0, 'a full bucket waits for nothing (never a negative wait)');
  });

  it('a flood of distinct clients is forgotten once refilled, never a client that still owes tokens', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 0.5 }, () => now);
    for (let i = 0; i < 10_000; i++) limiter.take(`flood-${i}`); // each left with 1 of 2 tokens
    assert.equal(limiter.tracked, 10_000);
    // At 1 s each flood bucket holds 1.5 tokens: not full, so the sweep this take starts keeps them.
    now = 1_000;
    assert.ok(limiter.take('heavy') && limiter.take('heavy')); // spent: 0 tokens at 1 s
    assert.equal(limiter.tracked, 10_001);
    // At 2.5 s each flood bucket is back to 2 (1 + 2.5 s × 0.5, capped): full, so forgotten by the
    // sweep the newcomer starts; 'heavy' holds 0.75 (1.5 s × 0.5) and is kept.
    now = 2_500;
    assert.ok(limiter.take('newcomer'));
    assert.equal(limiter.tracked, 2, "only 'heavy' and the newcomer are held");
    assert.equal(limiter.take('heavy'), false, 'the sweep refilled nobody');
    assert.equal(limiter.retryAfterMs('heavy'), 500); // (1 − 0.75) tokens at 0.5 per second
  });

  it('tells @fastify/rate-limit how many were used and how long to wait, per hashed client', () => {
    let now = 0;
    const options = hashedIpRateLimit(
      { capacity: 3, refillPerSecond: 1 },
      () => now,
      () => ({ hash: 'h' }),
    );
    assert.equal(options.max, 3);
    assert.deepEqual(options.addHeaders, { 'x-ratelimit-reset': false }, 'a token bucket has no window that resets');
    assert.deepEqual(options.addHeadersOnExceeding, { 'x-ratelimit-reset': false });
    const Store = options.store as unknown as new () => { incr(key: string, cb: (e: Error | null, r?: { current: number; ttl: number }) => void): void };
    const store = new Store();
    const answers: Array<{ current: number; ttl: number }> = [];
    for (let i = 0; i < 4; i++) store.incr('h', (_e, r) => answers.push(r!));
    assert.deepEqual(answers, [
      { current: 1, ttl: 0 },
      { current: 2, ttl: 0 },
      { current: 3, ttl: 0 },
      { current: 4, ttl: 1000 },
    ]);
    // Midnight: today's hash is new, yesterday's bucket comes along ("today<yesterday").
    now = 100;
    store.incr('h2<h', (_e, r) => answers.push(r!));
    assert.deepEqual(answers.at(-1), { current: 4, ttl: 900 });
    const key = (options.keyGenerator as (r: unknown) => string)({});
    assert.equal(key, 'h');
    const carried = hashedIpRateLimit(
      { capacity: 3, refillPerSecond: 1 },
      () => now,
      () => ({ hash: 'today', previousHash: 'yesterday' }),
    );
    assert.equal((carried.keyGenerator as (r: unknown) => string)({}), 'today<yesterday');
  });
});

/** The server README's definition, computed the slow way: each value against the median and MAD of the others. */
function referenceZ(values: number[]): number[] {
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length;
    return m % 2 ? s[(m - 1) / 2]! : (s[m / 2 - 1]! + s[m / 2]!) / 2;
  };
  return values.map((v, i) => {
    const others = values.filter((_, j) => j !== i);
    const med = median(others);
    const mad = median(others.map((o) => Math.abs(o - med)));
    const sigma = Math.max(1.4826 * mad, Math.abs(med) * 0.005, Number.MIN_VALUE);
    return (v - med) / sigma;
  });
}

describe('robust z: the fast computation agrees with the definition', () => {
  it('on clusters with ties, odd and even sizes, negative values and one far outlier', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const clusters: number[][] = [
      [100, 100, 100, 101, 102],
      [5, 5, 5, 5, 9, 9],
      [1, 2, 2, 3, 3, 3, 4, 50],
      [-10, -9, -9, -8, 0, 40],
      [100, 100.5, 99.5, 101, 98, 180, 100.25],
    ];
    for (let c = 0; c < 60; c++) {
      const n = 5 + Math.floor(random() * 9);
      clusters.push(Array.from({ length: n }, () => Math.round(random() * 12) * (random() < 0.2 ? 10 : 1)));
    }
    for (const values of clusters) {
      const fast = leaveOneOutZ(values);
      const slow = referenceZ(values);
      for (let i = 0; i < values.length; i++) {
        assert.ok(Math.abs(fast[i]! - slow[i]!) <= 1e-9 * Math.max(1, Math.abs(slow[i]!)), `${JSON.stringify(values)}[${i}]: ${fast[i]} vs ${slow[i]}`);
      }
    }
  });

  it('flags strictly beyond 3σ', () => {
    assert.equal(isOutlier(3), false);
    assert.equal(isOutlier(-3), false);
    assert.equal(isOutlier(3.0000001), true);
    assert.equal(isOutlier(-4), true);
    assert.equal(isOutlier(Number.NaN), false);
  });
});

describe('cluster statistics', () => {
  it("n, min, median, max and mean, worked by hand; the caller's list untouched", () => {
    const values = [30, 10, 20];
    assert.deepEqual(clusterStats(values), { n: 3, min: 10, median: 20, max: 30, mean: 20 });
    assert.deepEqual(values, [30, 10, 20]);
    assert.deepEqual(clusterStats([4, 1, 3, 2]), { n: 4, min: 1, median: 2.5, max: 4, mean: 2.5 });
    assert.deepEqual(clusterStats([7]), { n: 1, min: 7, median: 7, max: 7, mean: 7 });
    assert.deepEqual(clusterStats([]), { n: 0, min: null, median: null, max: null, mean: null });
    const skewed = clusterStats([100, 9, 10]);
    assert.deepEqual({ ...skewed, mean: undefined }, { n: 3, min: 9, median: 10, max: 100, mean: undefined });
    assert.ok(Math.abs(skewed.mean! - 119 / 3) < 1e-12, `mean ${skewed.mean}`);
  });
});

describe('--trust-proxy at its edges', () => {
  it("every name proxy-addr knows; each family's full prefix; spaces around entries", () => {
    assert.deepEqual(parseTrustProxy('loopback,linklocal,uniquelocal'), ['loopback', 'linklocal', 'uniquelocal']);
    assert.deepEqual(parseTrustProxy(['10.0.0.1/32', ' 2001:db8::/48 ', '::1/128']), ['10.0.0.1/32', '2001:db8::/48', '::1/128']);
    assert.deepEqual(parseTrustProxy(', ,'), []);
    for (const bad of ['10.0.0.0/0008', '::/129', '10.0.0.0/33']) {
      assert.throws(
        () => parseTrustProxy(bad),
        (e: unknown) =>
          e instanceof TrustProxyError && e.name === 'TrustProxyError' && e.message.startsWith(`--trust-proxy: "${bad}" is not an IP address or CIDR; `) && /comma-separated/.test(e.message),
        bad,
      );
    }
  });
});
