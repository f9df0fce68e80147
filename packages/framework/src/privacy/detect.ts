/**
 * Finds personal data in one piece of text (PRIVACY §1/§2): IP and MAC addresses, e-mail
 * addresses, absolute filesystem paths and host names. Each finding is a span, so the client can
 * replace it with a placeholder (`<path>`, `<host>`, …) and keep the rest of an error message,
 * and the server can name what it refused.
 *
 * What legitimately appears in a run is the yardstick for every pattern: hub ids
 * (`Qwen/Qwen2.5-7B-Instruct-GGUF`, `hf.co/…`), ollama tags (`llama3.2:3b-instruct-q4_K_M`),
 * provider ids (`openrouter:meta-llama/llama-4-scout`), versions (`0.5.0 (de3ff81)`, `v0.6.1`),
 * file names (`model-q4_0.gguf`), CPU and GPU names (`Intel(R) Xeon(R) CPU @ 2.20GHz`) and
 * backend API paths in error texts (`/v1/chat/completions`). test/privacy/rules.test.ts holds both
 * lists: what must be found and what must not.
 */
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';

export type PersonalDataKind = 'ipv4' | 'ipv6' | 'mac' | 'email' | 'path' | 'hostname';

export interface Finding {
  kind: PersonalDataKind;
  start: number;
  end: number;
}

/** What replaces each kind on the client (errors stay readable: "connect ECONNREFUSED <ip>:8080"). */
export const PLACEHOLDERS: Record<PersonalDataKind | 'fixture-text', string> = {
  ipv4: '<ip>',
  ipv6: '<ip>',
  mac: '<mac>',
  email: '<email>',
  path: '<path>',
  hostname: '<host>',
  'fixture-text': '<prompt text>',
};

/**
 * Hosts that may be named: model hubs and the hosted providers' public API hosts (and their
 * subdomains). A host outside this list may be somebody's machine or employer.
 */
export const ALLOWED_HOSTS = [
  'huggingface.co',
  'hf.co',
  'ollama.com',
  'ollama.ai',
  'modelscope.cn',
  'github.com',
  'githubusercontent.com',
  'openai.com',
  'anthropic.com',
  'openrouter.ai',
  'together.xyz',
  'together.ai',
  'fireworks.ai',
  'groq.com',
  'mistral.ai',
  'deepseek.com',
  'googleapis.com',
  'x.ai',
  'cohere.com',
  'cohere.ai',
  'deepinfra.com',
  'cerebras.ai',
  'perplexity.ai',
];

/** Names that are local by convention (RFC 6762, RFC 8375, common router and corporate suffixes). */
const LOCAL_SUFFIXES = new Set(['local', 'lan', 'home', 'internal', 'intranet', 'corp', 'localdomain', 'private', 'localhost', 'arpa', 'test', 'example', 'invalid']);

/** File extensions that are also TLDs or look like one: `model.safetensors`, `run.py`, `x.zip` are files, not hosts. */
const FILE_EXTENSIONS = new Set(
  (
    'gguf ggml bin safetensors pt pth onnx mlx npz npy pkl model tiktoken json jsonl yaml yml toml txt md rst py pyc sh bash zsh js mjs cjs ts ' +
    'log csv tsv zip gz tgz tar xz bz2 zst so dll dylib exe cpp cc cxx c h hpp cu cuh metal html htm xml ini cfg conf lock env out err tmp bak ' +
    'sock pid db sqlite'
  ).split(' '),
);

const require = createRequire(import.meta.url);
const TLDS = new Set<string>((require('tlds') as string[]).map((t) => t.toLowerCase()));

function isAllowedHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return ALLOWED_HOSTS.some((allowed) => h === allowed || h.endsWith('.' + allowed));
}

/** A dotted name whose last label is a real (or conventionally local) TLD and not a file extension. */
function looksLikeHostname(name: string): boolean {
  const labels = name.replace(/\.$/, '').split('.');
  if (labels.length < 2) return false;
  const tld = labels[labels.length - 1]!;
  // Real names are written in one case; "torch.OutOfMemoryError" is code, not a host.
  if (tld !== tld.toLowerCase() && tld !== tld.toUpperCase()) return false;
  const lower = tld.toLowerCase();
  if (FILE_EXTENSIONS.has(lower)) return false;
  return TLDS.has(lower) || LOCAL_SUFFIXES.has(lower);
}

/** First path segments of HTTP APIs that appear in backend error texts; not filesystem paths. */
const API_ROOTS = new Set([
  'v1',
  'v2',
  'v3',
  'api',
  'chat',
  'completion',
  'completions',
  'health',
  'healthz',
  'props',
  'metrics',
  'slots',
  'tokenize',
  'detokenize',
  'models',
  'generate',
  'embeddings',
  'infill',
  'openai',
  'inference',
]);

