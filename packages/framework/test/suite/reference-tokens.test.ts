/**
 * The fixture prompts have the sizes METHODOLOGY §1 names, counted with the suite's reference
 * tokenizer: the 32k LLaMA SentencePiece vocabulary, read from the vocab-only GGUF in the llama.cpp
 * sources that node-llama-cpp ships as a git bundle. Counts are of the text alone: no BOS, no chat
 * template.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChatMessage } from '../../src/contract/driver.js';
import { loadSuite, type LoadedSuite, type WorkloadPlan } from '../../src/suite/index.js';

type Tokenize = (text: string) => number;

/** The reference vocabulary, extracted from node-llama-cpp's llama.cpp bundle into `dir`. */
function extractVocab(dir: string): string | undefined {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('node-llama-cpp'); // <package>/dist/index.js
  } catch {
    return undefined; // an optional dependency: absent, there is nothing to count with
  }
  const bundle = join(dirname(dirname(entry)), 'llama', 'gitRelease.bundle');
  const repo = join(dir, 'llama.cpp');
  execFileSync('git', ['clone', '--quiet', '--no-checkout', bundle, repo], { stdio: 'ignore' });
  const gguf = execFileSync('git', ['-C', repo, 'show', 'HEAD:models/ggml-vocab-llama-spm.gguf'], { maxBuffer: 64 << 20 });
  const path = join(dir, 'ggml-vocab-llama-spm.gguf');
  writeFileSync(path, gguf);
  return path;
}

const within = (actual: number, nominal: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - nominal) <= nominal * tolerance, `${what}: ${actual} tokens, wanted ${nominal} ± ${tolerance * 100}%`);

const ofKind = <K extends WorkloadPlan['kind']>(suite: LoadedSuite, kind: K) => suite.workloads.find((w) => w.kind === kind) as Extract<WorkloadPlan, { kind: K }>;

describe('suite prompt sizes under the reference tokenizer', function () {
  this.timeout(120_000);
  let dir: string;
  let tokens: Tokenize;
  let dispose: (() => Promise<void>) | undefined;
  const v1 = loadSuite();
  const test = loadSuite('suite-v1-test');
  const countMessages = (messages: ChatMessage[]) => messages.reduce((sum, m) => sum + tokens(m.content), 0);

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'llm-speed-vocab-'));
    const vocab = extractVocab(dir);
    if (!vocab) this.skip();
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, logger: () => {} });
    const model = await llama.loadModel({ modelPath: vocab as string, vocabOnly: true });
    tokens = (text) => model.tokenize(text).length;
    dispose = async () => {
      await model.dispose();
      await llama.dispose();
    };
  });
  after(async () => {
    await dispose?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('counts like the reference: known text, known count', () => {
    // "Hello" "world" "," "how" "are" "you" "?" with SentencePiece word-start markers, no BOS.
    assert.equal(tokens('Hello world, how are you?'), 7);
  });

  it('W1 chat-short: ~128 tokens (±5%)', () => {
    const w1 = ofKind(v1, 'single');
    within(tokens(w1.prompt), 128, 0.05, 'W1');
    assert.equal(tokens(w1.prompt), w1.referenceTokens);
  });

  it('W2 chat-long: ~4,096 tokens (±3%)', () => {
    const w2 = v1.workloads[1] as Extract<WorkloadPlan, { kind: 'single' }>;
    within(tokens(w2.prompt), 4096, 0.03, 'W2');
    assert.equal(tokens(w2.prompt), w2.referenceTokens);
  });

  it('W4 concurrent-decode: every stream ~1,024 tokens (±3%)', () => {
    const w4 = ofKind(v1, 'concurrent');
    assert.equal(tokens(w4.promptForStream(0, 1)), w4.referenceTokens);
    for (const batch of w4.batchSizes) for (let s = 0; s < batch; s++) within(tokens(w4.promptForStream(s, batch)), 1024, 0.03, `W4 stream ${s + 1} of ${batch}`);
  });

  it('W5 agent-trace: grows every turn, to ~16k tokens (±5%) at the last', () => {
    const w5 = ofKind(v1, 'agent-trace');
    const sizes = w5.turns.map(countMessages);
    for (let k = 1; k < sizes.length; k++) assert.ok(sizes[k] > sizes[k - 1]);
    within(sizes[sizes.length - 1], 16384, 0.05, 'W5 last turn');
    assert.equal(sizes[sizes.length - 1], w5.referenceTokens);
  });

  it('W3 long-context-decay: each tier prompt fills its context, leaving room for the output and a chat template', () => {
    const w3 = ofKind(v1, 'context-tiers');
    for (const tier of w3.tiers) {
      const n = tokens(tier.prompt());
      const recorded = v1.definition.workloads[2].context_tiers?.find((t) => t.context_tokens === tier.contextTokens);
      assert.equal(n, recorded?.reference_tokens, `tier ${tier.contextTokens}`);
      // prompt + output + 256 tokens of headroom = the tier, within 3%
      within(n + w3.outputTokens + 256, tier.contextTokens, 0.03, `tier ${tier.contextTokens}`);
      assert.ok(n + w3.outputTokens <= tier.contextTokens, `tier ${tier.contextTokens} fits its context`);
    }
  });

  it('suite-v1-test records what it measures too', () => {
    for (const w of test.workloads) {
      if (w.kind === 'single') assert.equal(tokens(w.prompt), w.referenceTokens, w.id);
      if (w.kind === 'concurrent') assert.equal(tokens(w.promptForStream(0, 1)), w.referenceTokens, w.id);
      if (w.kind === 'agent-trace') assert.equal(countMessages(w.turns[w.turns.length - 1]), w.referenceTokens, w.id);
      if (w.kind === 'context-tiers') {
        for (const [i, tier] of w.tiers.entries()) assert.equal(tokens(tier.prompt()), w.definition.context_tiers?.[i].reference_tokens, `${w.id} ${tier.contextTokens}`);
      }
    }
  });
});
