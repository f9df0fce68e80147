/** A refused request: HTTP status plus the message the client sees as `{"error": …}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra fields for the JSON answer (e.g. `accepted` media types on a 415). */
    readonly extra: Record<string, unknown> = {},
    /** Headers for the answer (e.g. Retry-After on a 429 or 503). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
