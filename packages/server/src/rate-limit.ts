/**
 * Per-client token bucket for POSTs, keyed by the hashed IP only (PRIVACY §4): the clear address
 * never reaches this module. During the midnight overlap hour a client's bucket carries over from
 * yesterday's hash, so the daily salt rotation is not a free refill.
 */
import type { WallClock } from './ip-hash.js';

export interface RateLimitOptions {
  /** Burst size: requests allowed at once. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { capacity: 60, refillPerSecond: 1 };
/** Buckets kept before idle full ones are swept, so memory stays bounded under many clients. */
const SWEEP_AT = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly clock: WallClock = Date.now,
  ) {}

  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string, previousKey?: string): boolean {
    const now = this.clock();
    let bucket = this.buckets.get(key);
    if (!bucket && previousKey) bucket = this.buckets.get(previousKey);
    bucket = bucket ? this.refill(bucket, now) : { tokens: this.options.capacity, at: now };
    if (this.buckets.size >= SWEEP_AT) this.sweep(now);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    return allowed;
  }

  /** Seconds until `key` has a token again (for Retry-After). */
  retryAfterSeconds(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket || bucket.tokens >= 1) return 0;
    return Math.ceil((1 - bucket.tokens) / this.options.refillPerSecond);
  }

  private refill(bucket: Bucket, now: number): Bucket {
    const tokens = Math.min(this.options.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.options.refillPerSecond);
    return { tokens, at: now };
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.refill(bucket, now).tokens >= this.options.capacity) this.buckets.delete(key);
    }
  }
}
