import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage } from '../../src/contract/driver.js';
import { check } from '../../src/contract/validate.js';
import { LlmSpeedError, UsageError } from '../../src/errors.js';
import { SUITES_ROOT, availableSuites, loadSuite, selectWorkloads, suiteDigest, type LoadedSuite, type WorkloadPlan } from '../../src/suite/index.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// The bytes suite-v1 ships. Changing any of them changes what every result measured: that needs a
// new suite version (METHODOLOGY §10), not an edit here.
const PINNED: Record<string, Record<string, string>> = {
  'suite-v1': {
    'w1-question.txt': '3e4c3dfdc02a75b0853990040e1488ea34f87dc7f15939fe189952b001209bf7',
    'w2-paragraphs.txt': '5cd78d8d77029b7d195a59d7528a762e3d2a72e67a81f38036bc29c10febad17',
    'w4-memo.txt': '6e90215fece2306a975eb8400a1aee77bda538a097fbaf552ee1805594b549a9',
    'w5-agent-trace.json': 'f6d630dc712fae138b73b8b92e4afca3edefdfbb893b3c046714fed985840c8a',
  },
  'suite-v1-test': {
    'w1-question.txt': '41f985b52d2b2da59842535a74ba8ebfeef339c1dceaaebaaa6723061f23cc4e',
    'w2-paragraphs.txt': '7eafc4d092deaa56e7a8c78fb2e12dd53c9951ade33f7d95d44d30d49fce3279',
    'w4-memo.txt': 'a798b6cada200536338ef5be582a38def1d872e292fd1cc0b94823d9ef8dfd05',
    'w5-agent-trace.json': '54f68ea05ec6422773223ec348f9777a8a1b2e3970e52a20f9f79e1524f78688',
  },
};
const PINNED_SUITE_DIGEST: Record<string, string> = {
  'suite-v1': '4b62600296c7a801aadeac488364463f1489960b24f0266f69f8a7b4e920c073',
  'suite-v1-test': '84d902e8a7cb63a4f0042e7f613b339d617fe32e9188211444a5b21ded26dfe0',
};

const ofKind = <K extends WorkloadPlan['kind']>(suite: LoadedSuite, kind: K) => suite.workloads.find((w) => w.kind === kind) as Extract<WorkloadPlan, { kind: K }>;
const ids = (plans: WorkloadPlan[]) => plans.map((p) => p.id);

