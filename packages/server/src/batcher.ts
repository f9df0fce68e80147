/**
 * Group commit for ingest: submissions verified in the same event-loop turn are stored in one
 * transaction, so the per-commit cost is shared under load while a lone submission is still
 * stored before its response (the flush runs on the next setImmediate, not on a timer). One
 * transaction at a time per process: while it is written (PostgreSQL answers asynchronously) the
 * next batch gathers, and the other connections of the pool stay free for the pages.
 */
import type { InsertOutcome, NewResult, ResultsRepository } from './repository.js';

interface Pending {
  result: NewResult;
  resolve(outcome: InsertOutcome): void;
  reject(error: unknown): void;
}

/** Upper bound on one transaction, so a burst does not hold the writer for long. */
const MAX_BATCH = 256;

export class InsertBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(private readonly repo: ResultsRepository) {}

  /** Settles once nothing is queued or being written (a server that stops waits for it before closing the database). */
  async drained(): Promise<void> {
    while (this.queue.length > 0 || this.flushing || this.scheduled) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  insert(result: NewResult): Promise<InsertOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ result, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          const outcomes = await this.repo.insertMany(batch.map((p) => p.result));
          batch.forEach((p, i) => p.resolve(outcomes[i]!));
        } catch (error) {
          batch.forEach((p) => p.reject(error));
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
