/**
 * The planted-data corpus (issue 12): each class of personal data × each free-form field of a run,
 * and genuine runs in the shape each bundled driver reports. The framework's tests put them
 * through the client path (buildUploadPayload: scrubbed or refused), the server's POST them signed
 * to a real server (none may be stored). Third-party servers can reuse it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MeasuredResult, RunPayload } from '../contract/generated/run.js';
import { SUITES_ROOT } from '../suite/load.js';
import { sampleResult, sampleRun } from './sample-run.js';

/** Prompt text from the shipped suite-v1 fixtures (W2 and W1), so the copy is real. */
function fixtureProse(length: number, offset = 400): string {
  const text = readFileSync(join(SUITES_ROOT, 'suite-v1', 'fixtures', 'w2-paragraphs.txt'), 'utf8').replace(/\s+/g, ' ');
  return text.slice(offset, offset + length);
}

export interface PlantedClass {
  name: string;
  /** The spelling class it belongs to (issue 24: the probe's classes), for counting. */
  family: string;
  value: string;
  /** The same datum spelled for a field limited to `^[a-z0-9][a-z0-9_-]*$` (flags), if it can be. */
  flagForm?: string;
}

const CYRILLIC: Record<string, string> = { a: 'а', c: 'с', e: 'е', i: 'і', o: 'о', p: 'р', x: 'х', y: 'у', s: 'ѕ' };
const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };
const mapLetters = (text: string, map: Record<string, string>) => [...text].map((c) => map[c] ?? c).join('');
const fullWidth = (text: string) => [...text].map((c) => (c > ' ' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
const percentAll = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');

/** `text` with every `n`-th letter changed to the next letter, a letter added after it, or dropped. */
export function typoEvery(text: string, n: number, kind: 'change' | 'add' | 'drop'): string {
  let letters = 0;
  let out = '';
  for (const c of text) {
    if (!/[a-z]/i.test(c) || ++letters % n !== 0) {
      out += c;
      continue;
    }
    if (kind === 'change') out += c === 'z' ? 'a' : String.fromCharCode(c.charCodeAt(0) + 1);
    else if (kind === 'add') out += c + 'q';
  }
  return out;
}

/** The letters of `text` as a flag (`^[a-z0-9][a-z0-9_-]*$`, at most 64 characters). */
const asFlag = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');

/** Every other word (the first, third, …) of `text`. */
const everyOtherWord = (text: string, every = 2) =>
  text
    .split(/\s+/)
    .filter((_, i) => i % every === 0)
    .join(' ');

function spellings(family: string, list: Array<[string, string, string?]>): PlantedClass[] {
  return list.map(([name, value, flagForm]) => ({ family, name, value, ...(flagForm !== undefined ? { flagForm } : {}) }));
}

/**
 * Each class of personal data, plainly and in every spelling the issue-24 probe got past the
 * rules (IPv4 as inet_aton reads it, MACs with any separator, spelled-out e-mails, host names with
 * odd TLDs or dots, paths with odd slashes or prefixes, prompt text with typos, homoglyphs,
 * leetspeak or every other word), each spelling a class of its own.
 */
export function plantedClasses(): PlantedClass[] {
  const prose = fixtureProse(90);
  const longProse = fixtureProse(180, 1200);
  return [
    ...spellings('plain', [
      ['hostname', 'alice-thinkpad.corp.example.com'],
      ['user name in a path', '/home/alice/models/secret-model.gguf'],
      ['user name in a Windows path', 'C:\\Users\\alice\\models\\m.gguf'],
      ['MAC address', '3c:22:fb:12:34:56', '3c-22-fb-12-34-56'],
      ['IPv4 address', '192.168.17.23'],
      ['IPv6 address', 'fe80::1c2d:3e4f:5a6b:7c8d'],
      ['e-mail address', 'alice.smith@example.com'],
      ['prompt text from the fixtures', fixtureProse(40)],
      ['long prompt text', fixtureProse(1500, 0)],
    ]),
    ...spellings('IPv4 as inet_aton reads it', [
      ['leading zeros', '192.168.017.023'],
      ['octal parts', '0300.0250.021.027'],
      ['hex parts', '0xc0.0xa8.0x11.0x17'],
      ['mixed radix parts', '0xc0.168.021.23'],
      ['upper-case hex parts', '0XC0.0XA8.0X11.0X17'],
      ['three parts', '192.168.4375'],
      ['two parts', '192.11016471'],
      ['three parts, 10/8', '10.20.7720'],
      ['two parts, 10/8', '10.1318440'],
      ['three parts, small last part', '192.168.23'],
      ['decimal number', '3232239895', '3232239895'],
      ['hex number', '0xc0a81117', '0xc0a81117'],
      ['octal number', '030052010427', '030052010427'],
      ['decimal number, documentation network', '3405803783', '3405803783'],
      ['decimal number with a port', 'connect 3232239895:8080 refused'],
      ['hex number in a URL', 'http://0xc0a81117:8080/v1/models'],
      ['decimal number in a URL', 'http://3232239895/health'],
      ['full-width digits', '１９２．１６８．１７．２３'],
      ['full-width digits, decimal number', '３２３２２３９８９５'],
      ['mathematical digits', '𝟏𝟗𝟐.𝟏𝟔𝟖.𝟏𝟕.𝟐𝟑'],
      ['ideographic full stops', '192。168。17。23'],
      ['percent-encoded dots', '192%2E168%2E17%2E23'],
      ['zero-width space inside', '192.168\u200b.17.23'],
      ['HTML character references', '192&#46;168&#46;17&#46;23'],
    ]),
    ...spellings('MAC with any separator', [
      ['spaces', '3c 22 fb 12 34 56'],
      ['underscores', '3c_22_fb_12_34_56', '3c_22_fb_12_34_56'],
      ['dots', '3c.22.fb.12.34.56'],
      ['one-digit octet', '3c:2:fb:12:34:56', '3c-2-fb-12-34-56'],
      ['one-digit octets (arp on macOS)', '3c:2:fb:1:3:5'],
      ['upper case', '3C-22-FB-12-34-56'],
      ['mixed separators', '3c:22-fb.12_34 56'],
      ['dotted quads (Cisco)', '3c22.fb12.3456'],
      ['quads with hyphens', '3c22-fb12-3456', '3c22-fb12-3456'],
      ['quads with spaces', '3c22 fb12 3456'],
      ['full-width colons', '3c：22：fb：12：34：56'],
      ['percent-encoded colons', '3c%3A22%3Afb%3A12%3A34%3A56'],
      ['digits only, underscores', '00_11_22_33_44_55', '00_11_22_33_44_55'],
    ]),
    ...spellings('e-mail spelled out', [
      ['(at)', 'alice.smith(at)example.com'],
      ['[at]', 'alice.smith[at]example.com'],
      ['{at}', 'alice.smith{at}example.com'],
      ['(at) and (dot)', 'alice(at)example(dot)com'],
      ['[at] and [dot] with spaces', 'alice [at] example [dot] com'],
      [' at  and  dot ', 'alice.smith at example dot com'],
      [' at ', 'alice.smith at example.com'],
      [' @ ', 'alice.smith @ example.com'],
      ['full-width @', 'alice.smith＠example.com'],
      ['small @', 'alice.smith﹫example.com'],
      ['full-width @ and dot', 'alice.smith＠example．com'],
      ['percent-encoded @', 'alice.smith%40example.com'],
      ['HTML @', 'alice.smith&#64;example.com'],
      ['homoglyph letters', 'аlicе.smith@еxаmplе.com'],
      ['user@host', 'alice@thinkpad'],
    ]),
    ...spellings('host names', [
      ['mixed-case TLD', 'alice-desktop.Local'],
      ['capitalised TLD', 'vpn.acme-corp.Com'],
      ['upper case', 'VPN.ACME-CORP.COM'],
      ['TLD .sh', 'vpn.acme-corp.sh'],
      ['TLD .zip', 'build01.acme-corp.zip'],
      ['TLD .md', 'alice-desktop.md'],
      ['TLD .py', 'gpu-node3.lab.py'],
      ['TLD .so', 'alice-laptop.so'],
      ['full-width dot', 'alice-desktop．local'],
      ['ideographic full stop', 'vpn。acme-corp。com'],
      ['percent-encoded dots', 'vpn%2Eacme-corp%2Ecom'],
      ['homoglyph TLD', 'alice-desktop.lосаl'],
      ['trailing dot', 'vpn.acme-corp.com.'],
      ['zero-width joiner inside', 'vpn.acme\u200d-corp.com'],
    ]),
    ...spellings('paths', [
      ['file: with one slash', 'file:/home/alice/x.gguf'],
      ['file: with no slash', 'file:home/alice/x.gguf'],
      ['file: with four slashes', 'file:////home/alice/x.gguf'],
      ['file: to a share', 'file:\\\\server\\share\\x.gguf'],
      ['user under /models', '/models/alice/secret-model.gguf'],
      ['a prefix before the path', 'model:/home/alice/x.gguf'],
      ['UNC path with slashes', '//fileserver/share/alice/x.gguf'],
      ['UNC path', '\\\\fileserver\\share\\x.gguf'],
      ['percent-encoded slashes', '%2Fhome%2Falice%2Fx.gguf'],
      ['percent-encoded twice', '%252Fhome%252Falice%252Fx.gguf'],
      ['full-width slashes', '／home／alice／x.gguf'],
      ['division slashes', '∕home∕alice∕x.gguf'],
      ['fraction slashes', '⁄home⁄alice⁄x.gguf'],
      ['home folder without its slash', 'home/alice/models/x.gguf'],
      ['macOS home', '/Users/alice/models/x.gguf'],
      ['Windows path, full-width colon', 'C：\\Users\\alice\\m.gguf'],
      ['Windows path, forward slashes', 'c:/users/alice/m.gguf'],
      ['home of a named user', '~alice/models/x.gguf'],
    ]),
    ...spellings('prompt text', [
      ['upper case, no spaces', prose.toUpperCase().replace(/\s+/g, ''), asFlag(prose).replace(/-/g, '')],
      ['typo every 12 letters (changed)', typoEvery(prose, 12, 'change'), asFlag(typoEvery(prose, 12, 'change'))],
      ['typo every 12 letters (added)', typoEvery(prose, 12, 'add'), asFlag(typoEvery(prose, 12, 'add'))],
      ['typo every 12 letters (dropped)', typoEvery(prose, 12, 'drop'), asFlag(typoEvery(prose, 12, 'drop'))],
      ['typo every 16 letters', typoEvery(prose, 16, 'change'), asFlag(typoEvery(prose, 16, 'change'))],
      ['typo every 20 letters', typoEvery(prose, 20, 'change'), asFlag(typoEvery(prose, 20, 'change'))],
      ['homoglyphs', mapLetters(prose, CYRILLIC)],
      ['leetspeak', mapLetters(prose.toLowerCase(), LEET), asFlag(mapLetters(prose.toLowerCase(), LEET))],
      ['full-width letters', fullWidth(prose)],
      ['zero-width spaces between letters', [...prose].join('\u200b')],
      ['percent-encoded', percentAll(prose.slice(0, 40))],
      ['every other word', everyOtherWord(longProse), asFlag(everyOtherWord(longProse))],
      ['every third word', everyOtherWord(longProse, 3), asFlag(everyOtherWord(longProse, 3))],
      ['homoglyphs, leetspeak and a typo every 16 letters', mapLetters(mapLetters(typoEvery(prose.toLowerCase(), 16, 'change'), LEET), CYRILLIC)],
    ]),
  ];
}

export interface PlantedField {
  path: string;
  plant(run: RunPayload, value: string, planted: PlantedClass): void;
}

function first(run: RunPayload): MeasuredResult {
  return run.results[0]!;
}

/** Every free-form string position of a run (paths as the privacy rules name them). */
export function plantedFields(): PlantedField[] {
  return [
    { path: 'results[0].extras.note', plant: (run, v) => (first(run).extras = { ...first(run).extras, note: v }) },
    // Keys are limited to ^[A-Za-z0-9_.-]{1,64}$: classes that cannot be spelled so are refused by the schema.
    { path: 'results[0].extras.<key>', plant: (run, _v, p) => (first(run).extras = { ...first(run).extras, [p.flagForm ?? p.value]: 1 }) },
    { path: 'results[0].model.name', plant: (run, v) => (first(run).model.name = v) },
    { path: 'results[0].model.identifier', plant: (run, v) => (first(run).model.identifier = v) },
    { path: 'results[0].model.quant', plant: (run, v) => (first(run).model.quant = v) },
    { path: 'results[0].model.size', plant: (run, v) => (first(run).model.size = v) },
    { path: 'results[0].model.digest', plant: (run, v) => (first(run).model.digest = v) },
    { path: 'results[0].backend_version', plant: (run, v) => (first(run).backend_version = v) },
    { path: 'results[0].error', plant: (run, v) => (first(run).error = v) },
    { path: 'results[0].flags[0]', plant: (run, _v, p) => (first(run).flags = [p.flagForm ?? p.value]) },
    { path: 'results[0].tiers[0].skipped', plant: (run, v) => (first(run).tiers = [{ context_tokens: 32768, prefill_tps: null, decode_tps: null, ttft_ms: null, skipped: v }]) },
    { path: 'results[0].tiers[0].error', plant: (run, v) => (first(run).tiers = [{ context_tokens: 32768, prefill_tps: null, decode_tps: null, ttft_ms: null, error: v }]) },
    { path: 'results[0].batches[0].error', plant: (run, v) => (first(run).batches = [{ batch: 4, aggregate_tps: null, per_stream_tps: null, p50_ms: null, p95_ms: null, error: v }]) },
    { path: 'results[0].turns[0].error', plant: (run, v) => (first(run).turns = [{ turn: 1, ttft_ms: null, decode_tps: null, prompt_tokens: null, output_tokens: null, wall_ms: 0, error: v }]) },
    { path: 'results[0].backend_build.devices[0]', plant: (run, v) => (first(run).backend_build = { kind: 'cuda', devices: [v] }) },
    { path: 'fingerprint.cpu_model', plant: (run, v) => (run.fingerprint.cpu_model = v) },
    { path: 'fingerprint.gpus[0].name', plant: (run, v) => (run.fingerprint.gpus[0]!.name = v) },
    { path: 'fingerprint.accelerator_summary', plant: (run, v) => (run.fingerprint.accelerator_summary = v) },
    { path: 'fingerprint.extras.backends.llama.cpp', plant: (run, v) => (run.fingerprint.extras.backends['llama.cpp'] = v) },
    { path: 'cli_version', plant: (run, v) => (run.cli_version = v) },
  ];
}

/** `text` cut into pieces of `size` characters (the last may be shorter). */
const cut = (text: string, size: number) => Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, i * size + size));

