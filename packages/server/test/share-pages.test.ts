/**
 * Issue 16: pages people share. The run page's headline and its standing among comparable runs
 * (planted figures, with the runs that must not count: quick, flagged, withdrawn, another build,
 * another model), the fallbacks without W1, exact commands for this server, Open Graph tags, the
 * share card (decoded), /compare against the framework's own arithmetic, the board with its
 * filters and JSON twins.
 */
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { compareRuns, type MeasuredResult, type RunPayload } from '@llm-speed/framework';
import { CardCache, cardSvg, pickHeadline, reproduceCommands, verifyCommand } from '../src/pages/pages.js';
import { chartResults, forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, type TestServer, RANK_EVERY_GROUP } from './helpers.js';
import { ESCAPED_EVIL } from './pages.test.js';

const HW_B = { summary: 'RTX 5090 32 GB + AMD Ryzen 9 9950X, 96 GB RAM', hash: 'bbbbbbbbbbbbbbbb' };
let minute = 0;

/** A signed run of W1 with this decode tok/s (CUDA build unless told), on hardware A (the sample's) or B. */
function w1Run(decode: number, options: { hw?: typeof HW_B; overrides?: Partial<MeasuredResult> } = {}): RunPayload {
  minute += 1;
  const run = sampleRun(
    [sampleResult({ decode_tps: decode, backend_build: { kind: 'cuda', devices: ['NVIDIA GeForce RTX 4090'] }, ...options.overrides })],
    new Date(Date.UTC(2026, 10, 24, 12, minute)).toISOString(),
  );
  if (options.hw) {
    run.fingerprint.accelerator_summary = options.hw.summary;
    run.fingerprint.fingerprint_hash = options.hw.hash;
  }
  return run;
}

/** The standing sentence as a reader sees it: the text of #percentile, tags left out. */
export function standingText(html: string): string {
  const p = /<p class="standing[^"]*" id="percentile">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';
  return p
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .trim();
}

/** `<meta property|name="key" content="…">`'s content, as written in the page. */
export function meta(html: string, key: string): string | undefined {
  return new RegExp(`<meta (?:property|name)="${key.replace(/[.:]/g, '\\$&')}" content="([^"]*)"`).exec(html)?.[1];
}

/** Decodes a PNG far enough to trust it: signature, IHDR, and every IDAT inflated to the size the header promises. */
export function decodePng(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const [depth, colourType] = [png[24]!, png[25]!];
  const channels = { 2: 3, 6: 4, 0: 1, 4: 2 }[colourType as 2 | 6 | 0 | 4];
  assert.ok(depth === 8 && channels, `8-bit RGB(A) expected, got depth ${depth} colour type ${colourType}`);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  assert.equal(raw.length, height * (1 + width * channels), 'image data for every row');
  return { width, height };
}

