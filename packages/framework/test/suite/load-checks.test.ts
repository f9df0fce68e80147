/**
 * What loadSuite promises about a suite folder: which folders count as suite versions, where it
 * looks for them, and the exact error a user gets for each way a suite can be broken (a bad
 * suite.json, a fixture that is tampered, missing or outside the suite, a workload that names
 * nothing). Each test builds its suites in a temporary folder from a copy of suite-v1-test.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SuiteDefinition } from '../../src/contract/generated/suite.js';
import { LlmSpeedError, UsageError } from '../../src/errors.js';
import { SUITES_ROOT, availableSuites, loadSuite, selectWorkloads, type LoadOptions } from '../../src/suite/index.js';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const REINSTALL = ['reinstall llm-speed (npm install -g llm-speed), which restores the suite files it was released with'];

/**
 * Copies suite-v1-test to `<parent>/<folder>`, writes `fixtures` (re-pinning them), then lets
 * `edit` change the definition before suite.json is written. Returns the suite folder.
 */
function makeSuite(parent: string, folder: string, edit: (d: SuiteDefinition) => void = () => {}, fixtures: Record<string, string> = {}): string {
  const dir = join(parent, folder);
  cpSync(join(SUITES_ROOT, 'suite-v1-test'), dir, { recursive: true });
  const definition = JSON.parse(readFileSync(join(dir, 'suite.json'), 'utf8')) as SuiteDefinition;
  for (const [name, text] of Object.entries(fixtures)) {
    writeFileSync(join(dir, 'fixtures', name), text);
    definition.fixtures[name] = sha256(text);
  }
  edit(definition);
  writeFileSync(join(dir, 'suite.json'), JSON.stringify(definition, null, 2));
  return dir;
}

/** The error loadSuite gives, checked whole: class, code, message and suggestions. */
function refuses(version: string, options: LoadOptions, message: string, suggestions: string[] = REINSTALL): void {
  assert.throws(
    () => loadSuite(version, options),
    (e: unknown) => {
      assert.ok(e instanceof LlmSpeedError, `not an LlmSpeedError: ${String(e)}`);
      assert.equal(e.code, 'suite');
      assert.equal(e.message, message);
      assert.deepEqual(e.suggestions, suggestions);
      return true;
    },
  );
}

const workload = (d: SuiteDefinition, id: string) => d.workloads.find((w) => w.id === id) as SuiteDefinition['workloads'][number];

