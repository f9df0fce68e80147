/**
 * Newline-delimited JSON reader that timestamps each value with the arrival time of the bytes
 * that completed its line. Ollama streams NDJSON over HTTP; the Python runners of the mlx and
 * exllamav2 drivers print one JSON object per line on stdout.
 *
 * Hot path: called once per chunk while tokens stream. The arrival time is taken before any
 * decoding or parsing, so parse cost never shows up in token timings. Over HTTP, postNdjson
 * (protocol/http.ts) feeds the push parser in the socket's read callback.
 */
import { StringDecoder } from 'node:string_decoder';
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

/**
 * Parses NDJSON pushed chunk by chunk: `push(chunk, t)` hands every value the chunk completes to
 * `emit`, stamped `t`; `end(t)` parses a last line left without its newline. Blank lines and
 * "\r\n" endings are accepted; a line that is not JSON throws NdjsonParseError.
 */
export class NdjsonParser {
  private readonly decoder = new StringDecoder('utf8');
  private readonly emit: (value: NdjsonValue) => void;
  private pending = '';

  constructor(emit: (value: NdjsonValue) => void) {
    this.emit = emit;
  }

  push(chunk: Uint8Array | string, t: number): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const buffer = this.pending.length === 0 ? text : this.pending + text;
    let start = 0;
    for (let lf = buffer.indexOf('\n'); lf !== -1; lf = buffer.indexOf('\n', start)) {
      const line = buffer.slice(start, lf).trim();
      start = lf + 1;
      if (line.length > 0) this.emit({ value: parseLine(line), t });
    }
    this.pending = start === 0 ? buffer : buffer.slice(start);
  }

  end(t: number): void {
    // The last line may lack its newline (a process that exits right after printing).
    const last = (this.pending + this.decoder.end()).trim();
    this.pending = '';
    if (last.length > 0) this.emit({ value: parseLine(last), t });
  }
}

export async function* readNdjson(body: AsyncIterable<Uint8Array | string>, clock: Clock = defaultNow): AsyncGenerator<NdjsonValue> {
  const ready: NdjsonValue[] = [];
  const parser = new NdjsonParser((value) => ready.push(value));
  for await (const chunk of body) {
    // Values the chunk completed before a line that is not JSON are still delivered, then the error.
    try {
      parser.push(chunk, clock());
    } finally {
      for (const value of ready) yield value;
      ready.length = 0;
    }
  }
  parser.end(clock());
  yield* ready;
}
