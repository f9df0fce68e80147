/** The bounds of what the HTTP server accepts and lists, in one place. */

/** Largest accepted POST /v1/results body. A full suite-v1 run is ~10 KiB; raw timings can add more. */
export const MAX_RESULT_BYTES = 256 * 1024;
/** Largest dispute / message body, and the longest message kept. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_MESSAGE_CHARS = 5000;
/** IPv6 clients share a rate-limit bucket (and a log hash) per /64: one subscriber's allocation. */
export const IPV6_CLIENT_PREFIX = 64;
/** Latest runs on a model or hardware listing. */
export const LISTING_LIMIT = 200;
/** Groups per list of the board. */
export const CHEATSHEET_LIMIT = 50;
/** Most runs one /compare page sets side by side. */
export const MAX_COMPARED_RUNS = 6;