forEachBackend('server: run page headline and standing (issue 16)', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};
  const post = async (name: string, run: RunPayload) => {
    const res = await server.post('/v1/results', await signedToken(run));
    assert.ok(res.status === 201, res.text);
    ids[name] = res.json.id;
  };
  before(async () => {
    minute = 0;
    server = await startTestServer({ adminToken: 'admin-token-xyz', ranking: RANK_EVERY_GROUP });
    // Hardware A: the target (170) and its group; 1000 is flagged once the group has 5+ runs.
    await post('target', w1Run(170));
    for (const v of [150, 160, 165, 180]) await post(`a${v}`, w1Run(v));
    await post('outlier', w1Run(1000));
    // Hardware B, same model, backend and build.
    for (const v of [190, 200, 210]) await post(`b${v}`, w1Run(v, { hw: HW_B }));
    await post('withdrawn', w1Run(90, { hw: HW_B }));
    // Never counted: a quick run, another build, another model.
    await post('quick', w1Run(120, { overrides: { flags: ['quick'], output_tokens: 32 } }));
    await post('cpu', w1Run(50, { overrides: { backend_build: { kind: 'cpu' } } }));
    await post('otherModel', w1Run(10, { overrides: { model: { identifier: 'org/Other-GGUF', name: 'Other-1B', size: '1B', quant: 'Q8_0', digest: 'ef'.repeat(32) } } }));
    const done = await server.post(`/v1/results/${ids.withdrawn}/withdraw`, { reason: 'not reproducible' }, { authorization: 'Bearer admin-token-xyz' });
    assert.equal(done.status, 200);
  });
  after(async function () {
    // Closing the server and dropping its PostgreSQL database can take longer than a test on the loaded 2-core machine.
    this.timeout(120_000);
    await server.stop();
  });

  it('headline: model, backend and build, hardware, W1 decode and TTFT in large type', async () => {
    const page = (await server.get(`/r/${ids.target}`)).text;
    const headline = page.slice(page.indexOf('<section class="headline"'), page.indexOf('</section>', page.indexOf('<section class="headline"')));
    assert.match(headline, /Qwen2\.5-7B-Instruct<\/a><span class="muted"> 7B · Q4_K_M<\/span>/);
    assert.match(headline, /llama\.cpp 7410 · CUDA build \(NVIDIA GeForce RTX 4090\)/);
    // The hardware with its core count (issue 26.6): the sample fingerprint's cpu_cores is 32.
    assert.match(headline, /id="hardware-label">RTX 4090 24 GB \+ AMD Ryzen 9 7950X3D, 32 cores, 64 GB RAM</);
    assert.match(headline, /<div class="value" id="headline-decode">170\.0<span class="unit">tok\/s<\/span><\/div>/);
    // A run without repetitions is one measurement, and the headline says so beside the figure.
    assert.match(headline, /id="headline-decode-spread">a single measurement, no interval</);
    assert.match(headline, /<div class="value" id="headline-ttft">142 ms<\/div>/);
    assert.ok(page.indexOf('id="headline"') < page.indexOf('<h2>Workloads</h2>') && page.indexOf('<h2>Workloads</h2>') < page.indexOf('id="provenance"'), 'headline first, provenance last');
    assert.match(page, /<details id="provenance">[\s\S]*id="signature"/, 'key and signature inside the provenance <details>');
  });

  it('"faster than N %" counts only comparable, unflagged, non-withdrawn runs of the same setup, on any hardware', async () => {
    const page = (await server.get(`/r/${ids.target}`)).text;
    // Others: A 150 160 165 180 (1000 flagged), B 190 200 210 (90 withdrawn); not the quick, CPU-build or other-model runs.
    // All single measurements (no spread): compared as points. Slower than 170: 150, 160, 165 → 3 of 7 → 42 % (rounded down).
    const singles = ' (all compared as single measurements without an interval: noise unknown)';
    assert.equal(standingText(page), `Faster than 42 % of 7 comparable runs${singles}.`);
    // Medians: A (150 160 165 170 180 1000) 167.5, B (190 200 210) 200.
    assert.match(page, /This hardware ranks <strong id="hardware-rank">2nd of 2<\/strong> hardware classes/);
    // The rule is behind a link, not a paragraph under the headline (issue 26.5).
    assert.match(page, /<a href="\/ranking">How runs are ranked<\/a>/);
    assert.doesNotMatch(page, /id="standing-rule"/);
    const best = (await server.get(`/r/${ids.b210}`)).text;
    assert.equal(standingText(best), `Faster than 100 % of 7 comparable runs${singles}.`);
    assert.match(best, /ranks <strong id="hardware-rank">1st of 2<\/strong>/);
    // The slowest of them beats none: never "faster than 0 %" (issue 22).
    const slowest = (await server.get(`/r/${ids.a150}`)).text;
    assert.equal(standingText(slowest), `Faster than none of 7 comparable runs beyond noise: slower than 7${singles}.`);
    const flagged = (await server.get(`/r/${ids.outlier}`)).text;
    assert.equal(standingText(flagged), `Faster than 100 % of 8 comparable runs${singles}. This run is flagged as an outlier of its group.`);
  });

  it('a quick run is not ranked and says why; its command carries --quick', async () => {
    const page = (await server.get(`/r/${ids.quick}`)).text;
    assert.match(page, /<p class="standing not-comparable" id="percentile">Not ranked: quick run \(32 of 256 tokens\)\. To be ranked: run the full suite, without --quick\. <a href="\/ranking">/);
    assert.doesNotMatch(page, /Faster than/);
    // The link preview says it too (issue 26.4): a quick run's title never reads like a ranked one.
    assert.match(meta(page, 'og:title')!, /^Qwen2\.5-7B-Instruct: 120\.0 tok\/s \(not ranked: quick run\) on /);
    assert.match(meta(page, 'og:description')!, /\. Not ranked: quick run\. /);
    assert.match(page, /llm-speed bench --suite suite-v1 --workload chat-short --backend llama\.cpp --model Qwen\/Qwen2\.5-7B-Instruct-GGUF --quick --api-url http:\/\/127\.0\.0\.1:\d+/);
  });

  it('"compare with…" links the median run of the group; the compare page uses the framework\'s arithmetic', async () => {
    const page = (await server.get(`/r/${ids.target}`)).text;
    // Group A's median is 167.5: of the others, 165 is nearest.
    assert.match(page, new RegExp(`<a id="compare-link" href="/compare\\?runs=${ids.target},${ids.a165}">`));
    const runs = [ids.target!, ids.b200!, ids.quick!];
    const compare = await server.get(`/compare?runs=${runs.join(',')}`);
    assert.equal(compare.status, 200, compare.text);
    const payloads = await Promise.all(runs.map(async (id) => JSON.parse((await server.get(`/v1/results/${id}`)).text) as RunPayload));
    const expected = compareRuns(runs.map((id, i) => ({ label: id, run: payloads[i]! })));
    let checked = 0;
    for (const row of expected.rows) {
      row.diff_pct.forEach((d, i) => {
        if (i === 0 || d === null) return;
        const cell = new RegExp(`<tr data-metric="${row.metric}">[\\s\\S]*?data-run="${runs[i]}">[^<]*<small class="ci">[^<]*</small><span class="diff ?([a-z]*)" data-diff="([^"]+)"`).exec(
          compare.text,
        );
        assert.ok(cell, `${row.metric} of ${runs[i]}`);
        assert.equal(Number(cell[2]), Number(d.toFixed(4)));
        assert.equal(cell[1], row.verdicts[i] === 'within-noise' ? 'noise' : row.better[i] === true ? 'better' : row.better[i] === false ? 'worse' : '');
        checked += 1;
      });
    }
    assert.ok(checked >= 5, `compared ${checked} figures`);
    // A quick run is not the same measurement as a full one (#26.9): its figures are shown, with no Δ.
    assert.ok(expected.rows.every((row) => row.diff_pct[2] === null));
    assert.doesNotMatch(compare.text, new RegExp(`data-run="${ids.quick}">[^<]*<span class="diff`));
    // 200 vs 170 decode: +17.6 %, better; two single measurements say the noise is unknown.
    assert.match(compare.text, /<tr data-metric="decode_tps">[\s\S]*? \+17\.6 % \(single measurements: noise unknown\)/);
    // The framework's warnings: another hardware class, and a quick run.
    for (const w of expected.warnings) assert.ok(compare.text.includes(w.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')), w);
    assert.ok(expected.warnings.some((w) => /not comparable: quick run/.test(w)));
  });

  it('/compare refuses bad lists with a page naming the problem; withdrawn and unknown runs are 404', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/compare', 400, /give the runs to compare/],
      [`/compare?runs=${ids.target}`, 400, /compare 2 to 6 runs; got 1/],
      [`/compare?runs=${ids.target},${ids.target}`, 400, /appears twice/],
      [`/compare?runs=${ids.target},nope`, 400, /&quot;nope&quot; is not a run id/],
      [`/compare?runs=${ids.target},r_AAAAAAAAAAA`, 404, /No result r_AAAAAAAAAAA/],
      [`/compare?runs=${ids.target},${ids.withdrawn}`, 404, /The result was withdrawn during a dispute\./],
      [`/compare?runs=${Object.values(ids).slice(0, 7).join(',')}`, 400, /compare 2 to 6 runs; got 7/],
    ];
    for (const [path, status, message] of cases) {
      const res = await server.get(path);
      assert.equal(res.status, status, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/, path);
      assert.match(res.text, message, path);
    }
  });

  it('without W1 the headline falls back and says so (W2, then W3 at its shortest context)', async () => {
    const w2 = sampleRun([sampleResult({ workload: 'chat-long', decode_tps: 101.25, ttft_ms: 612 })], '2026-11-25T00:00:00.000Z');
    const w2Page = (await server.get(`/r/${(await server.post('/v1/results', await signedToken(w2))).json.id}`)).text;
    assert.match(w2Page, /id="headline-decode">101\.3</);
    assert.match(w2Page, /id="headline-note">Headline figures from W2 chat-long: this run has no W1 chat-short\./);
    const w3 = sampleRun([chartResults()[0]!], '2026-11-25T00:01:00.000Z');
    const w3Id = (await server.post('/v1/results', await signedToken(w3))).json.id;
    const w3Page = (await server.get(`/r/${w3Id}`)).text;
    assert.match(w3Page, /id="headline-decode">61\.3</);
    assert.match(w3Page, /id="headline-ttft">15\.6 s</);
    assert.match(w3Page, /from W3 long-context-decay at 32768 tokens of context/);
    assert.match(w3Page, /id="percentile">Not ranked: no workload of this run measured a decode rate\./);
    assert.deepEqual(pickHeadline(sampleRun([sampleResult({ decode_tps: null, ttft_ms: null })])).note, 'no workload of this run measured a decode rate');
  });

  it('Open Graph and Twitter tags on every page kind; the run page points at its 1200×630 card', async () => {
    const thread = await server.post(`/v1/results/${ids.target}/disputes`, { message: 'is 170 tok/s right?' });
    const pages = [
      `/r/${ids.target}`,
      '/m/qwen2-5-7b-instruct',
      '/hw/rtx-4090-24-gb-amd-ryzen-9-7950x3d-64-gb-ram',
      '/cheatsheet',
      '/cheatsheet?workload=W1',
      `/compare?runs=${ids.target},${ids.b200}`,
      `/disputes/${thread.json.id}`,
    ];
    for (const path of pages) {
      const html = (await server.get(path)).text;
      for (const key of ['og:title', 'og:description', 'og:url', 'og:type', 'og:site_name', 'twitter:card', 'twitter:title', 'twitter:description']) assert.ok(meta(html, key), `${path}: ${key}`);
      // The canonical URL: filters as the board spells them.
      assert.equal(meta(html, 'og:url'), `${server.url}${path.replace('workload=W1', 'workload=chat-short')}`);
    }
    const run = (await server.get(`/r/${ids.target}`)).text;
    // The card's URL names the state it shows, so a preview cached under one state is not shown for another.
    assert.equal(meta(run, 'og:image'), `${server.url}/r/${ids.target}/card.png?state=ranked`);
    assert.equal(meta(run, 'og:image:width'), '1200');
    assert.equal(meta(run, 'twitter:card'), 'summary_large_image');
    assert.match(meta(run, 'og:title')!, /^Qwen2\.5-7B-Instruct: 170\.0 tok\/s on RTX 4090 24 GB \+ AMD Ryzen 9 7950X3D, 32 cores, 64 GB RAM$/);
    assert.match(meta(run, 'og:description')!, /^170\.0 tok\/s decode, 142 ms to first token \(W1 chat-short\)\. Faster than 42 % of 7 comparable runs/);
  });

  it('/r/<id>/card.png: a PNG that decodes at 1200×630, cached by its ranking state with an ETag, rendered once', async () => {
    const res = await fetch(`${server.url}/r/${ids.target}/card.png`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    // Ranked: its group could lose its evidence to withdrawals, so a day; a quick run is unranked for good: a year.
    assert.equal(res.headers.get('cache-control'), 'public, max-age=86400');
    const quick = await fetch(`${server.url}/r/${ids.quick}/card.png`);
    assert.equal(quick.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(quick.headers.get('etag')!, /^"card-v\d+-r_[A-Za-z0-9_-]{11}-unranked"$/);
    const etag = res.headers.get('etag')!;
    assert.match(etag, /^"card-v\d+-r_[A-Za-z0-9_-]{11}-ranked"$/);
    assert.deepEqual(decodePng(Buffer.from(await res.arrayBuffer())), { width: 1200, height: 630 });
    const again = await fetch(`${server.url}/r/${ids.target}/card.png`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
    const head = await fetch(`${server.url}/r/${ids.target}/card.png`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal((await fetch(`${server.url}/r/r_AAAAAAAAAAA/card.png`)).status, 404);
    const gone = await fetch(`${server.url}/r/${ids.withdrawn}/card.png`);
    assert.equal(gone.status, 404);
    assert.match(await gone.text(), /The result was withdrawn during a dispute\./);
  });

  it('commands: --api-url only when the server is not the public one; exact suite, workloads, backend, model', async () => {
    const page = (await server.get(`/r/${ids.target}`)).text;
    assert.match(
      page,
      new RegExp(
        `<code class="reproduce-command">llm-speed bench --suite suite-v1 --workload chat-short --backend llama\\.cpp --model Qwen/Qwen2\\.5-7B-Instruct-GGUF --api-url ${server.url.replace(/\./g, '\\.')}</code>`,
      ),
    );
    assert.match(page, new RegExp(`<code id="verify-command">llm-speed verify-run ${ids.target} --api-url ${server.url.replace(/\./g, '\\.')}</code>`));
    const run = sampleRun([sampleResult(), ...chartResults()]);
    assert.deepEqual(reproduceCommands(run, { origin: 'https://llm-speed.com', apiUrl: null }), [
      'llm-speed bench --suite suite-v1 --workload chat-short,long-context-decay,concurrent-decode --backend llama.cpp --model Qwen/Qwen2.5-7B-Instruct-GGUF',
    ]);
    assert.equal(verifyCommand('r_abcdefghijk', { origin: 'https://llm-speed.com', apiUrl: null }), 'llm-speed verify-run r_abcdefghijk');
    const odd = sampleRun([sampleResult({ model: { identifier: "it's <here> $(rm -rf ~)", name: 'x' } })]);
    assert.equal(reproduceCommands(odd, { origin: 'x', apiUrl: null })[0], "llm-speed bench --suite suite-v1 --workload chat-short --backend llama.cpp --model 'it'\\''s <here> $(rm -rf ~)'");
  });

  it('the public URL decides: llm-speed.com needs no --api-url, a self-hosted one does', async () => {
    for (const [publicUrl, flag] of [
      ['https://llm-speed.com', ''],
      ['https://bench.example.org/', ' --api-url https://bench.example.org'],
    ] as const) {
      const other = await startTestServer({ publicUrl, ranking: RANK_EVERY_GROUP });
      try {
        const id = (await other.post('/v1/results', await signedToken(sampleRun()))).json.id;
        const page = (await other.get(`/r/${id}`)).text;
        assert.match(page, new RegExp(`<code id="verify-command">llm-speed verify-run ${id}${flag.replace(/\./g, '\\.')}</code>`), publicUrl);
        assert.equal(meta(page, 'og:image'), `${publicUrl.replace(/\/$/, '')}/r/${id}/card.png?state=ranked`);
      } finally {
        await other.stop();
      }
    }
  });
});

forEachBackend('server: the board, its filters and JSON twins (issue 16)', () => {
  let server: TestServer;
  const ids: Record<string, string> = {};
  before(async () => {
    minute = 100;
    server = await startTestServer({ ranking: RANK_EVERY_GROUP });
    const post = async (name: string, run: RunPayload) => (ids[name] = (await server.post('/v1/results', await signedToken(run))).json.id);
    await post('local', w1Run(187.5));
    await post('localSlow', w1Run(150));
    await post('cpu', w1Run(42.25, { overrides: { backend_build: { kind: 'cpu' } } }));
    const hosted = w1Run(432.2, {
      overrides: { backend: 'hosted-api', backend_version: 'openrouter', backend_build: { kind: 'remote' }, model: { identifier: 'meta-llama/llama-4-scout', name: 'llama-4-scout' } },
    });
    await post('hosted', hosted);
    await post('long', w1Run(99.5, { overrides: { workload: 'chat-long', prompt_tokens: 4096, output_tokens: 1024 } }));
  });
  after(async function () {
    // Closing the server and dropping its PostgreSQL database can take longer than a test on the loaded 2-core machine.
    this.timeout(120_000);
    await server.stop();
  });

  it("/cheatsheet ranks each group by its median, hosted APIs apart, each row a permalink to the group's best run", async () => {
    const page = (await server.get('/cheatsheet')).text;
    const local = page.slice(page.indexOf('id="board-chat-short-local"'), page.indexOf('</table>', page.indexOf('id="board-chat-short-local"')));
    const hosted = page.slice(page.indexOf('id="board-chat-short-hosted"'), page.indexOf('</table>', page.indexOf('id="board-chat-short-hosted"')));
    assert.ok(local.indexOf(`href="/r/${ids.local}"`) > 0 && local.indexOf(`href="/r/${ids.local}"`) < local.indexOf(`href="/r/${ids.cpu}"`), 'CUDA group (187.5) above the CPU group (42.3)');
    assert.ok(!local.includes(ids.localSlow!), 'one row per group: its best run');
    assert.ok(!local.includes('llama-4-scout') && hosted.includes('llama-4-scout') && hosted.includes(`href="/r/${ids.hosted}"`), 'the hosted API only in its own table');
    // The CUDA group's runs 187.5 and 150: ranked by their median 168.75, linking its best run (187.5).
    assert.match(local, /<td class="n best" data-label="median decode tok\/s">168\.8<\/td>/);
    assert.match(local, /<td class="n opt" data-label="runs · best run">2 · 187\.5<\/td>/);
    assert.match(page, /id="board-chat-long-local"/);
  });

  it('filters by workload, suite, backend and build; ignores foreign parameters; refuses unknown values with 400', async () => {
    const w2 = (await server.get('/cheatsheet?workload=W2&fbclid=abc')).text;
    assert.match(w2, /id="board-chat-long-local"/);
    assert.doesNotMatch(w2, /id="board-chat-short/);
    assert.match(w2, /<option value="chat-long" selected>W2 chat-long<\/option>/);
    const cuda = (await server.get('/cheatsheet?build=cuda&backend=llama.cpp&suite=suite-v1&workload=chat-short')).text;
    assert.ok(cuda.includes(ids.local!) && !cuda.includes(ids.cpu!) && !cuda.includes(ids.hosted!));
    const hosted = (await server.get('/cheatsheet?backend=hosted-api')).text;
    assert.ok(hosted.includes(ids.hosted!) && !hosted.includes(`href="/r/${ids.local}"`));
    assert.equal((await server.get('/cheatsheet?workload=&build=')).status, 200, 'empty means any (the form sends it)');
    const refused: Array<[string, string]> = [
      ['workload=W9', 'unknown workload "W9": use one of W1 (chat-short), W2 (chat-long)'],
      ['suite=suite-v9', 'unknown suite "suite-v9": the board has suite-v1'],
      ['backend=%3Cscript%3E', 'unknown backend "<script>": the board has hosted-api, llama.cpp'],
      ['build=gpu', 'unknown build "gpu": the board has cpu, cuda, rocm'],
      ['workload=W1&workload=W2', 'give workload once'],
    ];
    const asHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
    for (const [query, message] of refused) {
      const page = await server.get(`/cheatsheet?${query}`);
      assert.equal(page.status, 400, query);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.ok(page.text.includes(asHtml(message)), `${query}: ${page.text.slice(-600)}`);
      const api = await server.get(`/v1/leaderboard?${query}`);
      assert.equal(api.status, 400, query);
      assert.ok(JSON.parse(api.text).error.startsWith(message), `${query}: ${api.text}`);
    }
  });

  it('/v1/leaderboard, /v1/models/<slug>, /v1/hardware/<slug>: the same data as JSON', async () => {
    const board = JSON.parse((await server.get('/v1/leaderboard?workload=W1')).text);
    assert.deepEqual(board.filters, { workload: 'chat-short' });
    assert.equal(board.workloads.length, 1);
    const [section] = board.workloads;
    assert.deepEqual(
      section.local.map((g: { best_run: string }) => g.best_run),
      [ids.local, ids.cpu],
    );
    assert.deepEqual(
      section.hosted.map((g: { best_run: string; best_decode_tps: number }) => [g.best_run, g.best_decode_tps]),
      [[ids.hosted, 432.2]],
    );
    assert.equal(section.local[0].decode_tps.median, (187.5 + 150) / 2);
    const model = JSON.parse((await server.get('/v1/models/qwen2-5-7b-instruct')).text);
    assert.equal(model.name, 'Qwen2.5-7B-Instruct');
    assert.ok(model.groups.some((g: { build: string; runs: number }) => g.build === 'cuda' && g.runs === 2));
    assert.ok(model.latest_runs.some((r: { id: string }) => r.id === ids.localSlow));
    const hw = JSON.parse((await server.get('/v1/hardware/rtx-4090-24-gb-amd-ryzen-9-7950x3d-64-gb-ram')).text);
    assert.ok(hw.groups.some((g: { model: { name: string } }) => g.model.name === 'llama-4-scout'));
    assert.equal((await server.get('/v1/models/no-such-model')).status, 404);
    assert.equal(JSON.parse((await server.get('/v1/hardware/no-such-box')).text).error, 'no results for hardware no-such-box');
  });
});

describe('share card rendering (issue 16)', () => {
  it("escapes an attacker's model name in the card SVG and still renders 1200×630", async () => {
    const run = sampleRun([sampleResult({ model: { identifier: 'org/<script>alert(1)</script>', name: '<script>alert(1)</script>', quant: '"><img src=x onerror=alert(1)>', digest: null } })]);
    run.fingerprint.accelerator_summary = 'GPU </text><script>x</script>';
    const svg = cardSvg('r_abcdefghijk', run, pickHeadline(run));
    assert.doesNotMatch(svg, /<script|<img|<\/text><script/);
    assert.match(svg, ESCAPED_EVIL);
    const { renderCardPng } = await import('../src/pages/pages.js');
    assert.deepEqual(decodePng(await renderCardPng(svg)), { width: 1200, height: 630 });
  });

  it('the PNG cache is bounded (least recently used goes first) and renders an id once however many ask', async () => {
    const cache = new CardCache(2, 1024);
    let renders = 0;
    const render = (bytes: number) => async () => {
      renders += 1;
      await new Promise((r) => setTimeout(r, 5));
      return Buffer.alloc(bytes);
    };
    await Promise.all([cache.get('a', render(100)), cache.get('a', render(100)), cache.get('a', render(100))]);
    assert.equal(renders, 1);
    await cache.get('b', render(100));
    await cache.get('a', render(100)); // a is now the most recent
    await cache.get('c', render(100)); // evicts b
    assert.equal(cache.size, 2);
    renders = 0;
    await cache.get('a', render(100));
    assert.equal(renders, 0, 'a kept');
    await cache.get('b', render(100));
    assert.equal(renders, 1, 'b was evicted');
    await cache.get('big', render(900)); // bytes: 100 + 100 + 900 > 1024 → the oldest go
    assert.ok(cache.totalBytes <= 1024, String(cache.totalBytes));
    await cache.get('huge', render(4096)); // larger than the whole cache: served, not kept
    assert.ok(cache.totalBytes <= 1024);
  });
});
