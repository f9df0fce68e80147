/**
 * Server-Sent Events (WHATWG HTML §9.2, the event-stream format), stamped with the arrival time of
 * the bytes that completed each event. Shared by every HTTP driver: llama-server, OpenAI-compatible
 * servers (vLLM, hosted providers) and Anthropic's Messages API.
 *
 * Hot path: a token stream is one event per network read. The parser is a push parser fed in the
 * socket's read callback (protocol/http.ts postSse), so an event costs one decode, one line scan and
 * one object — no JSON work, no generator layer of its own. Lines are scanned for "\n" only, unless
 * the stream has used "\r" (checked once per chunk, not once per line: a scan per line would
 * re-read the rest of a large chunk for every event in it).
 */
import { StringDecoder } from 'node:string_decoder';
import { now as defaultNow, type Clock } from '../harness/clock.js';

export interface SseEvent {
  /** The `event:` field, or "message" when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** Arrival time (clock ms) of the chunk that completed this event. */
  t: number;
}

/**
 * Parses an event stream pushed chunk by chunk. `push(chunk, t)` hands every event the chunk
 * completes to `emit`, stamped `t`; `end(t)` flushes what is left when the stream ends. The same
 * bytes give the same events however they are cut into chunks — mid-line, mid-"\r\n", mid-UTF-8.
 */
export class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  private readonly emit: (event: SseEvent) => void;
  /** Text after the last complete line. */
  private pending = '';
  private first = true;
  /** Whether the stream has used "\r" yet: a lone "\r" also ends a line (spec). */
  private sawCr = false;
  /** A chunk ended on "\r": a "\n" opening the next one belongs to the same line end. */
  private afterCr = false;
  private eventType = '';
  private data: string | undefined;

  constructor(emit: (event: SseEvent) => void) {
    this.emit = emit;
  }

  push(chunk: Uint8Array | string, t: number): void {
    let text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (this.first && text.length > 0) {
      this.first = false;
      // A UTF-8 byte-order mark may open the stream (spec: ignored once).
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.afterCr && text.length > 0) {
      this.afterCr = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    const buffer = this.pending.length === 0 ? text : this.pending + text;
    if (!this.sawCr && buffer.indexOf('\r') !== -1) this.sawCr = true;
    const consumed = this.sawCr ? this.linesAnyEnding(buffer, t) : this.linesLf(buffer, t);
    this.pending = consumed === 0 ? buffer : buffer.slice(consumed);
  }

  /** The stream ended: a last line without its line end, and an event without its blank line, still count. */
  end(t: number): void {
    const tail = this.decoder.end();
    const rest = tail.length > 0 ? this.pending + tail : this.pending;
    this.pending = '';
    if (rest.length > 0) this.line(rest, t);
    this.dispatch(t);
  }

  /** Lines ended by "\n" (no "\r" seen in this stream): returns how much of buffer was consumed. */
  private linesLf(buffer: string, t: number): number {
    let start = 0;
    for (let lf = buffer.indexOf('\n'); lf !== -1; lf = buffer.indexOf('\n', start)) {
      if (lf === start) this.dispatch(t);
      else this.line(buffer.slice(start, lf), t);
      start = lf + 1;
    }
    return start;
  }

  /** Lines ended by "\r\n", "\n" or "\r". */
  private linesAnyEnding(buffer: string, t: number): number {
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (i === start) this.dispatch(t);
      else this.line(buffer.slice(start, i), t);
      if (c === 13) {
        if (i + 1 === buffer.length) {
          // "\r" last in the chunk: if the next chunk opens with "\n", that is the same line end.
          this.afterCr = true;
        } else if (buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    return start;
  }

  private line(line: string, t: number): void {
    if (line.charCodeAt(0) === 58 /* ':' a comment, e.g. keep-alive pings */) return;
    if (line.length === 0) return this.dispatch(t);
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = '';
    if (colon !== -1) value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    if (field === 'data') this.data = this.data === undefined ? value : this.data + '\n' + value;
    else if (field === 'event') this.eventType = value;
    // "id" and "retry" do not matter to a one-shot generation stream.
  }

  /** A blank line: the event so far is complete (an event without data is dropped, per spec). */
  private dispatch(t: number): void {
    if (this.data !== undefined) this.emit({ event: this.eventType || 'message', data: this.data, t });
    this.data = undefined;
    this.eventType = '';
  }
}

/**
 * Reads an event stream from any chunk source (a child's stdout, a body from postStream), stamping
 * each event with `clock()` read when its completing chunk was handed over, before any parsing.
 * For an HTTP response, postSse (protocol/http.ts) is cheaper and stamps in the socket's read
 * callback itself.
 */
export async function* readSse(body: AsyncIterable<Uint8Array | string>, clock: Clock = defaultNow): AsyncGenerator<SseEvent> {
  const ready: SseEvent[] = [];
  const parser = new SseParser((event) => ready.push(event));
  for await (const chunk of body) {
    parser.push(chunk, clock());
    if (ready.length === 0) continue;
    for (const event of ready) yield event;
    ready.length = 0;
  }
  parser.end(clock());
  yield* ready;
}
