/**
 * The edges of --workload and --quick (empty names, several unknown ones, the exact errors), the
 * digest's file order, and the tier-prompt guard: what the main suite tests leave implicit.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { UsageError } from '../../src/errors.js';
import { loadSuite, selectWorkloads, suiteDigest } from '../../src/suite/index.js';
import { tierPrompt } from '../../src/suite/materialise.js';

const ids = (plans: Array<{ id: string }>) => plans.map((p) => p.id);

/** Checks the whole UsageError: message and suggestions. */
function usage(fn: () => unknown, message: string, suggestions: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, `not a UsageError: ${String(e)}`);
    assert.equal(e.message, message);
    assert.deepEqual(e.suggestions, suggestions);
    return true;
  });
}

describe('selectWorkloads edges', () => {
  const v1 = loadSuite();

  it('empty entries in --workload are ignored: "W1," runs W1, only blanks run the defaults', () => {
    assert.deepEqual(ids(selectWorkloads(v1, ['W1,', ' ', ''])), ['W1']);
    assert.deepEqual(ids(selectWorkloads(v1, [',', '  ,  '])), ['W1', 'W2', 'W4', 'W5']);
  });

  it('several unknown workloads: all named, with how to name them', () => {
    usage(
      () => selectWorkloads(v1, ['chat-medium', 'W1', 'W9']),
      'unknown workloads "chat-medium", "W9"; suite-v1 has W1 chat-short, W2 chat-long, W3 long-context-decay, W4 concurrent-decode, W5 agent-trace',
      ['name workloads by id or name, e.g. --workload W1,chat-long'],
    );
  });

  it('--quick with W3: says why, and the two ways out', () => {
    usage(() => selectWorkloads(v1, ['W1', 'W3'], { quick: true }), '--quick cannot run W3 long-context-decay: a long-context prompt is the opposite of a smoke test', [
      'run long-context-decay without --quick',
      'or drop it from --workload to smoke-test the rest',
    ]);
  });

  it('--quick on a suite without a quick profile is refused, not run at full size', () => {
    const bare = { ...v1, definition: { ...v1.definition, quick: undefined } };
    usage(() => selectWorkloads(bare, ['W1'], { quick: true }), 'suite-v1 has no --quick profile', ['run without --quick']);
  });
});

describe('suiteDigest', () => {
  it('lists the fixtures by name whatever order suite.json gives them in', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    const s = 'c'.repeat(64);
    // Written out from the definition in digest.ts: suite.json first, then the fixtures sorted.
    const expected = createHash('sha256').update(`suite.json\0${s}\nw1.txt\0${a}\nw2.txt\0${b}\n`).digest('hex');
    assert.equal(suiteDigest(s, { 'w2.txt': b, 'w1.txt': a }), expected);
    assert.equal(suiteDigest(s, { 'w1.txt': a, 'w2.txt': b }), expected);
  });
});

describe('tierPrompt', () => {
  it('cuts header + repeated filler at exactly the given length', () => {
    assert.equal(tierPrompt('H: ', 'ab\n', 10), 'H: ab\nab\na');
    assert.equal(tierPrompt('Header', 'x', 3), 'Hea');
  });

  it('refuses an empty filler instead of looping or building nothing', () => {
    assert.throws(() => tierPrompt('H: ', '', 10), { message: 'empty filler' });
  });
});
