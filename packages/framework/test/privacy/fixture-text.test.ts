/**
 * The fixture-text index and its three finders (privacy/fixture-text.ts), on a suites folder made
 * here so each expected answer can be worked out by hand: shingle chains of 24 covered letters
 * (6-letter shingles, gaps of up to 2 letters), word chains (5 words and 24 letters, each 1–3
 * fixture words on), and pieces of separate fields that line up along a fixture.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fieldPieces, findFixtureText, fixtureForm, fixtureIndex, hasFixtureCopy, linedUpPieces, normalizeForFixtures, shingleCopies, wordCopies } from '../../src/privacy/fixture-text.js';
import { SUITES_ROOT } from '../../src/suite/load.js';

// No "l" (read as "i") and no letter pair repeated across words, so each shingle occurs once.
// Letters: copper(0-5) kettles(6-12) whistle(13-19) softy(20-24) when(25-28) amber(29-33)
// torches(34-40) dance(41-45) beside(46-51) quiet(52-56) harbour(57-63) gates(64-68).
const PROSE = 'Copper kettles whistle softy when amber torches dance beside quiet harbour gates.';
const LETTERS = 'copperkettieswhistiesoftywhenambertorchesdancebesidequietharbourgates';

describe('fixture text: the index of a suites folder', () => {
  let root: string;
  let index: ReturnType<typeof fixtureIndex>;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'llm-speed-fixtures-'));
    mkdirSync(join(root, 'suite-a', 'fixtures'), { recursive: true });
    writeFileSync(join(root, 'suite-a', 'fixtures', 'w1.txt'), PROSE);
    // In the raw JSON "\n" is a backslash and an "n"; the decoded string has a line break there.
    writeFileSync(join(root, 'suite-a', 'fixtures', 'w5.json'), JSON.stringify({ turns: [[{ role: 'user', content: 'Gravel paths\nwind through orchards' }]] }));
    writeFileSync(join(root, 'suite-a', 'fixtures', 'broken.json'), '{"text": "Harbour cranes unload ships through the night", ');
    mkdirSync(join(root, 'suite-b'), { recursive: true });
    writeFileSync(join(root, 'suite-b', 'README.txt'), 'Lanterns flicker along the old canal towpath tonight');
    mkdirSync(join(root, 'suite-c'), { recursive: true });
    writeFileSync(join(root, 'suite-c', 'fixtures'), 'Orchards bloom early when winters stay mild and dry');
  });
  beforeEach(() => {
    index = fixtureIndex(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('holds each fixture in fixture form, every 6-letter shingle at its place, and the words in order', () => {
    assert.equal(fixtureForm(PROSE), LETTERS);
    const at = index.letters.indexOf(LETTERS);
    assert.ok(at >= 0);
    for (let i = 0; i + 6 <= LETTERS.length; i++) assert.ok(index.shingles.get(LETTERS.slice(i, i + 6))!.includes(at + i), `shingle at ${i}`);
    assert.ok(![...index.shingles.keys()].some((s) => s.length !== 6 || s.includes('\0')), 'no shingle crosses from one fixture into the next');
    const w = index.words.indexOf('copper');
    assert.deepEqual(index.words.slice(w, w + 13), ['copper', 'ketties', 'whistie', 'softy', 'when', 'amber', 'torches', 'dance', 'beside', 'quiet', 'harbour', 'gates', '']);
  });

  it('reads the strings inside JSON fixtures and the raw file; a broken JSON fixture as text; only <suite>/fixtures/', () => {
    assert.ok(findFixtureText('Gravel paths\nwind through orchards', index).length > 0, 'the decoded string');
    assert.ok(findFixtureText('Gravel paths\\nwind through orchards', index).length > 0, 'the raw file text');
    assert.ok(findFixtureText('Harbour cranes unload ships through the night', index).length > 0);
    assert.deepEqual(findFixtureText('Lanterns flicker along the old canal towpath tonight', index), [], 'a file beside the fixtures');
    assert.deepEqual(findFixtureText('Orchards bloom early when winters stay mild and dry', index), [], 'a file named fixtures');
    assert.equal(fixtureIndex(join(root, 'no-such-folder')).letters, '');
  });

  it("another folder never replaces the shipped suites' index", () => {
    const shipped = fixtureIndex();
    assert.equal(fixtureIndex(root) === shipped, false);
    assert.equal(fixtureIndex(), shipped, 'built once per process');
    assert.equal(fixtureIndex(SUITES_ROOT), shipped);
    assert.deepEqual(findFixtureText(PROSE), [], 'the made-up fixture is not in the shipped suites');
  });

  it('fixture form: case, spacing, leetspeak, homoglyphs, full-width letters and invisible characters change nothing', () => {
    const spellings = [
      'COPPER KETTLES WHISTLE',
      'copperkettleswhistle',
      'c0pp3r k3tt1e5 wh15tl3', // leetspeak: 0 o, 3 e, 1 i, 5 s
      'сорреr kеttlеs whistlе', // Cyrillic с о р е
      'ｃｏｐｐｅｒ ｋｅｔｔｌｅｓ ｗｈｉｓｔｌｅ', // full-width
      'cop\u200bper ket\u00adtles whis\u200dtle', // zero-width space, soft hyphen, zero-width joiner
      'copper%20kettles%20whistle',
    ];
    for (const s of spellings) assert.equal(fixtureForm(s), 'copperkettieswhistie', s);
    assert.deepEqual(normalizeForFixtures('A-b 😀c'), {
      norm: 'abc',
      at: [0, 2, 6],
      words: [
        { word: 'a', start: 0 },
        { word: 'b', start: 1 },
        { word: 'c', start: 2 },
      ],
    });
  });
});

describe('fixture text: the three finders', () => {
  let root: string;
  let index: ReturnType<typeof fixtureIndex>;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'llm-speed-fixtures-'));
    mkdirSync(join(root, 'suite-a', 'fixtures'), { recursive: true });
    writeFileSync(join(root, 'suite-a', 'fixtures', 'w1.txt'), PROSE);
  });
  beforeEach(() => {
    index = fixtureIndex(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('shingles: 24 copied letters in a row are a copy, 23 are not; the span is that of the original text', () => {
    assert.deepEqual(shingleCopies(LETTERS.slice(0, 24), index), [{ start: 0, end: 24 }]);
    assert.deepEqual(shingleCopies(LETTERS.slice(0, 23), index), []);
    const text = `said: ${PROSE} ok`;
    assert.deepEqual(findFixtureText(text, index), [{ start: 6, end: 6 + PROSE.length - 1 }]);
  });

  it('shingles: a typo every 12 letters (changed, added or dropped) still chains; one every 6 letters leaves no shingle', () => {
    // Letter 11 of every 12 changed to "z": runs of 11 good letters, 6 shingles each, 1-letter gaps.
    const changed = [...LETTERS.slice(0, 48)].map((c, i) => (i % 12 === 11 ? 'z' : c)).join('');
    assert.deepEqual(shingleCopies(changed, index), [{ start: 0, end: 47 }], 'the chain covers 11 + 11 + 11 + 11 letters and ends with the last good shingle');
    const added = [0, 12, 24, 36].map((i) => LETTERS.slice(i, i + 12)).join('q');
    assert.equal(shingleCopies(added, index).length, 1, 'a letter added every 12: each run one place further on');
    const dropped = [0, 13, 26, 39].map((i) => LETTERS.slice(i, i + 12)).join('');
    assert.equal(shingleCopies(dropped, index).length, 1, 'a letter dropped every 13');
    const dense = [...LETTERS.slice(0, 48)].map((c, i) => (i % 6 === 5 ? 'z' : c)).join('');
    assert.deepEqual(shingleCopies(dense, index), []);
  });

  it('shingles: a gap of 3 or more letters between two runs breaks the chain (two copies of 20 letters are none)', () => {
    assert.deepEqual(shingleCopies(LETTERS.slice(0, 20) + 'zzz' + LETTERS.slice(23, 43), index), []);
    assert.deepEqual(shingleCopies(LETTERS.slice(0, 20) + 'zz' + LETTERS.slice(22, 42), index), [{ start: 0, end: 42 }]);
  });

  it('words: every other word in fixture order is a copy at 5 words and 24 letters; shuffled, or 4 words, is not', () => {
    const words = (text: string) => normalizeForFixtures(text).words;
    // copper whistle when torches beside harbour: 6 words, 6+7+4+7+6+7 = 37 letters, each 2 words on.
    assert.equal(wordCopies(words('copper whistle when torches beside harbour'), index).length, 1);
    assert.equal(hasFixtureCopy(fixtureForm('copper whistle when torches beside harbour'), words('copper whistle when torches beside harbour'), index), true);
    // 4 words of 27 letters: too few words.
    assert.deepEqual(wordCopies(words('kettles softy torches beside'), index), []);
    // Every third word: copper softy torches quiet gates, 5 words, 26 letters, each 3 words on.
    assert.equal(wordCopies(words('copper softy torches quiet gates'), index).length, 1);
    // Every fourth word is further than a chain steps.
    assert.deepEqual(wordCopies(words('copper when beside gates kettles amber'), index), []);
    assert.deepEqual(wordCopies(words('harbour beside torches when whistle copper'), index), [], 'backwards');
  });

  it('pieces: fields of 4 letters or more that line up along the fixture, in any order, at most 3 letters apart, cover 24 letters', () => {
    // Field 0 holds letters 12-23, field 1 letters 0-11 (in the other order), field 2 a word elsewhere.
    const hits = [...fieldPieces(LETTERS.slice(12, 24), 0, index), ...fieldPieces(LETTERS.slice(0, 12), 1, index), ...fieldPieces('harbour', 2, index)];
    assert.deepEqual(linedUpPieces(hits), [1, 0]);
    // 4-letter pieces with a 3-letter gap each: 6 pieces of 4 cover 24 letters.
    const fours = [0, 7, 14, 21, 28, 35].map((at, i) => fieldPieces(LETTERS.slice(at, at + 4), i, index)).flat();
    assert.equal(fours.length, 6);
    assert.deepEqual(linedUpPieces(fours).sort(), [0, 1, 2, 3, 4, 5]);
    // A 4-letter gap is too far; 3-letter fields are no pieces; one field twice is one field.
    assert.deepEqual(linedUpPieces([0, 8, 16, 24, 32, 40].map((at, i) => fieldPieces(LETTERS.slice(at, at + 4), i, index)).flat()), []);
    assert.deepEqual(fieldPieces(LETTERS.slice(0, 3), 0, index), []);
    assert.deepEqual(linedUpPieces([...fieldPieces(LETTERS.slice(0, 12), 0, index), ...fieldPieces(LETTERS.slice(12, 24), 0, index)]), []);
  });

  it('pieces: a stretch of 6 letters or more inside a longer field counts, shorter ones do not', () => {
    const inside = fieldPieces(`zzzz${LETTERS.slice(12, 20)}zzzz`, 0, index);
    assert.deepEqual(
      inside.map((h) => h.length),
      [8],
    );
    assert.deepEqual(fieldPieces(`zzzz${LETTERS.slice(12, 17)}zzzz`, 0, index), []);
  });
});