const URL_PATTERN = /\b([a-z][a-z0-9+.-]{1,15}):\/\/([^\s"'<>]*)/gi;
const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*/g;
const MAC_PATTERN = /(?<![0-9A-Fa-f:-])[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![0-9A-Fa-f:-])|(?<![0-9A-Fa-f.])[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![0-9A-Fa-f.])/g;
const IPV6_PATTERN = /(?<![\w:.])\[?(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*(?:%[\w.-]+)?\]?/g;
const IPV4_PATTERN = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d]|\.\d)/g;
const WINDOWS_PATH = /(?<![A-Za-z0-9])[A-Za-z]:[\\/][^\s"'<>|]*|\\\\[^\s\\]+\\[^\s]*|[\w.$~-]*\\[\w.$~-]+(?:\\[\w.$~ -]*)*/g;
const HOME_PATH = /(?<![\w/])~[A-Za-z0-9._-]*\/[^\s"'<>]*/g;
const POSIX_PATH = /(?<![\w.~:/\\<-])\/(?!\/)[^\s"'<>(),;`]+/g;
const HOSTNAME = /(?<![\w.@-])(?:[A-Za-z0-9_][A-Za-z0-9_-]{0,62}\.)+[A-Za-z]{2,63}\.?(?![\w-]|\.[A-Za-z0-9])/g;

/** Blanks a span so later patterns do not find pieces of what an earlier one already took. */
function mask(text: string, start: number, end: number): string {
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}

function hostKind(host: string): PersonalDataKind {
  const bare = host.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return 'ipv4';
  if (isIPv6(bare)) return 'ipv6';
  return 'hostname';
}

/** Every span of personal data in `text`, in order of position. */
export function findPersonalData(text: string): Finding[] {
  const found: Finding[] = [];
  let rest = text;
  const take = (kind: PersonalDataKind, start: number, end: number) => {
    found.push({ kind, start, end });
    rest = mask(rest, start, end);
  };

  // Most strings of a run are model names, versions and numbers: no pattern can match a string
  // without one of these characters, and the server checks every string of every upload.
  if (!/[.:/\\@~-]/.test(text)) return found;
  const has = (ch: string) => text.includes(ch);

  // URLs first: an allowed host's URL is fine as a whole; otherwise the authority (or, for file:, the path) is the finding.
  for (const m of has('://') ? [...text.matchAll(URL_PATTERN)] : []) {
    const start = m.index!;
    const scheme = m[1]!.toLowerCase();
    const afterScheme = start + m[1]!.length + 3;
    const rest_ = m[2]!;
    if (scheme === 'file') {
      take('path', start, start + m[0].length);
      continue;
    }
    const authority = /^[^/?#]*/.exec(rest_)![0];
    const userinfo = authority.lastIndexOf('@');
    const hostPort = authority.slice(userinfo + 1);
    const host = hostPort.startsWith('[') ? hostPort.slice(0, hostPort.indexOf(']') + 1) : hostPort.replace(/:\d*$/, '');
    if (userinfo >= 0) take('email', afterScheme, afterScheme + userinfo + 1 + host.length);
    else if (!isAllowedHost(host) && host.length > 0) take(hostKind(host), afterScheme, afterScheme + host.length);
    // The URL's path is an HTTP path, not a filesystem one: keep later patterns off it.
    rest = mask(rest, afterScheme + authority.length, start + m[0].length);
    if (userinfo < 0 && isAllowedHost(host)) rest = mask(rest, start, start + m[0].length);
  }

  if (has('@')) for (const m of [...rest.matchAll(EMAIL_PATTERN)]) take('email', m.index!, m.index! + m[0].length);
  for (const m of [...rest.matchAll(MAC_PATTERN)]) take('mac', m.index!, m.index! + m[0].length);
  for (const m of has(':') ? [...rest.matchAll(IPV6_PATTERN)] : []) {
    const candidate = m[0].replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const trimmed = candidate.replace(/[.:]+$/, (tail) => (tail.startsWith('::') ? '::' : ''));
    if (isIPv6(candidate) || isIPv6(trimmed)) take('ipv6', m.index!, m.index! + m[0].length);
  }
  if (has('.')) for (const m of [...rest.matchAll(IPV4_PATTERN)]) if (isIPv4(m[0])) take('ipv4', m.index!, m.index! + m[0].length);
  for (const pattern of [WINDOWS_PATH, HOME_PATH]) {
    for (const m of [...rest.matchAll(pattern)]) if (m[0].length > 2) take('path', m.index!, m.index! + m[0].length);
  }
  for (const m of [...rest.matchAll(POSIX_PATH)]) {
    const firstSegment = m[0]
      .slice(1)
      .split(/[/?#:]/)[0]!
      .toLowerCase();
    if (API_ROOTS.has(firstSegment)) continue;
    take('path', m.index!, m.index! + m[0].replace(/[.:]+$/, '').length);
  }
  for (const m of has('.') ? [...rest.matchAll(HOSTNAME)] : []) {
    const name = m[0];
    if (looksLikeHostname(name) && !isAllowedHost(name)) take('hostname', m.index!, m.index! + name.replace(/\.$/, '').length);
  }
  return found.sort((a, b) => a.start - b.start);
}

/** `text` with every finding replaced by its placeholder. */
export function scrubText(text: string): string {
  const found = findPersonalData(text);
  let out = '';
  let at = 0;
  for (const f of found) {
    if (f.start < at) continue;
    out += text.slice(at, f.start) + PLACEHOLDERS[f.kind];
    at = f.end;
  }
  return out + text.slice(at);
}
