/**
 * Finds personal data in one piece of text (PRIVACY §1/§2): IP and MAC addresses, e-mail
 * addresses, absolute filesystem paths and host names. Each finding is a span, so the client can
 * replace it with a placeholder (`<path>`, `<host>`, …) and keep the rest of an error message,
 * and the server can name what it refused.
 *
 * Every pattern reads the normal form of the text (normalize.ts: escapes decoded, full-width and
 * homoglyph characters folded, lower case), so `１９２．１６８．１．２０`, `%2Fhome%2Falice` and
 * `alice-desktop.Local` are what they look like. Spans are mapped back to the original text.
 *
 * What legitimately appears in a run is the yardstick for every pattern: hub ids
 * (`Qwen/Qwen2.5-7B-Instruct-GGUF`, `hf.co/…`), ollama tags (`llama3.2:3b-instruct-q4_K_M`),
 * provider ids (`openrouter:meta-llama/llama-4-scout`), versions (`0.5.0 (de3ff81)`, `v0.6.1`),
 * file names (`model-q4_0.gguf`), CPU and GPU names (`Intel(R) Xeon(R) CPU @ 2.20GHz`) and
 * backend API paths in error texts (`/v1/chat/completions`). test/privacy/rules.test.ts holds both
 * lists: what must be found and what must not.
 */
import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import { normalizeText, originalSpan } from './normalize.js';

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

/**
 * File extensions: `model.safetensors`, `run.py` and `x.zip` are files. Several are also TLDs
 * (.py .sh .md .zip .so .pt .cu .rs .pl .cc .ps .pid .mov …): a name ending in one of those is a
 * host only when the name before it looks like a host (hostBeforeExtension).
 */
const FILE_EXTENSIONS = new Set(
  (
    'gguf ggml bin safetensors pt pth onnx mlx npz npy pkl model tiktoken json jsonl yaml yml toml txt md rst py pyc sh bash zsh js mjs cjs ts ' +
    'log csv tsv zip gz tgz tar xz bz2 zst so dll dylib exe cpp cc cxx c h hpp cu cuh metal html htm xml ini cfg conf lock env out err tmp bak ' +
    'sock pid db sqlite rs pl ps mov'
  ).split(' '),
);

/** Words that name a machine in a host name (`alice-desktop`, `gpu-node3`, `build-vm`). */
const HOST_WORDS = /^(?:desktop|laptop|notebook|pc|workstation|ws|host|box|mac|macbook|mbp|imac|thinkpad|xps|nas|vm|vps|node|srv|devbox|rig)\d*$/;

/**
 * Python and other code namespaces whose dotted names end in a word that is also a TLD
 * (`torch.Storage`, `asyncio.run`, `mlx.core.Stream`): code, not a host, when the first label is
 * one of these and any middle label is a submodule below. Only the last label is free, so such a
 * name can carry no host of its own.
 */
const CODE_NAMESPACES = new Set([
  'torch',
  'mlx',
  'mx',
  'np',
  'numpy',
  'jax',
  'tf',
  'os',
  'sys',
  'asyncio',
  'json',
  'vllm',
  'transformers',
  'llama_cpp',
  'ggml',
  'exllamav2',
  'triton',
  'cuda',
  'self',
  'process',
]);
const CODE_SUBMODULES = new Set(['core', 'cuda', 'nn', 'utils', 'backends', 'distributed', 'mps', 'metal', 'fft', 'linalg', 'random', 'ops', 'amp', 'optim', 'engine', 'path']);

const require = createRequire(import.meta.url);
const TLDS = new Set<string>((require('tlds') as string[]).map((t) => t.toLowerCase()));

function isAllowedHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return ALLOWED_HOSTS.some((allowed) => h === allowed || h.endsWith('.' + allowed));
}

const DNS_LABEL = /^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$/;

/** Before a file-extension TLD: two or more DNS labels (`vpn.acme-corp.sh`), or one naming a machine (`alice-desktop.md`). */
function hostBeforeExtension(labels: string[]): boolean {
  if (!labels.every((l) => DNS_LABEL.test(l) && /[a-z]/.test(l))) return false;
  if (labels.some((l) => FILE_EXTENSIONS.has(l))) return false; // llama.cpp.zip, model.tar.gz
  if (labels.length >= 2) return true;
  return labels[0]!.split('-').some((part) => HOST_WORDS.test(part));
}

