/**
 * docs/METHODOLOGY.md is cited by number from code, pages and help: every "METHODOLOGY §N" in the
 * project must name a section that exists, and the doc's example result must validate as it
 * says. The warm-up text must share no prefix with any suite prompt, as §3.4 promises.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from '../../src/contract/validate.js';
import { WARMUP_PROMPT } from '../../src/harness/runner.js';
import { loadSuite, suitePlans } from '../../src/suite/index.js';
import { sampleRun } from '../../src/testing/sample-run.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/METHODOLOGY.md'), 'utf8');

/** "§3.2" for "### §3.2 ..."; a heading "§1.1–§1.3" counts for each number in its range. */
function sections(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{2,4} (§[\d.]+)(?:–(§[\d.]+))? /gm)) {
    out.add(m[1]!);
    if (m[2]) {
      const [major, from] = m[1]!.slice(1).split('.').map(Number);
      const to = Number(m[2].slice(1).split('.')[1]);
      for (let i = from!; i <= to; i++) out.add(`§${major}.${i}`);
    }
  }
  return out;
}

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(tsx?|mjs|js|json|md|py)$/.test(name)) yield path;
  }
}

describe('docs/METHODOLOGY.md', () => {
  it('every "METHODOLOGY §N" cited in the project names a section the document has', () => {
    const known = sections(doc);
    assert.ok(known.has('§3.2') && known.has('§6') && known.has('§1.4'), [...known].join(' '));
    const broken: string[] = [];
    for (const dir of ['packages', 'docs', 'bench', 'schemas', 'scripts', 'templates']) {
      for (const file of files(join(root, dir))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/METHODOLOGY (§[\d.]*\d)/g)) if (!known.has(m[1]!)) broken.push(`${relative(root, file)}: ${m[0]}`);
        // The seed document had an FAQ; this one has numbered sections instead.
        for (const m of text.matchAll(/METHODOLOGY (F)AQ/g)) broken.push(`${relative(root, file)}: ${m[0]} (no FAQ section)`);
      }
      // The document cites itself as "§N" too.
    }
    for (const m of doc.matchAll(/(?<![#\w])\((§[\d.]*\d)\)|(?<![#\w ]) (§[\d.]*\d)[ ,.:)]/g)) {
      const ref = m[1] ?? m[2]!;
      if (!known.has(ref)) broken.push(`docs/METHODOLOGY.md: ${ref}`);
    }
    assert.deepEqual(broken, []);
  });

  it("§3.6's example result validates against workload-result.schema.json as it stands", () => {
    const json = /### §3\.6[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(json, 'the example is in §3.6');
    const example = JSON.parse(json) as Record<string, unknown>;
    assert.deepEqual(check('workload-result', example), []);
    // An upload needs each result's provenance too, as §3.6 says (run.schema.json).
    assert.ok(check('run', sampleRun([example as never])).some((e) => /must have required property 'suite_digest'/.test(e)));
  });

  it("§3.6 says exactly what changed since the draft's example: raw_timings renamed, backend and model required", () => {
    // The requirements draft's example, with its "raw_timings" and without backend or model.
    const draft = {
      workload: 'chat-short',
      ttft_ms: 142.3,
      prefill_tps: 8421.1,
      decode_tps: 187.4,
      decode_p50_latency_ms: 5.3,
      decode_p95_latency_ms: 7.1,
      prompt_tokens: 128,
      output_tokens: 256,
      wall_ms: 1530,
      prefix_cache_hit_rate: 0.0,
      raw_timings: [5.1, 5.4],
    };
    const errors = check('workload-result', draft);
    assert.ok(
      errors.some((e) => /raw_timings/.test(e)),
      errors.join('\n'),
    );
    for (const field of ['backend', 'backend_version', 'model'])
      assert.ok(
        errors.some((e) => e.includes(`'${field}'`)),
        `${field} is required`,
      );
    // With exactly the changes the document lists, it validates.
    const { raw_timings, ...rest } = draft;
    const migrated = { ...rest, raw_timings_ms: raw_timings, backend: 'llama.cpp', backend_version: '7410', model: { identifier: 'm', name: 'm' } };
    assert.deepEqual(check('workload-result', migrated), []);
    assert.match(doc, /\*\*renamed\*\* `raw_timings` to `raw_timings_ms`/);
    assert.match(doc, /\*\*requires\*\* `backend`, `backend_version` and `model`/);
  });

  it('documents every flag the harness sets, both clocks, token_counts and backend_build', () => {
    for (const flag of [
      'quick',
      'short-output',
      'no-output',
      'warm-cache',
      'harness-gap',
      'serial-concurrency',
      'embedded-engine',
      'model-warmed',
      'hosted-provider',
      'thermal-throttled',
      'on-battery',
      'busy-machine',
      'throttled',
    ]) {
      assert.match(doc, new RegExp(`\\| \`${flag}\`|\`${flag}\` \\|`), `flag ${flag} in §3.7`);
    }
    for (const term of ['backend_prefill_tps', 'backend_decode_tps', 'token_counts', 'backend_build', 'cached_prompt_tokens', 'warmup']) assert.ok(doc.includes(term), term);
  });

  it('the warm-up (§3.4) shares no prefix with any suite prompt: its first character begins none of them', () => {
    for (const version of ['suite-v1', 'suite-v1-test']) {
      for (const plan of suitePlans(loadSuite(version), ['W1', 'W2', 'W3', 'W4', 'W5'])) {
        const texts =
          plan.kind === 'single'
            ? [plan.prompt]
            : plan.kind === 'concurrent'
              ? plan.batchSizes.flatMap((b) => Array.from({ length: b }, (_, s) => plan.promptForStream(s, b)))
              : plan.kind === 'context-tiers'
                ? plan.tiers.map((t) => t.prompt().slice(0, 64))
                : plan.turns.map((turn) => turn[0]!.content);
        for (const text of texts) assert.notEqual(text[0], WARMUP_PROMPT[0], `${version} ${plan.id}: ${text.slice(0, 40)}`);
      }
    }
  });
});
