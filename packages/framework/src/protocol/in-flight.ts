/**
 * The requests a driver session has in flight, so close() can stop them: each request gets its
 * own AbortSignal that fires when the request's signal does (the harness aborting it, Ctrl-C) or
 * when the session aborts everything (close()). Pass that signal to the HTTP call or stream.
 */
export class InFlightRequests {
  private readonly controllers = new Set<AbortController>();

  /** A signal for one request, and the release to call when it ends (in a finally). */
  start(requestSignal: AbortSignal): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    const onAbort = () => controller.abort(requestSignal.reason);
    if (requestSignal.aborted) controller.abort(requestSignal.reason);
    else requestSignal.addEventListener('abort', onAbort, { once: true });
    this.controllers.add(controller);
    return {
      signal: controller.signal,
      release: () => {
        requestSignal.removeEventListener('abort', onAbort);
        this.controllers.delete(controller);
      },
    };
  }

  /** Aborts every request still running (idempotent: a second call finds none). */
  abortAll(): void {
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
  }

  get size(): number {
    return this.controllers.size;
  }
}
