/**
 * The one clock every measurement uses: monotonic and sub-millisecond (performance.now()).
 * Wall-clock time (Date) can jump with NTP adjustments and must never time a token.
 */
export type Clock = () => number;

export const now: Clock = () => performance.now();
