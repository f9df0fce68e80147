/**
 * Server-Sent Events reader (WHATWG HTML §9.2 event-stream format) that timestamps each event
 * with the arrival time of the bytes that completed it. Shared by every HTTP driver: llama-server,
 * OpenAI-compatible servers (vLLM, hosted providers) and Anthropic's Messages API.
 *
 * Hot path: called once per network chunk while tokens stream, so it does no JSON work, keeps
 * one pending string and splits on line ends only.
 */
import { now as defaultNow, type Clock } from '../harness/clock.js';

export interface SseEvent {
  /** The `event:` field, or "message" when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** Arrival time (clock ms) of the chunk that completed this event. */
  t: number;
}

export async function* readSse(body: AsyncIterable<Uint8Array | string>, clock: Clock = defaultNow): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let pending = '';
  let event = '';
  let data: string[] = [];
  let first = true;

  for await (const chunk of body) {
    const t = clock();
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first) {
      // A UTF-8 byte-order mark may open the stream (spec: ignored once).
      if (pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
      first = false;
    }
    let start = 0;
    for (;;) {
      const lf = pending.indexOf('\n', start);
      const cr = pending.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A lone "\r" at the end of the buffer may be the first half of "\r\n": wait for more bytes.
        if (cr === pending.length - 1) break;
        end = cr;
        next = pending.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      const line = pending.slice(start, end);
      start = next;
      if (line.length === 0) {
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), t };
        event = '';
        data = [];
        continue;
      }
      if (line.charCodeAt(0) === 58 /* ':' comment, e.g. keep-alive pings */) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      // "id" and "retry" do not matter to a one-shot generation stream.
    }
    pending = start === 0 ? pending : pending.slice(start);
  }
  const tail = decoder.decode();
  if (tail) pending += tail;
  // A stream that ends without the final blank line still delivers its last event.
  if (pending.length > 0 && pending.startsWith('data')) {
    const colon = pending.indexOf(':');
    let value = colon === -1 ? '' : pending.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    data.push(value.replace(/\r?\n?$/, ''));
  }
  if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), t: clock() };
}