/**
 * Fixture text cut into pieces and spread over several fields: in payload order, and (the
 * issue-24 probe's class) in pieces of at most 11 letters over extras, flags and `error` that are
 * not next to each other, in any order, with genuine entries between them.
 */
export function splitFixtureRuns(): Array<{ name: string; run: RunPayload }> {
  const text = fixtureProse(48, 900);
  const inOrder = sampleRun([sampleResult({ extras: { p1: text.slice(0, 10), p2: text.slice(10, 20), p3: text.slice(20, 30), p4: text.slice(30, 40) } })]);
  const scattered = sampleRun([sampleResult({ backend_version: text.slice(0, 16), error: text.slice(32, 48) })]);
  scattered.fingerprint.cpu_model = text.slice(16, 32);
  const runs = [
    { name: 'fixture text split over four extras values in key order', run: sanitiseForSchema(inOrder) },
    { name: 'fixture text split over three unrelated fields', run: scattered },
  ];
  const prose = fixtureProse(66, 2400).replace(/[^A-Za-z ]/g, ' ');
  for (const size of [11, 8, 6, 5]) {
    const pieces = cut(prose, size);
    // Pieces go to extras values (between genuine entries), flags and the error text, in an
    // order that is not the text's: every other piece first, then the rest, backwards.
    const order = [
      ...pieces.map((_, i) => i).filter((i) => i % 2 === 0),
      ...pieces
        .map((_, i) => i)
        .filter((i) => i % 2 === 1)
        .reverse(),
    ];
    const extras: Record<string, string | number> = { engine: 'server' };
    const flags: string[] = ['quick'];
    const errors: string[] = [];
    order.forEach((i, k) => {
      const piece = pieces[i]!;
      if (k % 3 === 0) extras[`n${k}`] = piece;
      else if (k % 3 === 1 && /[a-z]/i.test(piece.trim()[0] ?? '')) flags.push(`${asFlag(piece)}`);
      else errors.push(piece.trim());
      extras[`t${k}`] = k;
    });
    runs.push({
      name: `fixture text in pieces of ${size} characters over extras, flags and error, out of order and apart`,
      run: sampleRun([sampleResult({ extras, flags: [...new Set(flags)], error: `retried: ${errors.join(' ; ')}` })]),
    });
  }
  // Pieces of 8 letters inside other text: each piece is a stretch of a longer field.
  const words = cut(prose.replace(/\s+/g, ''), 8);
  const inside = sampleRun([
    sampleResult({
      error: words
        .filter((_, i) => i % 2 === 0)
        .map((w, i) => `step ${i} ${w} failed`)
        .join(', '),
    }),
  ]);
  inside.results[0]!.tiers = words
    .filter((_, i) => i % 2 === 1)
    .map((w, i) => ({ context_tokens: 4096 * (i + 1), prefill_tps: null, decode_tps: null, ttft_ms: null, skipped: `tier ${i} ${w} skipped` }));
  runs.push({ name: 'fixture text in pieces of 8 letters inside the error text and the tiers skip reasons, every other piece in each', run: inside });
  // Keys of extras: 6-letter pieces as entry names, shuffled.
  const keyPieces = cut(prose.replace(/\s+/g, ''), 6);
  const keyed = Object.fromEntries(keyPieces.map((k, i): [string, number] => [k, i]).reverse());
  runs.push({ name: 'fixture text in pieces of 6 letters as extras keys, backwards', run: sampleRun([sampleResult({ extras: keyed })]) });
  return runs;
}

