/**
 * A real browser on every page kind (issue 16): Debian's chromium (installed by
 * scripts/install-chromium.sh when missing) driven headless by playwright-core, at a desktop width
 * and at 375 px. Each page is checked for its headline figure, its standing sentence, its Open
 * Graph tags, the SVG elements of its charts, no script, nothing wider than the screen; the share
 * card is decoded by Chromium itself; the dispute form is submitted by clicking it. Full-page
 * screenshots go to test-output/pages/ at the repository root (git-ignored).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunPayload } from '@llm-speed/framework';
import { chartResults, forEachBackend, fullResults, sampleResult, sampleRun, signedToken, startTestServer, type TestServer, RANK_EVERY_GROUP } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = `${ROOT}test-output/pages`;
const VIEWPORTS = [
  { name: 'desktop', width: 1200, height: 900 },
  { name: 'mobile', width: 375, height: 812 },
] as const;

function onHardware(run: RunPayload, summary: string, hash: string): RunPayload {
  run.fingerprint.accelerator_summary = summary;
  run.fingerprint.fingerprint_hash = hash;
  return run;
}

forEachBackend('server: every page kind in a headless browser (e2e)', (backend) => {
  let server: TestServer;
  let browser: Browser;
  const ids: Record<string, string> = {};
  const shots: string[] = [];

  before(async function () {
    this.timeout(10 * 60_000);
    if (!existsSync(CHROMIUM)) execFileSync('bash', [`${ROOT}scripts/install-chromium.sh`], { stdio: 'inherit' });
    server = await startTestServer({ ranking: RANK_EVERY_GROUP });
    const post = async (name: string, run: RunPayload) => {
      const res = await server.post('/v1/results', await signedToken(run));
      assert.equal(res.status, 201, res.text);
      ids[name] = res.json.id;
    };
    const cuda = { backend_build: { kind: 'cuda' as const, devices: ['NVIDIA GeForce RTX 4090'] } };
    await post('full', sampleRun(fullResults()));
    for (const [i, v] of [150.5, 161.25, 171.75, 176.5, 181.0].entries()) await post(`a${i}`, sampleRun([sampleResult({ ...cuda, decode_tps: v })], `2026-11-24T11:0${i}:00.000Z`));
    for (const [i, v] of [201.5, 212.25, 208.0].entries()) {
      await post(`b${i}`, onHardware(sampleRun([sampleResult({ ...cuda, decode_tps: v })], `2026-11-24T12:0${i}:00.000Z`), 'RTX 5090 32 GB + AMD Ryzen 9 9950X, 96 GB RAM', 'bbbbbbbbbbbbbbbb'));
    }
    await post('c0', onHardware(sampleRun([sampleResult({ ...cuda, decode_tps: 95.5 })], '2026-11-24T13:00:00.000Z'), 'RTX 3060 12 GB + Intel Core i5-12400, 32 GB RAM', 'cccccccccccccccc'));
    await post('quick', sampleRun([sampleResult({ ...cuda, decode_tps: 140.0, output_tokens: 32, flags: ['quick'] })], '2026-11-24T14:00:00.000Z'));
    await post('w3', sampleRun([{ ...chartResults()[0]!, ...cuda }], '2026-11-24T15:00:00.000Z'));
    await post(
      'hosted',
      sampleRun(
        [
          sampleResult({
            backend: 'hosted-api',
            backend_version: 'openrouter',
            backend_build: { kind: 'remote' },
            model: { identifier: 'meta-llama/llama-4-scout', name: 'llama-4-scout' },
            decode_tps: 432.2,
            flags: ['hosted-provider'],
          }),
        ],
        '2026-11-24T16:00:00.000Z',
      ),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (shots.length) process.stdout.write(`      screenshots (${backend}): ${shots.map((s) => s.slice(ROOT.length)).join(', ')}\n`);
  });

  /** Opens the page at both widths, runs the checks, and saves a full-page screenshot of each. */
  async function visit(kind: string, path: string, check: (page: Page, width: number) => Promise<void>): Promise<void> {
    for (const viewport of VIEWPORTS) {
      const page = await browser.newPage({ viewport: { width: viewport.width, height: viewport.height } });
      try {
        const response = await page.goto(server.url + path);
        assert.equal(response?.status(), 200, `${path} at ${viewport.width}`);
        assert.equal(await page.evaluate(() => document.scripts.length), 0, 'no scripts');
        for (const key of ['og:title', 'og:description', 'og:url']) assert.ok(await page.locator(`meta[property="${key}"]`).getAttribute('content'), `${path}: ${key}`);
        assert.ok(await page.locator('meta[name="twitter:card"]').getAttribute('content'));
        // Readable at 375 px: nothing makes the page itself scroll sideways (wide tables scroll inside their box).
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${path} at ${viewport.width}px is ${overflow}px too wide`);
        await check(page, viewport.width);
        const shot = `${SHOTS}/${backend}-${kind}-${viewport.name}.png`;
        await page.screenshot({ path: shot, fullPage: true });
        shots.push(shot);
      } finally {
        await page.close();
      }
    }
  }

  /** Every <svg> chart in the page is laid out at a readable size. */
  async function chartsLaidOut(page: Page, width: number): Promise<void> {
    for (const box of await page.locator('figure svg').evaluateAll((svgs) => svgs.map((s) => s.getBoundingClientRect().toJSON()))) {
      assert.ok(box.width >= Math.min(300, width - 40) && box.width <= width, `a chart ${box.width}px wide at ${width}px`);
    }
  }

  it('full run: headline, percentile sentence, workload cards, W3/W4/W5 charts, Open Graph card', async function () {
    this.timeout(120_000);
    await visit('run-full', `/r/${ids.full}`, async (page, width) => {
      assert.match((await page.locator('#headline-decode').textContent())!, /^187\.4\s*tok\/s$/);
      assert.equal(await page.locator('#headline-ttft').textContent(), '142 ms');
      // Others: A 161.25 171.75 176.5 181.0 (150.5 is flagged: z ≈ −3.7 against the rest of A), B 201.5 208.0 212.25,
      // C 95.5 → 5 of 8 slower → 62 %, all single measurements (no spread). Medians: B 208, A 174.1, C 95.5.
      assert.equal((await page.locator('#percentile').textContent())!, 'Faster than 62 % of 8 comparable runs (all compared as single measurements without an interval: noise unknown).');
      assert.equal(await page.locator('#hardware-rank').textContent(), '2nd of 3');
      assert.equal(await page.locator('td[data-signal="decode_tps"]').first().textContent(), '187.4');
      assert.equal(await page.locator('td[data-signal="backend_decode_tps"]').first().textContent(), '190.3');
      assert.equal(await page.locator('td[data-signal="token_counts"]').first().textContent(), "the backend's usage report");
      // W3 (index 2): two panels, each its own axes, one line each; the skipped tier marked.
      const w3 = page.locator('svg#chart-w3-2');
      assert.equal(await w3.locator('g.panel').count(), 2);
      assert.equal(await w3.locator('polyline').count(), 2);
      assert.equal(await w3.locator('circle').count(), 4, 'two measured tiers × two panels');
      assert.equal(await w3.locator('text', { hasText: 'skipped' }).count(), 2);
      // W4 (index 3): aggregate and per-stream, 4 batch sizes each; the legend clear of every line.
      const w4 = page.locator('svg#chart-w4-3');
      assert.equal(await w4.locator('circle').count(), 8, 'two series × four batch sizes');
      const clear = await w4.evaluate((svg) => {
        const legend = [...svg.querySelectorAll('g.legend-item')].map((g) => (g as SVGGraphicsElement).getBBox());
        const lines = [...svg.querySelectorAll('polyline, circle')].map((g) => (g as SVGGraphicsElement).getBBox());
        return legend.length === 2 && legend.every((l) => lines.every((p) => l.y + l.height <= p.y || p.y + p.height <= l.y || l.x + l.width <= p.x || p.x + p.width <= l.x));
      });
      assert.ok(clear, 'W4 legend overlaps a line');
      // W5 (index 4): TTFT and decode per turn over cache-hit bars.
      const w5 = page.locator('svg#chart-w5-4');
      assert.equal(await w5.locator('polyline').count(), 2);
      assert.equal(await w5.locator('circle').count(), 22, 'eleven turns × two panels');
      assert.equal(await w5.locator('rect.bar').count(), 22, 'a cache-hit bar per turn in each panel');
      await chartsLaidOut(page, width);
      assert.equal(await page.locator('meta[property="og:image"]').getAttribute('content'), `${server.url}/r/${ids.full}/card.png?state=ranked`);
      assert.equal(await page.locator('meta[name="twitter:card"]').getAttribute('content'), 'summary_large_image');
      assert.match(
        (await page.locator('.reproduce-command').first().textContent())!,
        /^llm-speed bench --suite suite-v1 --workload chat-short,chat-long,long-context-decay,concurrent-decode,agent-trace --backend llama\.cpp --model Qwen\/Qwen2\.5-7B-Instruct-GGUF --api-url http:\/\//,
      );
      assert.equal(await page.locator('details#provenance').getAttribute('open'), null, 'provenance folded');
      // The card, decoded by Chromium.
      const size = await page.evaluate(async (url) => {
        const img = new Image();
        img.src = url;
        await img.decode();
        return [img.naturalWidth, img.naturalHeight];
      }, `/r/${ids.full}/card.png`);
      assert.deepEqual(size, [1200, 630]);
    });
    const card = Buffer.from(await (await fetch(`${server.url}/r/${ids.full}/card.png`)).arrayBuffer());
    const cardShot = `${SHOTS}/${backend}-card.png`;
    writeFileSync(cardShot, card);
    shots.push(cardShot);
  });

  it('quick run: not ranked, and says why', async function () {
    this.timeout(60_000);
    await visit('run-quick', `/r/${ids.quick}`, async (page) => {
      assert.match((await page.locator('#headline-decode').textContent())!, /^140\.0/);
      assert.match((await page.locator('#percentile').textContent())!, /^Not ranked: quick run \(32 of 256 tokens\)\. To be ranked: run the full suite, without --quick\./);
      assert.match((await page.locator('.reproduce-command').textContent())!, / --quick /);
    });
  });

  it('W3-only run: headline from the shortest context, both panels drawn', async function () {
    this.timeout(60_000);
    await visit('run-w3', `/r/${ids.w3}`, async (page, width) => {
      assert.match((await page.locator('#headline-decode').textContent())!, /^61\.3/);
      assert.match((await page.locator('#headline-note').textContent())!, /from W3 long-context-decay at 32768 tokens of context/);
      assert.equal(await page.locator('svg#chart-w3-0 polyline').count(), 2);
      await chartsLaidOut(page, width);
    });
  });

  it('model and hardware pages: every run a dot, each group a row with its median', async function () {
    this.timeout(60_000);
    await visit('model', '/m/qwen2-5-7b-instruct', async (page, width) => {
      const plot = page.locator('svg#spread-chart-chat-short');
      assert.equal(await plot.locator('g.spread-row').count(), 3, 'three hardware classes');
      // A: the full run + 5, B: 3, C: 1 (the quick run is not comparable, so not a dot).
      assert.equal(await plot.locator('circle.run').count(), 10);
      assert.equal(await plot.locator('line.median').count(), 3);
      await chartsLaidOut(page, width);
    });
    await visit('hardware', '/hw/rtx-4090-24-gb-amd-ryzen-9-7950x3d-64-gb-ram', async (page) => {
      const plot = page.locator('svg#spread-chart-chat-short');
      assert.ok((await plot.locator('g.spread-row').count()) >= 2, 'one row per model on this machine');
      assert.ok((await plot.locator('circle.run').count()) >= 7);
    });
  });

  it('cheatsheet with filters: local and hosted apart, each row a permalink', async function () {
    this.timeout(60_000);
    await visit('cheatsheet', '/cheatsheet', async (page) => {
      assert.equal(await page.locator('#board-chat-short-hosted a.permalink').first().getAttribute('href'), `/r/${ids.hosted}`);
      // Groups rank by median (issue 22): the RTX 5090's 201.5, 208.0, 212.25 lead with their median 208.0, not their best run.
      assert.equal(await page.locator('#board-chat-short-local td.best').first().textContent(), '208.0');
    });
    await visit('cheatsheet-filtered', '/cheatsheet?workload=W1&backend=llama.cpp&build=cuda', async (page) => {
      assert.equal(await page.locator('select[name="workload"]').inputValue(), 'chat-short');
      assert.equal(await page.locator('select[name="build"]').inputValue(), 'cuda');
      assert.equal(await page.locator('#board-chat-short-hosted').count(), 0);
      assert.equal(await page.locator('#board-chat-short-local tr').count(), 4, 'header + three hardware classes');
      assert.equal(await page.locator('#board-chat-long-local').count(), 0, 'only W1');
    });
  });

  it('compare: side by side with % differences', async function () {
    this.timeout(60_000);
    await visit('compare', `/compare?runs=${ids.full},${ids.b1},${ids.quick}`, async (page) => {
      const decode = page.locator('table.compare[data-workload="chat-short"] tr[data-metric="decode_tps"]');
      // 212.25 vs 187.4: +13.3 %, better.
      assert.match((await decode.locator(`td[data-run="${ids.b1}"]`).textContent())!, /212\.3 \+13\.3 % \(single measurements: noise unknown\)/);
      assert.equal(await decode.locator(`td[data-run="${ids.b1}"] .diff`).getAttribute('class'), 'diff better');
      // The quick run is not the same measurement as a full one (#26.9): shown, with no Δ, and marked so in its cell.
      assert.equal(await decode.locator(`td[data-run="${ids.quick}"] [data-diff]`).count(), 0);
      assert.equal(await decode.locator(`td[data-run="${ids.quick}"] .diff`).textContent(), ' not comparable');
      assert.match((await page.locator('#compare-warnings').textContent())!, /not comparable: quick run/);
    });
  });

  it('dispute: the run page form, clicked in the browser, opens a thread page with a reply form', async function () {
    this.timeout(60_000);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    try {
      await page.goto(`${server.url}/r/${ids.a4}`);
      await page.locator('form.dispute textarea[name="message"]').fill('181 tok/s is 3 % above the rest of this group: which build?');
      await Promise.all([page.waitForURL(/\/disputes\/\d+$/), page.locator('form.dispute button[type="submit"]').click()]);
      assert.match((await page.locator('.message-body').first().textContent())!, /^181 tok\/s is 3 % above/);
      const thread = new URL(page.url()).pathname;
      await page.locator('form.dispute textarea[name="message"]').fill('CUDA 12.4, the same build as the others.');
      await Promise.all([page.waitForURL(/#m-\d+$/), page.locator('form.dispute button[type="submit"]').click()]);
      assert.equal(await page.locator('.message-body').count(), 2);
      await visit('dispute', thread, async (p) => {
        assert.equal(await p.locator('blockquote').count(), 2);
        assert.equal(await p.locator('form.dispute').getAttribute('action'), `/v1/disputes/${thread.split('/').pop()}/messages`);
      });
    } finally {
      await page.close();
    }
  });
});
