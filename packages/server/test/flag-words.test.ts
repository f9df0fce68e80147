/**
 * Every flag a result can carry has its words on the pages. The list is METHODOLOGY §3.7's flag
 * table — the documented list, which methodology.test.ts holds every flag the harness sets to —
 * and the framework's own flag constants; a flag added to either without words here fails this
 * test instead of reaching a page as "a flag this server does not know".
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ACCELERATOR_UNUSED_FLAG, INTERRUPTED_FLAG, NOT_COMPARABLE_FLAGS, OUT_OF_BOUNDS_FLAG } from '@llm-speed/framework';
import { FLAG_WORDS, MARK_FLAGS, MARK_WORDS, flagInWords } from '../src/pages/format.js';
import { ROOT } from './chromium.js';

/** The flags of METHODOLOGY §3.7's table: the first cell of each row, which may name several ("`thermal-throttled`, `on-battery`"). */
function documentedFlags(): string[] {
  const doc = readFileSync(`${ROOT}docs/METHODOLOGY.md`, 'utf8');
  const section = doc.slice(doc.indexOf('### §3.7 Flags'), doc.indexOf('### §3.8'));
  assert.ok(section.length > 0, 'METHODOLOGY has §3.7 Flags before §3.8');
  const flags: string[] = [];
  for (const line of section.split('\n')) {
    const first = /^\|([^|]+)\|/.exec(line)?.[1];
    if (first) for (const m of first.matchAll(/`([a-z0-9-]+)`/g)) flags.push(m[1]!);
  }
  return flags;
}

describe('flags in words (issue 22, issue 28)', () => {
  it('every flag METHODOLOGY §3.7 documents has its words, and the words are not the unknown-flag fallback', () => {
    const flags = documentedFlags();
    // The table as it stands names at least these (the harness's, the GPU owner's, the harness-cost engineer's, the sampler's).
    for (const f of ['quick', 'warm-cache', 'harness-gap', 'accelerator-unused', 'client-load', 'busy-machine', 'throttled', 'thermal-throttled', 'on-battery'])
      assert.ok(flags.includes(f), `§3.7 lists ${f}`);
    const missing = flags.filter((f) => !(f in FLAG_WORDS));
    assert.deepEqual(missing, [], 'flags documented in METHODOLOGY §3.7 without words on the pages');
    for (const f of flags) assert.notEqual(flagInWords(f), 'a flag this server does not know', f);
  });

  it('every flag constant the framework exports has its words, and every mark its short words', () => {
    for (const f of [...NOT_COMPARABLE_FLAGS, OUT_OF_BOUNDS_FLAG, INTERRUPTED_FLAG, ACCELERATOR_UNUSED_FLAG]) assert.ok(f in FLAG_WORDS, `${f} has words`);
    for (const f of MARK_FLAGS) {
      assert.ok(f in FLAG_WORDS, `${f} has words`);
      assert.ok(MARK_WORDS[f].length > 0, `${f} has short words`);
    }
  });

  it('client-load says what it measured and that it is still ranked (METHODOLOGY §3.5: more than 5 % of a core, at most 4 cores)', () => {
    assert.equal(flagInWords('client-load'), "llm-speed's own process used more than 5 % of a core on a machine of 4 cores or fewer; shown and ranked (METHODOLOGY §3.5)");
    assert.equal(flagInWords('no-such-flag'), 'a flag this server does not know');
  });
});
