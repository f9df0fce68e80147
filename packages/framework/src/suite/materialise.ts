/**
 * Turns a suite's fixture text into the exact requests a workload sends. Every rule here is part of
 * the suite's bytes: the parameters (headers, character counts) live in suite.json and so in the
 * suite digest, and the rules themselves must not change within a suite version.
 */
import type { ChatMessage } from '../contract/driver.js';
import type { AgentTrace } from '../contract/generated/suite.js';

/** `{key}` placeholders in a header; an unknown key is left as written. */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{([a-z_]+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/**
 * The filler unit of a context-tier workload: every filler fixture followed by one extra newline
 * (fixtures end with a newline, so consecutive fixtures are separated by a blank line).
 */
export function fillerUnit(fillerTexts: string[]): string {
  return fillerTexts.map((text) => `${text}\n`).join('');
}

/**
 * A tier prompt: the header, then the filler unit repeated as often as needed, cut at exactly
 * `chars` characters. Only a rule is stored (not 500 KB of text), and the rule gives the same bytes
 * on every machine. Fixtures are ASCII, so characters and bytes coincide.
 */
export function tierPrompt(header: string, unit: string, chars: number): string {
  if (unit.length === 0) throw new Error('empty filler');
  const needed = Math.max(0, chars - header.length);
  const body = unit.repeat(Math.ceil(needed / unit.length));
  return (header + body).slice(0, chars);
}

/**
 * A concurrent stream's prompt: a header naming the stream (1-based) and the batch size, then the
 * shared text. Distinct first tokens keep a backend from reusing another stream's (or another
 * batch's) cached prompt, so every stream pays its own prefill, as independent users would.
 */
export function streamPrompt(header: string, text: string, stream: number, batch: number): string {
  return fillTemplate(header, { stream: stream + 1, batch }) + text;
}

/**
 * The messages an agent trace sends at each turn. Turn k = system + (append + fixed assistant) of
 * every earlier turn + append of turn k, so turn k's messages are a strict prefix of turn k+1's and
 * the history never depends on what the model generated.
 */
export function traceTurns(trace: AgentTrace): ChatMessage[][] {
  const history: ChatMessage[] = [{ role: 'system', content: trace.system }];
  const turns: ChatMessage[][] = [];
  for (const turn of trace.turns) {
    for (const m of turn.append) history.push(m.name === undefined ? { role: m.role, content: m.content } : { role: m.role, content: m.content, name: m.name });
    turns.push(history.slice());
    history.push({ role: 'assistant', content: turn.assistant });
  }
  return turns;
}