describe('loadSuite checks', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'llm-speed-suite-checks-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe('suite versions', () => {
    it('counts only folders named suite-v<number>[-<tag>] that hold a suite.json', () => {
      makeSuite(root, 'suite-v1-test');
      makeSuite(root, 'suite-v10', (d) => (d.suite_version = 'suite-v10'));
      makeSuite(root, 'my-suite-v1'); // a name with something before "suite-v"
      makeSuite(root, 'suite-v1.bak'); // a name with something after the version
      makeSuite(root, 'notes'); // holds a suite.json, but is not a version name
      mkdirSync(join(root, 'suite-v2')); // a version name without a suite.json
      writeFileSync(join(root, 'suite-v3'), '{}'); // a file, not a folder
      assert.deepEqual(availableSuites({ root }), ['suite-v1-test', 'suite-v10']);
      assert.equal(loadSuite('suite-v10', { root }).version, 'suite-v10');
      for (const version of ['my-suite-v1', 'suite-v1.bak', 'notes', 'suite-v2', 'suite-v3']) {
        assert.throws(
          () => loadSuite(version, { root }),
          (e: unknown) => e instanceof UsageError && e.message === `unknown suite "${version}"; this llm-speed ships suite-v1-test, suite-v10`,
        );
      }
    });

    it('an unknown suite in an empty installation: says none ships, and what to do', () => {
      assert.deepEqual(availableSuites({ root }), []);
      assert.throws(
        () => loadSuite('suite-v1', { root }),
        (e: unknown) => {
          assert.ok(e instanceof UsageError);
          assert.equal(e.exitCode, 2);
          assert.equal(e.message, 'unknown suite "suite-v1"; this llm-speed ships no suites');
          assert.deepEqual(e.suggestions, ['use --suite suite-v1, the suite this release is pinned to', 'run `llm-speed self-update` to download newer suite versions']);
          return true;
        },
      );
    });

    it('lists shipped and downloaded versions together, sorted, each once', () => {
      const shipped = join(root, 'shipped');
      const downloaded = join(root, 'downloaded');
      makeSuite(shipped, 'suite-v2', (d) => (d.suite_version = 'suite-v2'));
      makeSuite(downloaded, 'suite-v1-test');
      makeSuite(downloaded, 'suite-v2', (d) => (d.suite_version = 'suite-v2'));
      assert.deepEqual(availableSuites({ root: shipped }), ['suite-v2'], 'with its own root and no userRoot: no user folder');
      assert.deepEqual(availableSuites({ root: shipped, userRoot: downloaded }), ['suite-v1-test', 'suite-v2']);
      assert.equal(loadSuite('suite-v2', { root: shipped, userRoot: downloaded }).dir, join(shipped, 'suite-v2'), 'the shipped copy wins');
    });

    it('the user suites folder (under LLM_SPEED_DATA_DIR) is searched only when the root is the shipped one', () => {
      const saved = process.env.LLM_SPEED_DATA_DIR;
      const data = join(root, 'data');
      makeSuite(join(data, 'suites'), 'suite-v7', (d) => (d.suite_version = 'suite-v7'));
      makeSuite(root, 'suite-v2', (d) => (d.suite_version = 'suite-v2'));
      process.env.LLM_SPEED_DATA_DIR = data;
      try {
        assert.deepEqual(availableSuites(), ['suite-v1', 'suite-v1-test', 'suite-v7']);
        assert.equal(loadSuite('suite-v7').dir, join(data, 'suites', 'suite-v7'));
        assert.deepEqual(availableSuites({ root }), ['suite-v2']);
        assert.throws(() => loadSuite('suite-v7', { root }), UsageError);
        assert.deepEqual(availableSuites({ userRoot: false }), ['suite-v1', 'suite-v1-test']);
      } finally {
        if (saved === undefined) delete process.env.LLM_SPEED_DATA_DIR;
        else process.env.LLM_SPEED_DATA_DIR = saved;
      }
    });
  });

  describe('suite.json', () => {
    it('not JSON: names the file and the parse error', () => {
      makeSuite(root, 'suite-v1-test');
      writeFileSync(join(root, 'suite-v1-test', 'suite.json'), '{"suite_version": ');
      assert.throws(
        () => loadSuite('suite-v1-test', { root }),
        (e: unknown) => e instanceof LlmSpeedError && e.code === 'suite' && /^suite-v1-test suite\.json is not valid JSON \(.+\); reinstall llm-speed$/s.test(e.message),
      );
    });

    it('against the schema: every problem, separated by "; "', () => {
      makeSuite(root, 'suite-v1-test', (d) => {
        (d.workloads[0] as unknown as Record<string, unknown>).output_tokens = 'many';
        (d.workloads[1] as unknown as Record<string, unknown>).output_tokens = 'lots';
      });
      refuses(
        'suite-v1-test',
        { root },
        'suite-v1-test suite.json does not match suite.schema.json: /workloads/0/output_tokens: must be integer; /workloads/1/output_tokens: must be integer; reinstall llm-speed',
      );
    });

    it('a suite.json that cannot be read (here a folder): a suite error naming the file, not a bare EISDIR', () => {
      const dir = makeSuite(root, 'suite-v1-test');
      rmSync(join(dir, 'suite.json'));
      mkdirSync(join(dir, 'suite.json'));
      refuses('suite-v1-test', { root }, 'suite-v1-test suite.json cannot be read (EISDIR: illegal operation on a directory, read); reinstall llm-speed');
    });

    it('in a folder of another version: refused, naming both', () => {
      makeSuite(root, 'suite-v2');
      refuses('suite-v2', { root }, 'suite-v2 suite.json names itself suite-v1-test; reinstall llm-speed');
    });

    const inconsistent: Array<[string, (d: SuiteDefinition) => void, string]> = [
      ['an id defined twice', (d) => d.workloads.push({ ...workload(d, 'W1') }), 'workload W1 chat-short is defined twice'],
      ['a name defined twice', (d) => d.workloads.push({ ...workload(d, 'W1'), id: 'W6' }), 'workload W6 chat-short is defined twice'],
      [
        'fixtures that are not pinned',
        (d) => {
          workload(d, 'W1').prompt_fixture = 'w9-question.txt';
          workload(d, 'W3').filler_fixtures = ['w2-paragraphs.txt', 'w9-filler.txt'];
        },
        'W1 names fixture w9-question.txt, which is not pinned in "fixtures"; W3 names fixture w9-filler.txt, which is not pinned in "fixtures"',
      ],
      ['a single workload without a prompt', (d) => delete workload(d, 'W2').prompt_fixture, 'W2 (single) has no prompt_fixture'],
      ['a concurrent workload without a stream header', (d) => delete workload(d, 'W4').stream_header, 'W4 (concurrent) has no stream_header'],
      ['a context-tier workload without a tier header', (d) => delete workload(d, 'W3').tier_header, 'W3 (context-tiers) has no tier_header'],
      ['an agent trace without its trace', (d) => delete workload(d, 'W5').trace_fixture, 'W5 (agent-trace) has no trace_fixture'],
      ['a concurrent workload with no batch sizes', (d) => (workload(d, 'W4').batch_sizes = []), 'W4 has no batch sizes'],
      ['a default workload that is not defined', (d) => (d.default_workloads = ['W1', 'W9']), '"W9" is listed to run but not defined'],
      ['a quick workload that is not defined', (d) => ((d.quick as NonNullable<SuiteDefinition['quick']>).workloads = ['chat-medium']), '"chat-medium" is listed to run but not defined'],
    ];
    for (const [what, edit, problem] of inconsistent) {
      it(`inconsistent: ${what}`, () => {
        makeSuite(root, 'suite-v1-test', edit);
        refuses('suite-v1-test', { root }, `suite-v1-test suite.json is inconsistent: ${problem}; reinstall llm-speed`);
      });
    }

    it('workloads to run may be named by id or by name; the quick block is optional', () => {
      makeSuite(root, 'suite-v1-test', (d) => {
        d.default_workloads = ['chat-short', 'W4'];
        delete d.quick;
      });
      const suite = loadSuite('suite-v1-test', { root });
      assert.deepEqual(
        selectWorkloads(suite).map((w) => w.id),
        ['W1', 'W4'],
      );
      assert.throws(
        () => selectWorkloads(suite, undefined, { quick: true }),
        (e: unknown) => e instanceof UsageError && e.message === 'suite-v1-test has no --quick profile' && e.suggestions.join('|') === 'run without --quick',
      );
    });

    it('W3 is opt-in and no other workload is', () => {
      assert.deepEqual(
        loadSuite().workloads.map((w) => [w.id, w.optIn]),
        [
          ['W1', false],
          ['W2', false],
          ['W3', true],
          ['W4', false],
          ['W5', false],
        ],
      );
    });
  });

  describe('fixtures', () => {
    it('a tampered fixture: refused with what to do', () => {
      makeSuite(root, 'suite-v1-test');
      writeFileSync(join(root, 'suite-v1-test', 'fixtures', 'w1-question.txt'), 'What is 2 + 2?\n');
      refuses('suite-v1-test', { root }, 'suite-v1-test fixture w1-question.txt does not match its pinned digest; reinstall llm-speed');
    });

    it('a fixture name reaching outside fixtures/ is refused as missing, even when the file is there and pinned', () => {
      writeFileSync(join(root, 'outside.txt'), 'outside\n');
      makeSuite(root, 'suite-v1-test', (d) => (d.fixtures['../../outside.txt'] = sha256('outside\n')));
      refuses('suite-v1-test', { root }, 'suite-v1-test fixture ../../outside.txt is missing; reinstall llm-speed');
    });

    it('a fixture name with a backslash is refused as missing (a path separator on Windows)', () => {
      const dir = makeSuite(root, 'suite-v1-test', (d) => (d.fixtures['sub\\note.txt'] = sha256('note\n')));
      writeFileSync(join(dir, 'fixtures', 'sub\\note.txt'), 'note\n'); // a plain file name on Linux
      refuses('suite-v1-test', { root }, 'suite-v1-test fixture sub\\note.txt is missing; reinstall llm-speed');
    });

    it('a fixture that cannot be read (here a folder): names it', () => {
      const dir = makeSuite(root, 'suite-v1-test');
      rmSync(join(dir, 'fixtures', 'w4-memo.txt'));
      mkdirSync(join(dir, 'fixtures', 'w4-memo.txt'));
      refuses('suite-v1-test', { root }, 'suite-v1-test fixture w4-memo.txt cannot be read (EISDIR: illegal operation on a directory, read); reinstall llm-speed');
    });

    it('a filler fixture that is not ASCII: refused (tier lengths count bytes)', () => {
      makeSuite(root, 'suite-v1-test', () => {}, { 'w4-memo.txt': 'Memo: the café opens at nine.\n' });
      refuses('suite-v1-test', { root }, 'suite-v1-test filler fixture w4-memo.txt is not ASCII; reinstall llm-speed');
    });

    it('an agent trace that is not JSON: names the fixture and the parse error', () => {
      makeSuite(root, 'suite-v1-test', () => {}, { 'w5-agent-trace.json': 'turn 1: hello\n' });
      assert.throws(
        () => loadSuite('suite-v1-test', { root }),
        (e: unknown) => e instanceof LlmSpeedError && e.code === 'suite' && /^suite-v1-test fixture w5-agent-trace\.json is not valid JSON \(.+\); reinstall llm-speed$/s.test(e.message),
      );
    });

    it('an agent trace of the wrong shape: every problem, separated by "; "', () => {
      makeSuite(root, 'suite-v1-test', () => {}, { 'w5-agent-trace.json': '{"system": 1, "turns": "none"}\n' });
      refuses('suite-v1-test', { root }, 'suite-v1-test fixture w5-agent-trace.json is not an agent trace: /system: must be string; /turns: must be array; reinstall llm-speed');
    });
  });

  describe('a downloaded suite', () => {
    it('broken on disk: says where it is and to download it again, not to reinstall', () => {
      const downloaded = join(root, 'downloaded');
      // A fixture whose own name contains the reinstall hint: only the hint at the end is replaced.
      const dir = makeSuite(downloaded, 'suite-v1-test', () => {}, { 'notes; reinstall llm-speed.txt': 'notes\n' });
      writeFileSync(join(dir, 'fixtures', 'notes; reinstall llm-speed.txt'), 'notes, edited\n');
      refuses('suite-v1-test', { root: join(root, 'shipped'), userRoot: downloaded }, `suite-v1-test fixture notes; reinstall llm-speed.txt does not match its pinned digest (downloaded to ${dir})`, [
        `delete ${dir} and run \`llm-speed self-update\` to download it again`,
      ]);
    });
  });
});
