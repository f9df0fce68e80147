/**
 * The fixture-text index (privacy/fixture-text.ts) built from a suites folder made here, so the
 * windows and spans can be worked out by hand: 24 letters or digits in a row are a copy, 12 are a
 * piece, text inside JSON fixtures counts as the decoded strings, and only `<suite>/fixtures/` is read.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFixtureText, fixtureForm, fixtureIndex, hasFixtureWindow, isFixturePiece, normalizeForFixtures } from '../../src/privacy/fixture-text.js';
import { SUITES_ROOT } from '../../src/suite/load.js';

// 36 letters and digits: "abcdefghij" "klmnopqrst" "uvwxyz0123" "456789".
const PROSE = 'Abc def, ghij! Klm-nop qrst; uvwxyz 0123 456789.';
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

describe('fixture text: the index of a suites folder', () => {
  let root: string;
  let index: ReturnType<typeof fixtureIndex>;
  // The folder is written once; the index is built again for each test, inside it, so that what a
  // test checks is the index built while that test runs (StrykerJS counts a \`before\` hook's calls
  // against whichever test ran last, and never ran these tests against the index's mutants).
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'llm-speed-fixtures-'));
    mkdirSync(join(root, 'suite-a', 'fixtures'), { recursive: true });
    writeFileSync(join(root, 'suite-a', 'fixtures', 'w1.txt'), PROSE);
    // In the raw JSON "\n" and "\t" are a backslash and a letter; the decoded strings have a line
    // break and a tab there. Every 24-character window of these two strings crosses its escape.
    writeFileSync(
      join(root, 'suite-a', 'fixtures', 'w5.json'),
      JSON.stringify({ turns: [[{ role: 'user', content: 'Copper kettle\nwhistles at dawn' }]], meta: { note: 'Bridges need\tpatience and careful study' } }),
    );
    writeFileSync(join(root, 'suite-a', 'fixtures', 'broken.json'), '{"text": "Harbour cranes unload ships through the night", ');
    mkdirSync(join(root, 'suite-b'), { recursive: true });
    writeFileSync(join(root, 'suite-b', 'README.txt'), 'Lanterns flicker along the old canal towpath tonight');
    mkdirSync(join(root, 'suite-c'), { recursive: true });
    writeFileSync(join(root, 'suite-c', 'fixtures'), 'Orchards bloom early when winters stay mild and dry');
    // A text fixture that happens to be a JSON string: its prompt is the raw text, escape included.
    writeFileSync(join(root, 'suite-a', 'fixtures', 'quoted.txt'), '"Velvet moths circle\\tthe old porch lamp"');
  });
  beforeEach(() => {
    index = fixtureIndex(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('holds every 24-character window and every 12-character piece of each fixture, nothing shorter', () => {
    assert.equal(fixtureForm(PROSE), ALNUM);
    for (let i = 0; i + 24 <= ALNUM.length; i++) assert.ok(index.windows.has(ALNUM.slice(i, i + 24)), `window at ${i}`);
    for (let i = 0; i + 12 <= ALNUM.length; i++) assert.ok(index.pieces.has(ALNUM.slice(i, i + 12)), `piece at ${i}`);
    assert.ok(![...index.windows].some((w) => w.length !== 24));
    assert.ok(![...index.pieces].some((p) => p.length !== 12));
    assert.ok(!index.windows.has(ALNUM.slice(13, 37)), 'no window runs past the end');
  });

  it('reads the strings inside JSON fixtures, nested in arrays and objects, as well as the raw file', () => {
    assert.ok(hasFixtureWindow(fixtureForm('Copper kettle\nwhistles at dawn'), index), 'a string in an array in an array, across its line break');
    assert.ok(hasFixtureWindow(fixtureForm('Copper kettle\\nwhistles at dawn'), index), 'the raw file text');
    assert.ok(hasFixtureWindow(fixtureForm('Bridges need\tpatience and careful study'), index), 'a string in a nested object, across its tab');
    assert.ok(hasFixtureWindow(fixtureForm('Harbour cranes unload ships through the night'), index), 'a fixture that is not valid JSON is still read as text');
  });

  it('reads a text fixture as it is, never decoded as JSON', () => {
    // In the file, \t is a backslash and a "t": its letters run "circletthe", the decoded string's
    // (a tab) "circlethe". With 17 and 15 letters either side, every 24-letter window crosses it.
    assert.equal(hasFixtureWindow(fixtureForm('Velvet moths circle\\tthe old porch lamp'), index), true, 'the raw text');
    assert.equal(hasFixtureWindow(fixtureForm('Velvet moths circle\tthe old porch lamp'), index), false, 'the decoded string is no fixture text');
  });

  it('reads only <suite>/fixtures/ folders', () => {
    assert.equal(hasFixtureWindow(fixtureForm('Lanterns flicker along the old canal towpath'), index), false, 'a file beside the fixtures');
    assert.equal(hasFixtureWindow(fixtureForm('Orchards bloom early when winters stay mild'), index), false, 'a file named fixtures');
    assert.deepEqual(fixtureIndex(join(root, 'no-such-folder')), { windows: new Set(), pieces: new Set() });
  });

  it('finds a copy as the span of the original text it covers, merging overlapping windows', () => {
    const text = `said: ${PROSE} ok`;
    assert.deepEqual(findFixtureText(text, index), [{ start: 6, end: 6 + PROSE.length - 1 }]);
    // exactly 24 letters and digits: one window; 23: none
    const exact = 'Abc def, ghij! Klm-nop qrst; uvwx';
    assert.equal(fixtureForm(exact).length, 24);
    assert.deepEqual(findFixtureText(exact, index), [{ start: 0, end: exact.length }]);
    assert.deepEqual(findFixtureText(exact.slice(0, -1), index), []);
    // two separate copies: two spans
    const two = `${exact} and then ${exact}`;
    assert.deepEqual(findFixtureText(two, index), [
      { start: 0, end: exact.length },
      { start: exact.length + 10, end: two.length },
    ]);
    // two copies that touch in the text: one span
    const touching = ALNUM.slice(0, 24) + ALNUM.slice(12, 36);
    assert.deepEqual(findFixtureText(touching, index), [{ start: 0, end: 48 }]);
  });

  it('a piece is 12 or more letters and digits all inside one fixture', () => {
    assert.equal(isFixturePiece(ALNUM.slice(3, 15), index), true);
    assert.equal(isFixturePiece(ALNUM.slice(3, 14), index), false, '11 characters');
    assert.equal(isFixturePiece(ALNUM.slice(0, 20), index), true);
    assert.equal(isFixturePiece(ALNUM.slice(0, 12) + 'zz', index), false, 'it runs out of the fixture');
    assert.equal(hasFixtureWindow(ALNUM.slice(12, 36), index), true);
    assert.equal(hasFixtureWindow(ALNUM.slice(13, 36), index), false);
  });

  it('normalises to letters and digits, lower-cased, keeping where each came from (surrogate pairs too)', () => {
    assert.deepEqual(normalizeForFixtures('A-b 😀c'), { norm: 'abc', at: [0, 2, 6] });
    assert.equal(fixtureForm('Ünïcode—Text, 42!'), 'ünïcodetext42');
  });

  it("another folder never replaces the shipped suites' index", () => {
    const shipped = fixtureIndex();
    assert.equal(fixtureIndex(root) === shipped, false);
    assert.equal(fixtureIndex(), shipped, 'built once per process');
    assert.ok(shipped.windows.size > index.windows.size);
    assert.deepEqual(findFixtureText(PROSE), [], 'the made-up fixture is not in the shipped suites');
    assert.equal(fixtureIndex(SUITES_ROOT), shipped);
  });
});