/** A dotted name (normal form: lower case) that is a host name: its last label a real or local TLD, not a file, not code. */
export function looksLikeHostname(name: string): boolean {
  const labels = name.replace(/\.$/, '').split('.');
  if (labels.length < 2) return false;
  const tld = labels.pop()!;
  if (!TLDS.has(tld) && !LOCAL_SUFFIXES.has(tld)) return false;
  if (FILE_EXTENSIONS.has(tld)) return hostBeforeExtension(labels);
  if (CODE_NAMESPACES.has(labels[0]!) && labels.length <= 2 && labels.slice(1).every((l) => CODE_SUBMODULES.has(l))) return false;
  return true;
}

/**
 * HTTP API paths that appear in backend error texts (`/v1/chat/completions`, `/api/generate`,
 * `/health`): every segment an API word, except that a versioned models route may end in a model
 * id (`/v1/models/gpt-4o`). Anything else with a slash in front is a filesystem path.
 */
const API_WORDS = new Set([
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
  'tags',
  'show',
  'ps',
  'version',
  'messages',
  'responses',
]);

function isApiPath(path: string): boolean {
  const segments = path
    .slice(1)
    .split(/[?#]/)[0]!
    .replace(/[.:/]+$/, '')
    .split('/');
  const versioned = /^(?:v\d|api|openai)$/.test(segments[0]!);
  return segments.every((segment, i) => {
    if (API_WORDS.has(segment) || /^\d{1,4}$/.test(segment)) return true;
    // The model id in /v1/models/<id>: the last segment, no file name (`x.gguf`) and no user folder under it.
    return versioned && i === segments.length - 1 && segments[i - 1] === 'models' && !/\.(?:gguf|bin|safetensors|pt|pth|onnx)$/.test(segment);
  });
}

/**
 * IPv4 as inet_aton(3) reads it: 1 to 4 dot-separated parts, each decimal, octal (leading 0) or
 * hex (0x); the last part fills the remaining bytes (a.b.c: c is 16 bits; a.b: b is 24; a: 32).
 * Returns the 32-bit address, or null when inet_aton would refuse the text.
 */
export function inetAton(text: string): { value: number; parts: string[] } | null {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((p) => p.length === 0)) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/.test(part)) n = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) n = parseInt(part, 8);
    else if (/^(?:0|[1-9][0-9]*)$/.test(part)) n = Number(part);
    else return null;
    if (!Number.isSafeInteger(n)) return null;
    numbers.push(n);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255) || last >= 2 ** (8 * (4 - numbers.length))) return null;
  return { value: numbers.reduce((sum, n, i) => sum + n * 2 ** (24 - 8 * i), 0) + last, parts };
}

/** Networks whose addresses point at somebody's machine or network, or are written in examples (RFC 1918, 6598, 3927, 5737). */
const TELLING_NETWORKS: Array<[string, number]> = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
  ['192.0.2.0', 24],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
];
const NETWORKS = TELLING_NETWORKS.map(([base, bits]) => ({ ten: base === '10.0.0.0', prefix: Math.floor(inetAton(base)!.value / 2 ** (32 - bits)), bits }));

function inNetworks(value: number, withTen: boolean): boolean {
  return NETWORKS.some((n) => (withTen || !n.ten) && Math.floor(value / 2 ** (32 - n.bits)) === n.prefix);
}

/**
 * Whether a dotted or single number (already seen to parse with inet_aton) is written as an IPv4
 * address rather than as a version, a decimal or a count (PRIVACY §2 lists these cases):
 * - four parts: always (`192.168.1.20`, `192.168.001.020`, `0xc0.0xa8.1.20`);
 * - two or three parts: when a part is hex, a part before the last is octal (`0300.0250.4375`),
 *   or the address lies in a private, link-local, CGNAT or documentation network (`192.168.4375`,
 *   `192.11016471`, `172.20.5`); in 10/8 only when the last part is more than its own byte could
 *   hold (`10.20.7720`), since `10.1` and `10.0.130` are CUDA versions; `3.14159` and `0.001`
 *   are decimals;
 * - one number: a whole address (2^24 or more) with a `:port` after it, or hex or octal in one of
 *   those networks (10/8 included), or ten decimal digits in one of them (10/8 excluded: nine-digit
 *   byte counts).
 */
function isAddressSpelling(parsed: { value: number; parts: string[] }, followedByPort: boolean): boolean {
  const { value, parts } = parsed;
  if (parts.length === 4) return true;
  const last = parts[parts.length - 1]!;
  if (parts.length >= 2) {
    if (parts.some((p) => p.startsWith('0x')) || parts.slice(0, -1).some((p) => /^0[0-7]/.test(p))) return true;
    if (inNetworks(value, false)) return true;
    return inNetworks(value, true) && Number(last) >= 2 ** (8 * (5 - parts.length) - 8);
  }
  if (followedByPort && value >= 2 ** 24) return true;
  if (/^0x|^0[0-7]/.test(last)) return inNetworks(value, true);
  return last.length === 10 && inNetworks(value, false);
}

