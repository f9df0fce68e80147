import assert from 'node:assert/strict';
import { chartResults, forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, type TestServer, RANK_EVERY_GROUP } from './helpers.js';

const EVIL = '<script>alert(1)</script>';
/** The escaped name as the renderer writes it: `<` and `&` always escaped, `>` may stay (it cannot open a tag). */
export const ESCAPED_EVIL = /&lt;script(?:&gt;|>)alert\(1\)&lt;\/script(?:&gt;|>)/;

forEachBackend('server: pages', () => {
  let server: TestServer;
  let chartsId: string;
  let evilId: string;
  before(async () => {
    server = await startTestServer({ ranking: RANK_EVERY_GROUP });
    chartsId = (await server.post('/v1/results', await signedToken(sampleRun([sampleResult(), ...chartResults()])))).json.id;
    const evil = sampleRun([sampleResult({ model: { identifier: `org/${EVIL}`, name: EVIL, quant: '"><img src=x>', digest: null }, decode_tps: 42.5 })]);
    evil.fingerprint.accelerator_summary = `GPU ${EVIL}`;
    evilId = (await server.post('/v1/results', await signedToken(evil))).json.id;
  });
  after(async function () {
    // Closing the server and dropping its PostgreSQL database can take longer than a test on the loaded 2-core machine.
    this.timeout(120_000);
    await server.stop();
  });

  it('/r/<id> shows fingerprint, key, signature, versions, every signal and both charts', async () => {
    const res = await server.get(`/r/${chartsId}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const stored = JSON.parse((await server.get(`/v1/results/${chartsId}`)).text);
    const page = res.text;
    for (const text of [stored.public_key, stored.signature, 'suite-v1', 'ab'.repeat(32), '7410', 'Qwen2.5-7B-Instruct', 'a1b2c3d4e5f60708', 'AMD Ryzen 9 7950X3D']) {
      assert.ok(page.includes(text), `missing ${text}`);
    }
    for (const signal of ['142.3', '8421.1', '187.4', '5.30', '7.10', '1530']) assert.ok(page.includes(signal), `missing ${signal}`);
    assert.match(page, /<svg id="chart-w3-1"[^>]*>[\s\S]*<polyline/);
    assert.match(page, /<svg id="chart-w4-2"[^>]*>[\s\S]*<polyline/);
    assert.ok(page.includes('301.8') && page.includes('61.3'), 'W3/W4 tables carry the numbers');
    assert.match(page, /model context is 65536 tokens/);
  });

  it('escapes every submitted string (model name with <script>), in the page and in its Open Graph tags', async () => {
    const pages = [`/r/${evilId}`, '/m/script-alert-1-script', '/cheatsheet', '/hw/gpu-script-alert-1-script', `/compare?runs=${evilId},${chartsId}`];
    for (const path of pages) {
      const res = await server.get(path);
      assert.equal(res.status, 200, path);
      assert.ok(!res.text.includes(EVIL), `${path} contains raw <script>`);
      assert.ok(!res.text.includes('<img src=x>'), `${path} contains a raw attribute break-out`);
      assert.match(res.text, ESCAPED_EVIL, `${path} lacks the escaped name`);
      assert.doesNotMatch(res.text, /<script|<img/i, `${path} carries a tag from the submission`);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    }
  });

  it('/m/, /hw/ and /cheatsheet group by model × backend × hardware with the spread (table and dots)', async () => {
    for (const [i, v] of [150, 160, 170].entries()) {
      await server.post('/v1/results', await signedToken(sampleRun([sampleResult({ decode_tps: v })], `2026-11-24T11:0${i}:00.000Z`)));
    }
    const model = (await server.get('/m/qwen2-5-7b-instruct')).text;
    // chat-short group: 150, 160, 170 and the first run's 187.4.
    // The hardware ranking (issue 26.8): the group's median, its slowest and fastest run, and its 4 runs.
    assert.match(model, /data-col="median">165\.0 <small title="the slowest and fastest comparable run">\(150\.0–187\.4\)<\/small><\/td><td class="n opt" data-label="runs">4<\/td>/);
    // Every comparable run of the group a dot, its median a bar.
    const plot = model.slice(model.indexOf('<svg id="spread-chart-chat-short"'), model.indexOf('</svg>', model.indexOf('<svg id="spread-chart-chat-short"')));
    assert.equal((plot.match(/<circle class="run"/g) ?? []).length, 4, 'four runs, four dots');
    assert.equal((plot.match(/<line class="median"/g) ?? []).length, 1);
    assert.match(plot, /median 165\.0 tok\/s/);
    const hw = (await server.get('/hw/rtx-4090-24-gb-amd-ryzen-9-7950x3d-64-gb-ram')).text;
    assert.match(hw, /165\.0/);
    assert.match(hw, /<svg id="spread-chart-chat-short"[^>]*>[\s\S]*<circle class="run"/);
    const cheat = (await server.get('/cheatsheet')).text;
    const chatShort = cheat.slice(cheat.indexOf('id="board-chat-short-local"'));
    assert.ok(chatShort.indexOf('Qwen2.5-7B-Instruct') >= 0 && chatShort.indexOf('Qwen2.5-7B-Instruct') < chatShort.search(ESCAPED_EVIL), 'ranked by the best run, fastest first');
    assert.equal((await server.get('/m/no-such-model')).status, 404);
  });

  it('/privacy.json lists the stored fields from the run schema, versioned', async () => {
    const res = await server.get('/privacy.json');
    const doc = JSON.parse(res.text);
    assert.equal(doc.version, 1);
    assert.match(doc.schema_digest, /^[0-9a-f]{64}$/);
    const paths = doc.uploaded_fields.map((f: { path: string }) => f.path);
    for (const p of ['fingerprint.fingerprint_hash', 'fingerprint.gpus[].memory_gb', 'results[].decode_tps', 'results[].model.digest', 'results[].tiers[].decode_tps', 'signature', 'public_key']) {
      assert.ok(paths.includes(p), `missing ${p}`);
    }
    assert.ok(!paths.some((p: string) => /hostname|username|(^|\.)ip(_|$)/i.test(p)), paths.join(', '));
    assert.equal(doc.client_ip.stored, false);
  });
});
