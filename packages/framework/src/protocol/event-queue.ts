/**
 * The hand-over between a push parser, fed in a socket's read callback, and the driver's
 * `for await` loop. One event costs one array slot and one settled promise: no stream object, no
 * generator of its own. Events are delivered in order, then the end or the failure.
 */
export interface EventQueueHooks {
  /** The consumer stopped reading before the end (a `break` out of its loop): cancel the source. */
  cancel(): void;
  /** Too many events wait unread: stop reading the source until the consumer catches up. */
  pause?(): void;
  resume?(): void;
}

/** Unread events above which the source is paused (a consumer far slower than the network). */
const HIGH_WATER = 1024;

export class EventQueue<E> implements AsyncIterableIterator<E> {
  private items: E[] = [];
  private head = 0;
  private waiting: { resolve: (result: IteratorResult<E>) => void; reject: (error: unknown) => void } | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private paused = false;
  private readonly hooks: EventQueueHooks;

  constructor(hooks: EventQueueHooks) {
    this.hooks = hooks;
  }

  push(event: E): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      waiting.resolve({ value: event, done: false });
      return;
    }
    this.items.push(event);
    if (!this.paused && this.items.length - this.head >= HIGH_WATER && this.hooks.pause) {
      this.paused = true;
      this.hooks.pause();
    }
  }

  /** The source ended normally: the consumer sees the events left, then done. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.waiting?.resolve({ value: undefined, done: true });
    this.waiting = undefined;
  }

  /** The source failed: the consumer sees the events left, then this error. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = { error };
    this.waiting?.reject(error);
    this.waiting = undefined;
  }

  next(): Promise<IteratorResult<E>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head++]!;
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
        if (this.paused) {
          this.paused = false;
          this.hooks.resume?.();
        }
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Called by `break`/`return` in the consumer's loop: anything still coming is cancelled. */
  return(): Promise<IteratorResult<E>> {
    if (!this.ended) {
      this.ended = true;
      this.hooks.cancel();
    }
    this.items.length = 0;
    this.head = 0;
    this.failure = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
