/**
 * Group commit for ingest: submissions verified in the same event-loop turn are stored in one
 * transaction, so the per-commit cost is shared under load while a lone submission is still
 * stored before its response (the flush runs on the next setImmediate, not on a timer). A batch
 * that gathers while an earlier one is still being written (PostgreSQL answers asynchronously)
 * is flushed on its own connection; SQLite queues the transactions.
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

  constructor(private readonly repo: ResultsRepository) {}

  insert(result: NewResult): Promise<InsertOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ result, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const outcomes = await this.repo.insertMany(batch.map((p) => p.result));
        batch.forEach((p, i) => p.resolve(outcomes[i]!));
      } catch (error) {
        batch.forEach((p) => p.reject(error));
      }
    }
  }
}
