/**
 * Share cards, rendered once (issue 24.7). An uncached card.png cost ~34 ms of CPU against 1.3 ms
 * for a run page, and cycling through more ids than the memory cache held made every request a
 * render. Now:
 * - a rendered card is kept in memory (CardCache, bounded) and, with a card directory, on disk as
 *   `<dir>/v<CARD_VERSION>/<id>.<state>.png` (a card per ranking state, pages/card.tsx), so each run's card is rendered once for the life of the
 *   board, across restarts and (on a shared directory) across workers;
 * - a render draws CARD_RENDER_COST tokens from the client's GET bucket (about the CPU ratio of a
 *   render to a page), so one client cannot make a server render cards faster than it could fetch
 *   pages; a card already rendered costs what any GET does;
 * - at most one render runs at a time per process and a few wait: beyond that 503, so many clients
 *   together cannot take every core either.
 * A card directory that cannot be written (full, read-only) costs only the disk copy: the card is
 * served from the render, and the log says why it was not kept.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpError } from './http-error.js';
import { CARD_VERSION, CardCache } from './pages/pages.js';
import type { TokenBucketLimiter } from './rate-limit.js';

/** A render against a page: ~34 ms of CPU against ~1.3 ms (issue 24's probe), rounded down. */
export const CARD_RENDER_COST = 25;
/** Renders waiting for the one that runs, per process. */
const MAX_WAITING_RENDERS = 8;

export interface CardStoreOptions {
  /** Where rendered cards are kept on disk (none: memory only). */
  dir?: string;
  maxEntries?: number;
  maxBytes?: number;
}

/** Whom a render is charged to: the client's GET bucket (today's and yesterday's hash), or nobody when GETs are not limited. */
export interface RenderCharge {
  limiter: TokenBucketLimiter | undefined;
  key: string;
  previousKey?: string;
}

export class CardStore {
  private readonly memory: CardCache;
  private readonly dir: string | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  /** Cards rendered by this process (tests, and the operator's curiosity). */
  renders = 0;

  constructor(options: CardStoreOptions = {}) {
    this.memory = new CardCache(options.maxEntries, options.maxBytes);
    this.dir = options.dir ? join(options.dir, `v${CARD_VERSION}`) : undefined;
    if (this.dir) mkdirSync(this.dir, { recursive: true });
  }

  /** The card of run `id`: from memory, from disk, or rendered (charged to `charge`). */
  get(id: string, charge: RenderCharge, render: () => Promise<Buffer>): Promise<Buffer> {
    return this.memory.get(id, async () => this.fromDisk(id) ?? this.renderOnce(id, charge, render));
  }

  private file(id: string): string | undefined {
    return this.dir && /^r_[A-Za-z0-9_-]{11}(\.[a-z]+)?$/.test(id) ? join(this.dir, `${id}.png`) : undefined;
  }

  private fromDisk(id: string): Buffer | undefined {
    const file = this.file(id);
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch {
      return undefined;
    }
  }

  private async renderOnce(id: string, charge: RenderCharge, render: () => Promise<Buffer>): Promise<Buffer> {
    if (charge.limiter && !charge.limiter.take(charge.key, charge.previousKey, CARD_RENDER_COST)) {
      throw new HttpError(
        429,
        'too many new share cards from this address: each one is drawn for you; retry later',
        {},
        { 'retry-after': String(charge.limiter.retryAfterSeconds(charge.key, CARD_RENDER_COST)) },
      );
    }
    if (this.waiting >= MAX_WAITING_RENDERS) {
      throw new HttpError(503, 'the server is drawing other share cards; retry in a few seconds', {}, { 'retry-after': '2' });
    }
    this.waiting += 1;
    const turn = this.running.then(async () => {
      this.waiting -= 1;
      this.renders += 1;
      return render();
    });
    this.running = turn.catch(() => undefined);
    const png = await turn;
    this.keep(id, png);
    return png;
  }

  private keep(id: string, png: Buffer): void {
    const file = this.file(id);
    if (!file) return;
    const partial = `${file}.${process.pid}.partial`;
    try {
      writeFileSync(partial, png);
      renameSync(partial, file);
    } catch (error) {
      process.stderr.write(`llm-speed-server: share card ${id} not kept on disk (${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message}): it is rendered again when asked\n`);
    }
  }
}
