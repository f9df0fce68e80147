/**
 * What ingest (verify → invariant → schema → interrupted → privacy rules) answers for each kind of
 * bad submission, called directly: the status and the message that names the problem, so an
 * uploader (or a forger) learns which rule held. The HTTP tests cover the same path end to end.
 */
import assert from 'node:assert/strict';
import { canonicalize, signRun, toCompactJws, type RunPayload } from '@llm-speed/framework';
import { ingest, IngestError, toNewResult, verifyAndCheck } from '../src/index.js';
import { sampleResult, sampleRun, signedToken, testKeys } from './helpers.js';
import { readFileSync } from 'node:fs';

/** Prose from a shipped suite fixture: what a driver echoing its prompt would send. */
const PROSE = readFileSync(new URL('../../framework/suites/suite-v1/fixtures/w2-paragraphs.txt', import.meta.url), 'utf8')
  .replace(/\s+/g, ' ')
  .slice(400, 440);

async function refusal(body: string): Promise<IngestError> {
  try {
    await verifyAndCheck(body);
  } catch (error) {
    assert.ok(error instanceof IngestError, String(error));
    return error;
  }
  assert.fail('accepted');
}

describe('ingest: each refusal names its rule', () => {
  it('an empty body, a body that is neither JSON nor a JWS, an unsigned run', async () => {
    for (const body of ['', '  \n']) {
      const e = await refusal(body);
      assert.equal(e.status, 400);
      assert.match(e.message, /^empty body: POST the compact JWS of a signed run/);
    }
    assert.equal((await refusal('{"not json')).message, 'body is neither a compact JWS nor valid JSON');
    const signed = await signRun(sampleRun(), await testKeys());
    for (const unsigned of [{}, { ...signed, signature: undefined }, { ...signed, public_key: undefined }, { ...signed, signature: '' }]) {
      const e = await refusal(JSON.stringify(unsigned));
      assert.equal(e.status, 400);
      assert.equal(e.message, 'unsigned run: sign it with the llm-speed CLI and POST the compact JWS');
    }
  });

  it('a signed run JSON (detached signature) is verified like a JWS: accepted as is, refused when edited', async () => {
    const signed = await signRun(sampleRun(), await testKeys());
    assert.equal(canonicalize(await verifyAndCheck(`\n${JSON.stringify(signed)}\n`)), canonicalize(signed));
    const edited = await refusal(JSON.stringify({ ...signed, cli_version: '9.9.9' }));
    assert.equal(edited.status, 400);
    assert.equal(edited.message, 'signature does not verify: the signature does not match the payload (edited after signing, or signed by another key)');
  });

  it('a body that is not header.payload.signature is told so before any decoding; a JWS that fails says why', async () => {
    const token = await signedToken(sampleRun());
    for (const body of ['abc', `${token}.extra`, `*${token}`, `${token} trailing`]) {
      const e = await refusal(body);
      assert.equal(e.status, 400, body.slice(0, 12));
      assert.equal(e.message, 'not a compact JWS (header.payload.signature): sign the run with the llm-speed CLI', body.slice(0, 12));
    }
    const [h, p, s] = token.split('.');
    const bad = await refusal(`${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`);
    assert.equal(bad.status, 400);
    assert.match(bad.message, /^signature does not verify: /);
    assert.equal(canonicalize(await verifyAndCheck(`${token}\r\n`)), canonicalize(await verifyAndCheck(token)));
  });

  it("a long string where none may be: 400 with the invariant's message", async () => {
    const e = await refusal(await signedToken(sampleRun([sampleResult({ extras: { note: 'x'.repeat(300) } })])));
    assert.equal(e.status, 400);
    assert.match(e.message, /^upload payload contains unexpected long string at results\[0\]\.extras\.note/);
  });

  it('a run the schema refuses: 400 and the problems, at most 20', async () => {
    const results = Array.from({ length: 25 }, () => sampleResult({ workload: 'bogus' as never }));
    const e = await refusal(await signedToken(sampleRun(results)));
    assert.equal(e.status, 400);
    assert.equal(e.message, 'run does not match run.schema.json');
    assert.equal(e.details?.length, 20);
  });

  it('an interrupted run: 422 naming the workloads that did not finish', async () => {
    const run = sampleRun([sampleResult(), sampleResult({ workload: 'agent-trace', flags: ['interrupted', 'no-output'], error: 'interrupted' })]);
    const e = await refusal(await signedToken(run));
    assert.equal(e.status, 422);
    assert.match(e.message, /^interrupted run refused \(agent-trace did not finish\): /);
  });

  it('the privacy rules: 422 naming the first field and what it holds, every violation in the details', async () => {
    const cases: Array<[RunPayload, RegExp]> = [
      [sampleRun([sampleResult({ error: 'at 10.0.0.5 and alice-pc.lan' })]), /^refused by the privacy rules: results\[0\]\.error contains personal data \(ipv4\); nothing was stored$/],
      // 40 entries of 60 characters: each one schema-valid, together over 2 KiB.
      [
        sampleRun([sampleResult({ extras: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(60)])) })]),
        /^refused by the privacy rules: results\[0\]\.extras contains an extras value outside the extras rules; nothing was stored$/,
      ],
      [sampleRun([sampleResult({ error: `echo: ${PROSE}` })]), /^refused by the privacy rules: results\[0\]\.error contains prompt text copied from the suite fixtures; nothing was stored$/],
    ];
    for (const [run, message] of cases) {
      const e = await refusal(await signedToken(run));
      assert.equal(e.status, 422);
      assert.match(e.message, message);
    }
    const e = await refusal(await signedToken(sampleRun([sampleResult({ error: 'at 10.0.0.5 and alice-pc.lan' })])));
    assert.deepEqual(e.details, ['results[0].error: ipv4: "10.0.0.5"', 'results[0].error: hostname: "alice-pc.lan"']);
  });
});

describe('ingest: the stored record', () => {
  it('is the canonical JSON, keyed by its hash; anon only when the upload said so', async () => {
    const token = await signedToken(sampleRun());
    const stored: Array<ReturnType<typeof toNewResult>> = [];
    const store = (r: ReturnType<typeof toNewResult>) => {
      stored.push(r);
      return { id: r.id, created: true };
    };
    await ingest(token, store, '2026-11-28T10:00:00.000Z');
    await ingest(token, store, '2026-11-28T10:00:00.000Z', { anon: true });
    await ingest(token, store, '2026-11-28T10:00:00.000Z', { anon: false });
    assert.deepEqual(
      stored.map((r) => r.anon),
      [false, true, false],
    );
    assert.equal(stored[0]!.id, stored[1]!.id, 'the same signed bytes, the same id');
    assert.match(stored[0]!.id, /^r_[A-Za-z0-9_-]{11}$/);
    const run = JSON.parse(stored[0]!.json) as RunPayload;
    assert.equal(stored[0]!.json, canonicalize(run));
    assert.equal(stored[0]!.publicKey, run.public_key);
  });

  it('a run whose JWS round-trips through the CLI form is stored the same as its detached JSON', async () => {
    const signed = await signRun(sampleRun(), await testKeys());
    const viaJws = toNewResult(await verifyAndCheck(toCompactJws(signed)), 't');
    const viaJson = toNewResult(await verifyAndCheck(JSON.stringify(signed)), 't');
    assert.equal(viaJws.id, viaJson.id);
    assert.equal(viaJws.json, viaJson.json);
  });
});
