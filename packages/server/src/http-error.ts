/** A refused request: HTTP status plus the message the client sees as `{"error": …}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra fields for the JSON answer (e.g. `accepted` media types on a 415). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
