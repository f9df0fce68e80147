/**
 * Newline-delimited JSON reader that timestamps each value with the arrival time of the bytes
 * that completed its line. Ollama streams NDJSON over HTTP; the Python runners of the mlx and
 * exllamav2 drivers print one JSON object per line on stdout.
 *
 * Hot path: called once per chunk while tokens stream. The arrival time is taken before any
 * decoding or parsing, so parse cost never shows up in token timings.
 */
import { now as defaultNow, type Clock } from '../harness/clock.js';

export interface NdjsonValue {
  value: unknown;
  /** Arrival time (clock ms) of the chunk that completed this line. */
  t: number;
}

/** A line that is not JSON: the stream is corrupt, and a driver must not guess what it meant. */
export class NdjsonParseError extends Error {
  readonly line: string;
  constructor(line: string, cause: unknown) {
    super(`not a JSON line: ${line.slice(0, 160)}`, { cause });
    this.name = 'NdjsonParseError';
    this.line = line;
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new NdjsonParseError(line, error);
  }
}

export async function* readNdjson(body: AsyncIterable<Uint8Array | string>, clock: Clock = defaultNow): AsyncGenerator<NdjsonValue> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    const t = clock();
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let lf = pending.indexOf('\n'); lf !== -1; lf = pending.indexOf('\n', start)) {
      const line = pending.slice(start, lf).trim();
      start = lf + 1;
      if (line.length > 0) yield { value: parseLine(line), t };
    }
    if (start > 0) pending = pending.slice(start);
  }
  pending += decoder.decode();
  // The last line may lack its newline (a process that exits right after printing).
  const last = pending.trim();
  if (last.length > 0) yield { value: parseLine(last), t: clock() };
}