const URL_PATTERN = /\b([a-z][a-z0-9+.-]{1,15}):\/\/([^\s"'<>]*)/g;
const FILE_URL = /\bfile:[^\s"'<>]*/g;
const EMAIL_PATTERN = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*/g;
/** `alice(at)example.com`, `alice [at] example [dot] com`, `alice at example dot com`, `alice @ example.com`. */
const SPELLED_EMAIL = /([a-z0-9._%+-]+)(\s*[([{<]\s*at\s*[)\]}>]\s*|\s+at\s+|\s+@\s*|\s*@\s+)([a-z0-9-]+(?:(?:\s*[([{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\s*\.\s*)[a-z0-9-]+)*)/g;
const SPELLED_DOT = /\s*[([{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\s*\.\s*/g;
const MAC_PATTERN =
  /(?<![0-9a-z:._-])[0-9a-f]{1,2}([:._ -])[0-9a-f]{1,2}(?:[:._ -][0-9a-f]{1,2}){4}(?![0-9a-z]|[:._-][0-9a-f])|(?<![0-9a-z:._-])[0-9a-f]{4}([:._ -])[0-9a-f]{4}\2[0-9a-f]{4}(?![0-9a-z]|[:._-][0-9a-f])/g;
const IPV6_PATTERN = /(?<![\w:.])\[?(?:[0-9a-f]{0,4}:){2,7}[0-9a-f.]*(?:%[\w.-]+)?\]?/g;
const IPV4_CANDIDATE = /(?<![\w.])(?:0x[0-9a-f]+|\d+)(?:\.(?:0x[0-9a-f]+|\d+)){0,3}(?!\w|\.\d)/g;
const WINDOWS_PATH = /(?<![a-z0-9])[a-z]:[\\/][^\s"'<>|]*|\\\\[^\s\\]+\\[^\s]*|[\w.$~-]*\\[\w.$~-]+(?:\\[\w.$~ -]*)*/g;
const UNC_FORWARD = /(?<![\w:/.])\/\/[a-z0-9][\w.$-]*\/[^\s"'<>]*/g;
const HOME_PATH = /(?<![\w/])~[a-z0-9._-]*\/[^\s"'<>]*/g;
/** A home folder without its leading slash (`home/alice/x.gguf`): hub ids have two segments, this has three. */
const RELATIVE_HOME = /(?<![\w./-])(?:home|users)\/[^\s/"'<>]+\/[^\s"'<>]+/g;
const POSIX_PATH = /(?<![\w.~/\\<-])\/(?!\/)[^\s"'<>(),;`]+/g;
const HOSTNAME = /(?<![\w.@-])(?:[a-z0-9_][a-z0-9_-]{0,62}\.)+[a-z]{2,63}\.?(?![\w-]|\.[a-z0-9])/g;

/** Blanks a span so later patterns do not find pieces of what an earlier one already took. */
function mask(text: string, start: number, end: number): string {
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}

function hostKind(host: string): PersonalDataKind {
  const bare = host.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (inetAton(bare)) return 'ipv4';
  if (isIPv6(bare)) return 'ipv6';
  return 'hostname';
}

/** Every span of personal data in `text`, in order of position (spans of the original text). */
export function findPersonalData(text: string): Finding[] {
  const normal = normalizeText(text);
  return findInNormalText(normal.text).map((f) => ({ kind: f.kind, ...originalSpan(normal, f.start, f.end) }));
}

/** Every span of personal data in a text already in normal form. */
function findInNormalText(text: string): Finding[] {
  const found: Finding[] = [];
  let rest = text;
  const take = (kind: PersonalDataKind, start: number, end: number) => {
    found.push({ kind, start, end });
    rest = mask(rest, start, end);
  };
  // Most strings of a run are short names and numbers; each pattern is tried only where the
  // characters it needs occur (the server checks every string of every upload).
  const has = (ch: string) => text.includes(ch);

  for (const m of has('file:') ? [...text.matchAll(FILE_URL)] : []) take('path', m.index, m.index + m[0].length);
  // URLs: an allowed host's URL is fine as a whole; otherwise the authority is the finding.
  for (const m of has('://') ? [...rest.matchAll(URL_PATTERN)] : []) {
    const start = m.index;
    const afterScheme = start + m[1]!.length + 3;
    const authority = /^[^/?#]*/.exec(m[2]!)![0];
    const userinfo = authority.lastIndexOf('@');
    const hostPort = authority.slice(userinfo + 1);
    const host = hostPort.startsWith('[') ? hostPort.slice(0, hostPort.indexOf(']') + 1) : hostPort.replace(/:\d*$/, '');
    if (userinfo >= 0) take('email', afterScheme, afterScheme + userinfo + 1 + host.length);
    else if (!isAllowedHost(host) && host.length > 0) take(hostKind(host), afterScheme, afterScheme + host.length);
    // The URL's path is an HTTP path, not a filesystem one: keep later patterns off it.
    rest = mask(rest, afterScheme + authority.length, start + m[0].length);
    if (userinfo < 0 && isAllowedHost(host)) rest = mask(rest, start, start + m[0].length);
  }

  if (has('@')) for (const m of [...rest.matchAll(EMAIL_PATTERN)]) take('email', m.index, m.index + m[0].length);
  if (/at|@/.test(rest)) {
    for (const m of [...rest.matchAll(SPELLED_EMAIL)]) {
      const domain = m[3]!.replace(SPELLED_DOT, '.');
      const bracketed = /[([{<]/.test(m[2]!);
      // "failed at step 3" and "CPU @ 2.20GHz" are no addresses: a spelled-out "at" needs a host
      // after it, and the word "at" also an address-like name before it or a spelled-out "dot"
      // ("mirror at myhf.co" is a sentence whose host the host name rule takes).
      const wordAt = /^\s+at\s+$/.test(m[2]!);
      const spelled = !wordAt || /[._+\d-]/.test(m[1]!) || /[([{<]|\sdot\s/.test(m[3]!);
      if (spelled && (bracketed ? /[a-z]/.test(domain) : looksLikeHostname(domain) && !isAllowedHost(domain))) take('email', m.index, m.index + m[0].length);
    }
  }
  for (const m of [...rest.matchAll(MAC_PATTERN)]) {
    const groups = m[0].split(/[:._ -]/);
    const loose = /[._ ]/.test(m[0]);
    // Colon- and hyphen-separated sextets are MACs (`arp` writes one-digit octets); with spaces,
    // dots or underscores, lists of numbers (`1 2 4 8 16 32`) are not: a hex letter or six pairs are needed.
    if (
      groups.length === 3
        ? /[a-f]/.test(m[0]) || /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/.test(m[0])
        : !loose || (/[a-f]/.test(m[0]) && groups.filter((g) => g.length === 2).length >= 4) || (groups.every((g) => g.length === 2) && !m[0].includes(' '))
    ) {
      take('mac', m.index, m.index + m[0].length);
    }
  }
  for (const m of has(':') ? [...rest.matchAll(IPV6_PATTERN)] : []) {
    const candidate = m[0].replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const trimmed = candidate.replace(/[.:]+$/, (tail) => (tail.startsWith('::') ? '::' : ''));
    if (isIPv6(candidate) || isIPv6(trimmed)) take('ipv6', m.index, m.index + m[0].length);
  }
  if (/\d/.test(rest)) {
    for (const m of [...rest.matchAll(IPV4_CANDIDATE)]) {
      const parsed = inetAton(m[0]);
      const after = rest.slice(m.index + m[0].length);
      // llama.cpp's log lines start with minutes.seconds.milliseconds.microseconds and a level
      // letter (`0.00.002.114 I srv …`); the driver's errors quote them.
      if (/^\d{1,4}\.\d{2}\.\d{3}\.\d{3}$/.test(m[0]) && /^ [iwedt] /.test(after)) continue;
      if (parsed && isAddressSpelling(parsed, /^:\d{1,5}(?!\d)/.test(after))) take('ipv4', m.index, m.index + m[0].length);
    }
  }
  for (const pattern of [WINDOWS_PATH, UNC_FORWARD, HOME_PATH, RELATIVE_HOME]) {
    for (const m of [...rest.matchAll(pattern)]) if (m[0].length > 2) take('path', m.index, m.index + m[0].length);
  }
  for (const m of has('/') ? [...rest.matchAll(POSIX_PATH)] : []) {
    // "25%/75% CPU/GPU" (ollama's processor split) names no folder: a path has a letter in it.
    if (isApiPath(m[0]) || !/[a-z]/.test(m[0])) continue;
    take('path', m.index, m.index + m[0].replace(/[.:]+$/, '').length);
  }
  for (const m of has('.') ? [...rest.matchAll(HOSTNAME)] : []) {
    const name = m[0];
    if (looksLikeHostname(name) && !isAllowedHost(name)) take('hostname', m.index, m.index + name.replace(/\.$/, '').length);
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
