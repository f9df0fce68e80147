/**
 * Client IPs as the server is allowed to know them (PRIVACY §4): `sha256(salt || ip)[:16]` hex.
 * One random salt per UTC day, held in this object only (never persisted, never returned).
 * Yesterday's salt survives until 01:00 UTC so log lines and rate-limit buckets can be correlated
 * across midnight; after that hour it is dropped and the same IP hashes to something unrelated.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Wall-clock milliseconds since the epoch; injectable so tests can cross midnight. */
export type WallClock = () => number;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How long past midnight UTC yesterday's salt is kept (PRIVACY §4). */
export const SALT_OVERLAP_MS = HOUR_MS;

export class DailySaltIpHasher {
  /** UTC day number (floor(ms / day)) → salt. At most two entries: today and, until 01:00, yesterday. */
  private readonly salts = new Map<number, Buffer>();

  constructor(private readonly clock: WallClock = Date.now) {}

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
      if (d === day || (keepYesterday && d === day - 1)) continue;
      this.salts.delete(d);
    }
    return day;
  }

  private saltFor(day: number): Buffer {
    let salt = this.salts.get(day);
    if (!salt) {
      salt = randomBytes(32);
      this.salts.set(day, salt);
    }
    return salt;
  }
}

function digest(salt: Buffer, ip: string): string {
  return createHash('sha256').update(salt).update(ip, 'utf8').digest('hex').slice(0, 16);
}
