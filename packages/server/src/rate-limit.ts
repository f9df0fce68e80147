/**
 * Rate limits for POSTs: @fastify/rate-limit does the hooking, the 429 and the Retry-After /
 * X-RateLimit-* headers; what it counts is ours.
 *
 * The key is the client's daily-salted hash (PRIVACY §4), never the clear address: a v4 address,
 * or the /64 of a v6 one (one subscriber gets a whole /64, so per-address buckets would hand each
 * v6 client 2^64 of them); an IPv4-mapped v6 address counts as the v4 address.
 *
 * Why a store of our own instead of the plugin's LocalStore: the key changes at midnight UTC when
 * the salt rotates, and a fresh key must not be a fresh bucket. During the overlap hour (yesterday's
 * salt is kept until 01:00) the key generator hands the store both hashes, "today<yesterday", and
 * the store carries yesterday's bucket over. LocalStore sees only an opaque key (and reads
 * Date.now(), so tests could not cross midnight). The bucket itself is a token bucket: bursts up
 * to `capacity`, then `refillPerSecond`.
 */
import type { FastifyRateLimitStore, RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';
import type { WallClock } from './ip-hash.js';

export interface RateLimitOptions {
  /** Burst size: requests allowed at once. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { capacity: 60, refillPerSecond: 1 };
/**
 * GETs per client (pages, JSON, cards): bursts of 300, 5 a second after that — far above a person
 * reading, and a crawler's steady pace. A card that must be rendered costs CARD_RENDER_COST of them.
 */
export const DEFAULT_PAGE_RATE_LIMIT: RateLimitOptions = { capacity: 300, refillPerSecond: 5 };
/** Buckets kept before idle full ones are swept, so memory stays bounded under many clients. */
const SWEEP_AT = 10_000;
/** Separates today's hash from yesterday's in a rate-limit key (hashes are hex, so it cannot occur in one). */
const CARRY_SEPARATOR = '<';

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly clock: WallClock = Date.now,
  ) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0) || !Number.isFinite(options.capacity) || !Number.isFinite(options.refillPerSecond)) {
      throw new RangeError(`rate limit needs capacity >= 1 and refillPerSecond > 0, got ${JSON.stringify(options)}`);
    }
  }

  /**
   * Takes one token for `key`; false when the bucket is empty. A key seen for the first time
   * starts from `previousKey`'s bucket when there is one (the salt rotation is not a refill).
   */
  take(key: string, previousKey?: string, cost = 1): boolean {
    const now = this.clock();
    let bucket = this.buckets.get(key);
    if (!bucket && previousKey) bucket = this.buckets.get(previousKey);
    bucket = bucket ? this.refill(bucket, now) : { tokens: this.options.capacity, at: now };
    if (this.buckets.size >= SWEEP_AT) this.sweep(now);
    const allowed = bucket.tokens >= cost;
    if (allowed) bucket.tokens -= cost;
    this.buckets.set(key, bucket);
    return allowed;
  }

  /**
   * Clients held in memory. Bounded: once SWEEP_AT are held, every bucket that has refilled to
   * capacity is forgotten (it is indistinguishable from a new client), so a flood of distinct
   * addresses cannot grow the map without end and no client that still owes tokens is refilled.
   */
  get tracked(): number {
    return this.buckets.size;
  }

  /** Whole tokens left for `key` (capacity for an unknown key). */
  remaining(key: string): number {
    const bucket = this.buckets.get(key);
    return Math.floor(bucket ? this.refill(bucket, this.clock()).tokens : this.options.capacity);
  }

  /** Milliseconds until `key` has `cost` tokens again (0 when it has them). */
  retryAfterMs(key: string, cost = 1): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const tokens = this.refill(bucket, this.clock()).tokens;
    return tokens >= cost ? 0 : Math.ceil(((cost - tokens) / this.options.refillPerSecond) * 1000);
  }

  /** Seconds until `key` has `cost` tokens again (for Retry-After). */
  retryAfterSeconds(key: string, cost = 1): number {
    return Math.ceil(this.retryAfterMs(key, cost) / 1000);
  }

  private refill(bucket: Bucket, now: number): Bucket {
    const tokens = Math.min(this.options.capacity, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.options.refillPerSecond);
    return { tokens, at: now };
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.refill(bucket, now).tokens >= this.options.capacity) this.buckets.delete(key);
    }
  }
}

/** The client as the limiter may know it: today's hash and, until 01:00 UTC, yesterday's. */
export interface HashedClient {
  hash: string;
  previousHash?: string;
}

/**
 * Options for @fastify/rate-limit. Not global: a route opts in with `config: { rateLimit: {} }`,
 * and every such route draws from the same bucket per client (the store ignores the route).
 */
export function hashedIpRateLimit(options: RateLimitOptions, clock: WallClock, clientOf: (request: FastifyRequest) => HashedClient): RateLimitPluginOptions {
  const limiter = new TokenBucketLimiter(options, clock);
  const max = Math.floor(options.capacity);

  class HashedIpTokenBucketStore implements FastifyRateLimitStore {
    incr(compositeKey: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void): void {
      const [key, previousKey] = compositeKey.split(CARRY_SEPARATOR);
      const allowed = limiter.take(key, previousKey);
      // The plugin refuses when current > max and reports max - current as remaining.
      const current = allowed ? max - Math.min(max, limiter.remaining(key)) : max + 1;
      callback(null, { current, ttl: allowed ? 0 : limiter.retryAfterMs(key) });
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }

  return {
    global: false,
    hook: 'onRequest',
    max,
    // A token bucket has no window that "resets"; Retry-After and X-RateLimit-Remaining say it all.
    addHeaders: { 'x-ratelimit-reset': false },
    addHeadersOnExceeding: { 'x-ratelimit-reset': false },
    store: HashedIpTokenBucketStore,
    keyGenerator: (request: FastifyRequest) => {
      const { hash, previousHash } = clientOf(request);
      return previousHash ? `${hash}${CARRY_SEPARATOR}${previousHash}` : hash;
    },
    errorResponseBuilder: () => new HttpError(429, 'too many submissions from this address; retry later'),
  };
}