describe('suites', () => {
  const v1 = loadSuite();
  const test = loadSuite('suite-v1-test');

  describe('pinned bytes', () => {
    for (const version of Object.keys(PINNED)) {
      it(`${version}: every fixture file matches its digest pinned here and in suite.json`, () => {
        const dir = join(SUITES_ROOT, version);
        const suiteJson = JSON.parse(readFileSync(join(dir, 'suite.json'), 'utf8')) as { fixtures: Record<string, string> };
        assert.deepEqual(suiteJson.fixtures, PINNED[version]);
        assert.deepEqual(readdirSync(join(dir, 'fixtures')).sort(), Object.keys(PINNED[version]).sort(), 'no unpinned fixture files');
        for (const [name, digest] of Object.entries(PINNED[version])) {
          assert.equal(sha256(readFileSync(join(dir, 'fixtures', name))), digest, `${version}/fixtures/${name}`);
        }
      });

      it(`${version}: suite digest is pinned, and follows the documented definition`, () => {
        const suite = loadSuite(version);
        assert.equal(suite.digest, PINNED_SUITE_DIGEST[version]);
        // <name>\0<sha256>\n for suite.json, then every fixture by name.
        const lines = [`suite.json\0${sha256(readFileSync(join(SUITES_ROOT, version, 'suite.json')))}\n`];
        for (const name of Object.keys(PINNED[version]).sort()) lines.push(`${name}\0${PINNED[version][name]}\n`);
        assert.equal(suite.digest, createHash('sha256').update(lines.join('')).digest('hex'));
        assert.equal(suiteDigest(sha256(readFileSync(join(SUITES_ROOT, version, 'suite.json'))), PINNED[version]), suite.digest);
      });

      it(`${version}: fixtures are ASCII with LF line ends and a final newline`, () => {
        for (const name of Object.keys(PINNED[version])) {
          const text = readFileSync(join(SUITES_ROOT, version, 'fixtures', name), 'latin1');
          assert.ok(!/[^\p{ASCII}]/u.test(text), `${name} has non-ASCII bytes`);
          assert.ok(!text.includes('\r'), `${name} has CR`);
          assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'), `${name} ends with exactly one newline`);
        }
      });
    }

    it('suite.json files validate against suite.schema.json and agent traces against AgentTrace', () => {
      for (const suite of [v1, test]) {
        assert.deepEqual(check('suite', JSON.parse(readFileSync(join(suite.dir, 'suite.json'), 'utf8'))), []);
        const trace = suite.definition.workloads.find((w) => w.kind === 'agent-trace')?.trace_fixture as string;
        assert.deepEqual(check('suite', JSON.parse(readFileSync(join(suite.dir, 'fixtures', trace), 'utf8')), 'AgentTrace'), []);
      }
    });
  });

  describe('loadSuite', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'llm-speed-suite-'));
      cpSync(join(SUITES_ROOT, 'suite-v1'), join(root, 'suite-v1'), { recursive: true });
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('ships suite-v1 and the test-only suite, and suite-v1 is the default', () => {
      assert.deepEqual(availableSuites(), ['suite-v1', 'suite-v1-test']);
      assert.equal(v1.version, 'suite-v1');
      assert.equal(v1.definition.suite_version, 'suite-v1');
      assert.equal(test.version, 'suite-v1-test');
      assert.deepEqual(ids(test.workloads), ids(v1.workloads));
    });

    it('refuses a fixture changed by one byte, naming the file', () => {
      const file = join(root, 'suite-v1', 'fixtures', 'w2-paragraphs.txt');
      const bytes = readFileSync(file);
      bytes[100] ^= 0x20;
      writeFileSync(file, bytes);
      assert.throws(
        () => loadSuite('suite-v1', { root }),
        (e: unknown) => e instanceof LlmSpeedError && e.message === 'suite-v1 fixture w2-paragraphs.txt does not match its pinned digest; reinstall llm-speed',
      );
    });

    it('refuses a missing fixture and a suite.json that breaks the schema', () => {
      rmSync(join(root, 'suite-v1', 'fixtures', 'w4-memo.txt'));
      assert.throws(() => loadSuite('suite-v1', { root }), /suite-v1 fixture w4-memo.txt is missing; reinstall llm-speed/);
      cpSync(join(SUITES_ROOT, 'suite-v1'), join(root, 'suite-v1'), { recursive: true });
      const file = join(root, 'suite-v1', 'suite.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"output_tokens": 256', '"output_tokens": "many"'));
      assert.throws(() => loadSuite('suite-v1', { root }), /suite\.json does not match suite\.schema\.json: \/workloads\/0\/output_tokens: must be integer/);
    });

    it('a different output length gives a different suite digest', () => {
      const file = join(root, 'suite-v1', 'suite.json');
      assert.equal(loadSuite('suite-v1', { root }).digest, v1.digest);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"output_tokens": 1024', '"output_tokens": 1000'));
      const changed = loadSuite('suite-v1', { root });
      assert.equal(changed.workloads[1].outputTokens, 1000);
      assert.notEqual(changed.digest, v1.digest);
    });

    it('rejects an unknown suite version with the list of shipped ones', () => {
      assert.throws(
        () => loadSuite('suite-v9'),
        (e: unknown) => e instanceof UsageError && /unknown suite "suite-v9"; this llm-speed ships suite-v1, suite-v1-test/.test(e.message),
      );
      assert.throws(() => loadSuite('../suites/suite-v1'), UsageError);
    });

    it('materialises suite-v1 with the lengths METHODOLOGY §1 gives', () => {
      const byId = Object.fromEntries(v1.workloads.map((w) => [w.id, w]));
      assert.deepEqual(ids(v1.workloads), ['W1', 'W2', 'W3', 'W4', 'W5']);
      assert.deepEqual(
        v1.workloads.map((w) => w.name),
        ['chat-short', 'chat-long', 'long-context-decay', 'concurrent-decode', 'agent-trace'],
      );
      assert.deepEqual(
        v1.workloads.map((w) => w.outputTokens),
        [256, 1024, 256, 256, 128],
      );
      const w1 = byId.W1 as Extract<WorkloadPlan, { kind: 'single' }>;
      assert.equal(w1.prompt, readFileSync(join(v1.dir, 'fixtures', 'w1-question.txt'), 'utf8'));
      assert.deepEqual((byId.W4 as Extract<WorkloadPlan, { kind: 'concurrent' }>).batchSizes, [1, 4, 8, 16]);
      const w3 = ofKind(v1, 'context-tiers');
      assert.deepEqual(
        w3.tiers.map((t) => t.contextTokens),
        [32768, 65536, 131072],
      );
      assert.equal(w3.optIn, true);
      assert.equal(ofKind(v1, 'agent-trace').turns.length, 11);
    });
  });

  describe('W3 tier prompts', () => {
    it('are the same bytes on every load, of the recorded length, header first and filler after', () => {
      const again = loadSuite();
      const a = ofKind(v1, 'context-tiers');
      const b = ofKind(again, 'context-tiers');
      const filler = ['w2-paragraphs.txt', 'w4-memo.txt'].map((f) => readFileSync(join(v1.dir, 'fixtures', f), 'utf8') + '\n').join('');
      for (const [i, tier] of a.tiers.entries()) {
        const prompt = tier.prompt();
        const recorded = v1.definition.workloads[2].context_tiers?.[i];
        assert.equal(prompt.length, recorded?.chars);
        assert.equal(Buffer.byteLength(prompt), recorded?.chars, 'characters are bytes');
        assert.equal(sha256(Buffer.from(prompt)), sha256(Buffer.from(b.tiers[i].prompt())));
        const header = `The text below is long on purpose: it measures reading and writing with ${tier.contextTokens} tokens of context. Read all of it, then continue writing where it stops.\n\n`;
        assert.ok(prompt.startsWith(header + filler + filler), `tier ${tier.contextTokens} starts with its header and repeats the filler`);
        const body = prompt.slice(header.length);
        assert.equal(body, filler.repeat(Math.ceil(body.length / filler.length)).slice(0, body.length));
      }
    });

    it("start differently, so no tier reuses another tier's cached prefix", () => {
      const prompts = ofKind(v1, 'context-tiers').tiers.map((t) => t.prompt().slice(0, 100));
      assert.equal(new Set(prompts).size, prompts.length);
    });
  });

  describe('W4 stream prompts', () => {
    it('differ for every stream of every batch size, around the same shared text', () => {
      const w4 = ofKind(v1, 'concurrent');
      const shared = readFileSync(join(v1.dir, 'fixtures', 'w4-memo.txt'), 'utf8');
      const prompts = w4.batchSizes.flatMap((batch) => Array.from({ length: batch }, (_, s) => w4.promptForStream(s, batch)));
      assert.equal(prompts.length, 1 + 4 + 8 + 16);
      assert.equal(new Set(prompts).size, prompts.length);
      assert.equal(w4.promptForStream(2, 8), `Request 3 of 8.\n\n${shared}`);
      for (const p of prompts) assert.ok(p.endsWith(shared));
      assert.equal(w4.promptForStream(0), `Request 1 of 16.\n\n${shared}`, 'without a batch size: the largest');
    });
  });

  describe('W5 agent trace', () => {
    for (const version of ['suite-v1', 'suite-v1-test']) {
      it(`${version}: turn k's messages are a strict prefix of turn k+1's, with the fixed assistant reply between`, () => {
        const suite = version === 'suite-v1' ? v1 : test;
        const w5 = ofKind(suite, 'agent-trace');
        const trace = JSON.parse(readFileSync(join(suite.dir, 'fixtures', suite.definition.workloads[4].trace_fixture as string), 'utf8')) as {
          system: string;
          turns: Array<{ append: ChatMessage[]; assistant: string }>;
        };
        assert.deepEqual(w5.turns[0], [{ role: 'system', content: trace.system }, ...trace.turns[0].append]);
        for (let k = 0; k + 1 < w5.turns.length; k++) {
          const [cur, next] = [w5.turns[k], w5.turns[k + 1]];
          assert.ok(next.length > cur.length + 1);
          assert.deepEqual(next.slice(0, cur.length), cur);
          assert.deepEqual(next[cur.length], { role: 'assistant', content: trace.turns[k].assistant });
          assert.deepEqual(next.slice(cur.length + 1), trace.turns[k + 1].append);
        }
        // Every turn ends with what the model answers: a user or tool message, never its own reply.
        for (const turn of w5.turns) assert.ok(['user', 'tool'].includes(turn[turn.length - 1].role));
      });
    }

    it('suite-v1: realistic tool traffic (read, write, run tests, fix, repeat)', () => {
      const messages = ofKind(v1, 'agent-trace').turns.at(-1) as ChatMessage[];
      const toolNames = messages.filter((m) => m.role === 'tool').map((m) => m.name);
      assert.deepEqual(toolNames, ['list_files', 'read_file', 'run_tests', 'read_file', 'read_file', 'read_file', 'read_file', 'write_file', 'run_tests', 'read_file', 'write_file', 'run_tests']);
      const calls = messages.filter((m) => m.role === 'assistant').flatMap((m) => [...m.content.matchAll(/<tool_call>\n(.*)\n<\/tool_call>/g)].map((c) => JSON.parse(c[1]).name as string));
      assert.equal(calls.length, toolNames.length, 'one tool result per tool call');
      assert.deepEqual(calls, toolNames);
    });
  });

  describe('selectWorkloads', () => {
    it('defaults to W1, W2, W4, W5: W3 is opt-in', () => {
      assert.deepEqual(ids(selectWorkloads(v1)), ['W1', 'W2', 'W4', 'W5']);
      assert.deepEqual(ids(selectWorkloads(v1, [])), ['W1', 'W2', 'W4', 'W5']);
    });

    it('accepts ids and names in any case, comma lists, once each, in suite order', () => {
      assert.deepEqual(ids(selectWorkloads(v1, ['w5', 'CHAT-SHORT'])), ['W1', 'W5']);
      assert.deepEqual(ids(selectWorkloads(v1, ['W2,concurrent-decode', ' w2 '])), ['W2', 'W4']);
      assert.deepEqual(ids(selectWorkloads(v1, ['long-context-decay'])), ['W3']);
      assert.deepEqual(ids(selectWorkloads(v1, ['Agent-Trace', 'W5'])), ['W5']);
    });

    it('names the valid workloads when one is unknown', () => {
      assert.throws(
        () => selectWorkloads(v1, ['W1', 'chat-medium']),
        (e: unknown) =>
          e instanceof UsageError && e.message === 'unknown workload "chat-medium"; suite-v1 has W1 chat-short, W2 chat-long, W3 long-context-decay, W4 concurrent-decode, W5 agent-trace',
      );
    });

    it('--quick runs the quick profile: W1 with 32 output tokens', () => {
      const plans = selectWorkloads(v1, undefined, { quick: true });
      assert.deepEqual(ids(plans), ['W1']);
      assert.equal(plans[0].outputTokens, 32);
      assert.equal(v1.workloads[0].outputTokens, 256, 'the loaded suite is not modified');
    });

    it('--quick with named workloads shortens them: outputs, batch sizes, turns', () => {
      const [w4, w5] = selectWorkloads(v1, ['W4', 'W5'], { quick: true });
      assert.equal(w4.kind, 'concurrent');
      assert.equal(w4.outputTokens, 32);
      if (w4.kind === 'concurrent') assert.deepEqual(w4.batchSizes, [1, 2]);
      assert.equal(w5.kind, 'agent-trace');
      if (w5.kind === 'agent-trace') assert.deepEqual(w5.turns, ofKind(v1, 'agent-trace').turns.slice(0, 2));
    });

    it('--quick cannot run W3', () => {
      for (const ref of ['long-context-decay', 'w3']) {
        assert.throws(
          () => selectWorkloads(v1, ['W1', ref], { quick: true }),
          (e: unknown) => e instanceof UsageError && e.message.startsWith('--quick cannot run W3 long-context-decay'),
        );
      }
    });
  });
});
