/**
 * Client IPs as the server is allowed to know them (PRIVACY §4): `sha256(salt || ip)[:16]` hex.
 * One salt per UTC day, held in memory only (never persisted, never returned). Yesterday's salt
 * survives until 01:00 UTC so log lines and rate-limit buckets can be correlated across midnight;
 * after that hour it is dropped and the same IP hashes to something unrelated.
 *
 * Where a day's salt comes from (a SaltSource): by default 32 random bytes, so no other process
 * can reproduce it. Under `--workers` the primary process draws them and hands them to its
 * workers over IPC (cluster.ts), so every worker hashes a client alike. Servers on several
 * machines derive them from an operator secret instead (secretSalts): HMAC-SHA256 of the UTC date.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** Wall-clock milliseconds since the epoch; injectable so tests can cross midnight. */
export type WallClock = () => number;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How long past midnight UTC yesterday's salt is kept (PRIVACY §4). */
export const SALT_OVERLAP_MS = HOUR_MS;
/** Shortest accepted LLM_SPEED_IP_SALT_SECRET: a guessable secret would let anyone recompute every day's salt. */
export const MIN_SALT_SECRET_LENGTH = 32;

/** The salt of UTC day `day` (floor(epoch ms / 86 400 000)), asked for once per day per process. */
export type SaltSource = (day: number) => Buffer;

/** The default: random, so nothing outside this process can ever produce it again. */
export const randomSalts: SaltSource = () => randomBytes(32);

/** The operator secret is unusable: too short to resist guessing. */
export class SaltSecretError extends Error {}

/**
 * Several machines, one board: every server given the same secret derives the same salt for a
 * day — HMAC-SHA256(secret, "llm-speed ip salt " + YYYY-MM-DD) — in memory, never stored.
 */
export function secretSalts(secret: string): SaltSource {
  if (secret.length < MIN_SALT_SECRET_LENGTH) {
    throw new SaltSecretError(`LLM_SPEED_IP_SALT_SECRET must be at least ${MIN_SALT_SECRET_LENGTH} characters (e.g. openssl rand -hex 32); got ${secret.length}`);
  }
  return (day) =>
    createHmac('sha256', secret)
      .update(`llm-speed ip salt ${new Date(day * DAY_MS).toISOString().slice(0, 10)}`, 'utf8')
      .digest();
}

export class DailySaltIpHasher {
  /** UTC day number (floor(ms / day)) → salt. At most two entries: today and, until 01:00, yesterday. */
  private readonly salts = new Map<number, Buffer>();

  constructor(
    private readonly clock: WallClock = Date.now,
    private readonly source: SaltSource = randomSalts,
  ) {}

  /** The hash of `ip` under today's salt. */
  hash(ip: string): string {
    return digest(this.saltFor(this.today()), ip);
  }

  /** The hash under yesterday's salt while it is still retained (00:00–01:00 UTC), else undefined. */
  previousHash(ip: string): string | undefined {
    this.today();
    const salt = this.salts.get(this.dayNumber() - 1);
    return salt ? digest(salt, ip) : undefined;
  }

  /**
   * The salts a worker process needs from now until the next hand-over: today's and tomorrow's
   * (drawn now, so midnight never waits for IPC), and yesterday's while it is still retained.
   */
  shareable(): Array<[day: number, salt: Buffer]> {
    const day = this.today();
    this.saltFor(day);
    this.saltFor(day + 1);
    return [...this.salts.entries()].sort(([a], [b]) => a - b);
  }

  /** Number of salts currently in memory (tests check that yesterday's is really gone). */
  retainedSalts(): number {
    this.today();
    return this.salts.size;
  }

  private dayNumber(): number {
    return Math.floor(this.clock() / DAY_MS);
  }

  /** Today's day number, after dropping every salt that must no longer exist. */
  private today(): number {
    const now = this.clock();
    const day = Math.floor(now / DAY_MS);
    const keepYesterday = now - day * DAY_MS < SALT_OVERLAP_MS;
    for (const d of this.salts.keys()) {
      if (d >= day || (keepYesterday && d === day - 1)) continue;
      this.salts.delete(d);
    }
    return day;
  }

  private saltFor(day: number): Buffer {
    let salt = this.salts.get(day);
    if (!salt) {
      salt = this.source(day);
      this.salts.set(day, salt);
    }
    return salt;
  }
}

function digest(salt: Buffer, ip: string): string {
  return createHash('sha256').update(salt).update(ip, 'utf8').digest('hex').slice(0, 16);
}
