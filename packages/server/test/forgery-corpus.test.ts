/**
 * The forgery corpus against a real server (temp SQLite, 127.0.0.1, rate limit off): more than
 * 10,000 deterministic mutations of one genuine signed run (framework/src/testing/forgery-corpus.ts)
 * are POSTed; every body the server accepts must carry exactly the genuine content under the
 * genuine key, and nothing but the genuine run may end up stored. bench/forgery.mjs prints the
 * per-class table.
 */
import assert from 'node:assert/strict';
import { canonicalPayloadBytes } from '@llm-speed/framework';
import { buildForgeryCorpus, postCorpus } from '@llm-speed/framework/testing';
import { startTestServer, type TestServer } from './helpers.js';

describe('ingest: forgery corpus (≥ 10,000 mutations of a genuine run)', function () {
  this.timeout(120_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('accepts no body whose content or key differs from the genuine run', async () => {
    const corpus = await buildForgeryCorpus();
    assert.ok(corpus.mutations.length >= 10_000, `${corpus.mutations.length} mutations`);
    const genuine = await server.post('/v1/results', corpus.genuineToken);
    assert.equal(genuine.status, 201, genuine.text);

    const outcomes = await postCorpus(server.url, corpus.mutations);
    const accepted = outcomes.filter((o) => o.status < 300);
    for (const o of accepted) {
      const { id } = JSON.parse(o.body) as { id: string };
      const stored = JSON.parse((await server.get(`/v1/results/${id}`)).text) as Record<string, unknown>;
      assert.equal(new TextDecoder().decode(canonicalPayloadBytes(stored)), corpus.genuineContent, `${o.mutation.kind} got in with other content: ${o.mutation.body.slice(0, 200)}`);
      assert.equal(stored.public_key, corpus.publicKey, `${o.mutation.kind} got in under another key`);
    }
    for (const o of outcomes) assert.ok(o.status < 500, `${o.mutation.kind}: ${o.status} ${o.body}`);
    assert.equal(await server.repository.count(), 1, 'only the genuine run is stored');
    const refusedByKind = new Map<string, [number, number]>();
    for (const o of outcomes) {
      const [tried, refused] = refusedByKind.get(o.mutation.kind) ?? [0, 0];
      refusedByKind.set(o.mutation.kind, [tried + 1, refused + (o.status >= 400 ? 1 : 0)]);
    }
    // Every class is refused outright except spellings of the genuine token itself (none are in the corpus today).
    for (const [kind, [tried, refused]] of refusedByKind) assert.equal(refused, tried, `${kind}: ${tried - refused} of ${tried} accepted`);
  });
});