/** Extras that break the extras rules without carrying an identifiable datum. */
export function oversizeExtrasRuns(): Array<{ name: string; run: RunPayload }> {
  const many: Record<string, string> = {};
  for (let i = 0; i < 40; i++) many[`k${i}`] = 'x'.repeat(60);
  return [
    { name: 'an extras string of 65 characters', run: sampleRun([sampleResult({ extras: { note: 'y'.repeat(65) } })]) },
    { name: 'an extras string with unsafe characters', run: sampleRun([sampleResult({ extras: { note: '<script>' } })]) },
    { name: 'a nested extras value', run: sampleRun([sampleResult({ extras: { note: { a: 1 } as unknown as string } })]) },
    { name: 'extras over 2 KiB', run: sampleRun([sampleResult({ extras: many })]) },
  ];
}

function sanitiseForSchema(run: RunPayload): RunPayload {
  for (const r of run.results) for (const [k, v] of Object.entries(r.extras)) if (typeof v === 'string') r.extras[k] = v.replace(/[^A-Za-z0-9 _.,:+()/=-]/g, ' ');
  return run;
}

/**
 * A genuine run in the shape of each bundled driver: its backend name and version form, its model
 * reference form and its extras, as its driver code writes them.
 */
export function bundledDriverRuns(): Array<{ driver: string; run: RunPayload }> {
  const run = (result: Partial<MeasuredResult>, gpu?: { name: string; kind: 'nvidia' | 'amd' | 'apple' | 'intel' | 'cpu'; memory_gb: number }, cpu?: string) => {
    const r = sampleRun([sampleResult(result)]);
    r.fingerprint.extras.backends = { [result.backend ?? 'llama.cpp']: result.backend_version ?? '' };
    if (gpu) {
      r.fingerprint.gpus = [gpu];
      r.fingerprint.accelerator_summary = `${gpu.name} ${gpu.memory_gb} GB + ${cpu ?? r.fingerprint.cpu_model}, 64 GB RAM`;
    }
    if (cpu) r.fingerprint.cpu_model = cpu;
    return r;
  };
  return [
    {
      driver: 'llama.cpp (spawned llama-server)',
      run: run(
        {
          backend: 'llama.cpp',
          backend_version: 'b7410 (de3ff81)',
          model: { identifier: 'Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf', name: 'Meta-Llama-3.1-8B-Instruct', size: '8B', quant: 'Q4_K_M', digest: 'cd'.repeat(32) },
          backend_build: { kind: 'cuda', devices: ['NVIDIA GeForce RTX 4090'] },
          extras: {
            engine: 'server',
            mode: 'spawn',
            threads: 16,
            parallel: 4,
            n_ctx: 8192,
            prompt_n: 128,
            prompt_ms: 15.2,
            predicted_n: 256,
            predicted_ms: 1366.1,
            predicted_per_second: 187.4,
            cache_n: 0,
          },
        },
        { name: 'NVIDIA GeForce RTX 4090', kind: 'nvidia', memory_gb: 24 },
        'Intel(R) Xeon(R) CPU @ 2.20GHz',
      ),
    },
    {
      // A real spawned llama-server run's failed workload (CLI end-to-end test, llama.cpp b7410
      // on the CPU): the driver's error carries the server's last five log lines, paths scrubbed.
      driver: 'llama.cpp (spawned llama-server that exited while loading)',
      run: run({
        backend: 'llama.cpp',
        backend_version: '0.5.0 (de3ff81)',
        model: {
          identifier: 'llm-speed/synth-llama-tiny-F16',
          name: 'llm-speed synthetic llama tiny',
          size: '20M',
          quant: 'F16',
          digest: 'b175e49324aa85039940be7a7538f437cfa0ba741a73c8b9d0b2cf00f8d97884',
        },
        backend_build: { kind: 'cpu' },
        error:
          "llama.cpp: llama-server exited while loading <path>: 0.00.001.971 I cmn  common_param: common_params_print_info: verbosity = 3 (adjust with the `-lv N` CLI arg) | 0.00.002.038 I srv  init_listene: The UI is disabled | 0.00.002.055 I srv  init_listene: Use --ui/--no-ui (or deprecated --webui/--no-webui) to enable/disable | 0.00.002.114 W srv  llama_server: security: no API key is set and CORS allows all origins (see https://github.com/ggml-org/llama.cpp/pull/25655) | 0.00.003.790 I srv    load_model: loading model '<path>'",
        extras: { engine: 'server', mode: 'spawn', threads: 2, parallel: 1, n_ctx: 512 },
      }),
    },
    {
      driver: 'llama.cpp (embedded node-llama-cpp)',
      run: run({
        backend: 'llama.cpp',
        backend_version: 'node-llama-cpp 3.14.2 (llama.cpp b6550)',
        model: { identifier: 'model-q4_0.gguf', name: 'model-q4_0', size: null, quant: 'Q4_0', digest: 'ef'.repeat(32) },
        backend_build: { kind: 'cpu' },
        extras: { engine: 'embedded', threads: 2, batch_size: 512, sampling: 'greedy' },
      }),
    },
    {
      driver: 'ollama',
      run: run(
        {
          backend: 'ollama',
          backend_version: '0.5.7',
          model: { identifier: 'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M', name: 'llama3.2:3b-instruct-q4_K_M', size: '3.2B', quant: 'Q4_K_M', digest: 'sha256:' + 'ab'.repeat(32) },
          backend_build: { kind: 'metal', devices: ['Apple M2 Max'] },
          extras: { num_ctx: 8192, family: 'llama', prompt_eval_count: 128, prompt_eval_duration_ms: 41.2, eval_count: 256, eval_duration_ms: 2900.5, load_duration_ms: 12.9 },
        },
        { name: 'Apple M2 Max', kind: 'apple', memory_gb: 32 },
        'Apple M2 Max',
      ),
    },
    {
      driver: 'vLLM',
      run: run(
        {
          backend: 'vllm',
          backend_version: '0.6.1.post2',
          model: { identifier: 'Qwen/Qwen2.5-7B-Instruct', name: 'Qwen2.5-7B-Instruct', size: '7B', quant: null, digest: null },
          backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] },
          extras: { api: 'openai-compatible', max_model_len: 32768 },
        },
        { name: 'NVIDIA H200', kind: 'nvidia', memory_gb: 144 },
        'AMD EPYC 9654 96-Core Processor',
      ),
    },
    {
      driver: 'MLX',
      run: run(
        {
          backend: 'mlx',
          backend_version: 'mlx-lm 0.20.1 (mlx 0.21.1)',
          model: { identifier: 'mlx-community/Llama-3.2-3B-Instruct-4bit', name: 'mlx-community/Llama-3.2-3B-Instruct-4bit', size: null, quant: '4bit', digest: null },
          backend_build: { kind: 'metal', devices: ['Apple M3 Pro'] },
          extras: { engine: 'mlx_lm.stream_generate' },
        },
        { name: 'Apple M3 Pro', kind: 'apple', memory_gb: 40 },
        'Apple M3 Pro',
      ),
    },
    {
      driver: 'ExLlamaV2',
      run: run(
        {
          backend: 'exllamav2',
          backend_version: 'exllamav2 0.2.7 (torch 2.5.1+cu124)',
          model: { identifier: 'Llama-3.1-8B-Instruct-exl2-4.0bpw', name: 'Llama-3.1-8B-Instruct-exl2-4.0bpw', size: null, quant: '4.0bpw', digest: null },
          backend_build: { kind: 'cuda', devices: ['NVIDIA GeForce RTX 3090'] },
          extras: { engine: 'ExLlamaV2DynamicGenerator', max_seq_len: 8192, cuda: '12.4' },
        },
        { name: 'NVIDIA GeForce RTX 3090', kind: 'nvidia', memory_gb: 24 },
        'AMD Ryzen 9 7950X3D 16-Core Processor',
      ),
    },
    {
      driver: 'hosted APIs',
      run: run({
        backend: 'hosted',
        backend_version: 'openrouter',
        model: { identifier: 'openrouter:meta-llama/llama-4-scout', name: 'meta-llama/llama-4-scout', size: null, quant: null, digest: null },
        backend_build: { kind: 'remote' },
        flags: ['hosted-provider', 'short-output'],
        error: 'HTTP 429 from POST https://openrouter.ai/api/v1/chat/completions: rate limited, retried',
        extras: { provider: 'openrouter', protocol: 'openai', note: 'measures the provider API over the network, not local hardware' },
      }),
    },
  ];
}
