/**
 * What the pages and cards say, in real Chromium (issues 22, 23, 25, 26): the standing sentence a
 * person would post, unranked runs saying why on every surface (page, link preview, listing row,
 * card), hardware labels with the core count, a CPU run of a GPU machine never listed as the GPU's
 * figure, /m and /hw answering their own questions, tables that keep the run link on screen at
 * 375 px, W4 like beside like, what an API run can be reproduced from, flags in words, and the
 * card keeping a long model name whole.
 *
 * The board is seeded with runs whose figures make every expected value below a hand count; each
 * assertion reads the cell the promise is about. Screenshots: test-output/pages/meaning-*.png.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { reproducibility, type MeasuredResult, type RunPayload } from '@llm-speed/framework';
import { cardStateOf, cardSvg, pickHeadline } from '../src/pages/pages.js';
import { launchChromium, SHOTS, textOf, visit } from './chromium.js';
import { chartResults, sampleResult, sampleRun, signedToken, startTestServer, type TestServer } from './helpers.js';

/** Machines of the seeded board (fingerprints as the CLI writes them: summary without the core count). */
const MACHINES = {
  // The sample run's own fingerprint: RTX 4090, 32 cores.
  a: null,
  b: {
    summary: 'RTX 5090 32 GB + AMD Ryzen 9 9950X, 96 GB RAM',
    cpu: 'AMD Ryzen 9 9950X',
    cores: 16,
    ram: 96,
    gpus: [{ name: 'RTX 5090', kind: 'nvidia' as const, memory_gb: 32 }],
    hash: 'bbbbbbbbbbbbbbbb',
  },
  cpu: { summary: 'CPU only: AMD EPYC 7B13, 24 GB RAM', cpu: 'AMD EPYC 7B13', cores: 64, ram: 24, gpus: [], hash: 'cccccccccccccccc' },
  h200: {
    summary: 'H200 144 GB + Intel Xeon Platinum 8468, 128 GB RAM',
    cpu: 'Intel Xeon Platinum 8468',
    cores: 16,
    ram: 128,
    gpus: [{ name: 'H200', kind: 'nvidia' as const, memory_gb: 144 }],
    hash: 'dddddddddddddddd',
  },
} as const;
type Machine = keyof typeof MACHINES;

const CUDA = { kind: 'cuda' as const, devices: ['NVIDIA GeForce RTX 4090'] };
const CPU = { kind: 'cpu' as const };
let minute = 0;

function run(results: MeasuredResult[], on: Machine = 'a'): RunPayload {
  minute += 1;
  const r = sampleRun(results, new Date(Date.UTC(2026, 11, 1, 8, minute)).toISOString());
  const m = MACHINES[on];
  if (m) {
    Object.assign(r.fingerprint, { accelerator_summary: m.summary, cpu_model: m.cpu, cpu_cores: m.cores, ram_gb: m.ram, gpus: [...m.gpus], fingerprint_hash: m.hash });
  }
  return r;
}

const w1 = (decode: number, overrides: Partial<MeasuredResult> = {}) => sampleResult({ decode_tps: decode, backend_build: CUDA, ...overrides });

describe('pages say what the numbers mean, in Chromium (issues 22, 25, 26)', () => {
  let server: TestServer;
  let browser: Browser;
  const ids: Record<string, string> = {};
  const runs: Record<string, RunPayload> = {};
  const shots: string[] = [];
  const post = async (name: string, payload: RunPayload) => {
    const res = await server.post('/v1/results', await signedToken(payload));
    assert.equal(res.status, 201, `${name}: ${res.text}`);
    ids[name] = res.json.id;
    runs[name] = payload;
  };
  const url = (path: string) => server.url + path;

  before(async function () {
    this.timeout(10 * 60_000);
    // One key signs every test run: this board ranks a group from 3 runs of any key, so both ranked and too-small groups exist.
    server = await startTestServer({ ranking: { minRuns: 3, minKeys: 1 } });
    // Setup S: the sample model on llama.cpp, CUDA build. Hardware A (RTX 4090, 32 cores): 160 165 170 180, and 175 on a busy machine.
    for (const v of [160, 165, 170, 180]) await post(`a${v}`, run([w1(v)]));
    await post('busy', run([w1(175, { flags: ['busy-machine', 'client-load'] })]));
    // Hardware B (RTX 5090, 16 cores): 200 205 210. H200 (16 cores): 900 905 910.
    for (const v of [200, 205, 210]) await post(`b${v}`, run([w1(v)], 'b'));
    for (const v of [900, 905, 910]) await post(`h${v}`, run([w1(v, { backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] } })], 'h200'));
    // On the H200 machine also: vLLM and another model (the machine page ranks them), and the CPU with the GPU unused.
    for (const v of [1190, 1200, 1210]) await post(`vllm${v}`, run([w1(v, { backend: 'vllm', backend_version: '0.11.0', backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] } })], 'h200'));
    const llama8b = { identifier: 'meta-llama/Llama-3.1-8B-Instruct-GGUF', name: 'Llama-3.1-8B-Instruct', size: '8B', quant: 'Q4_K_M', digest: 'ef'.repeat(32) };
    for (const v of [700, 710, 720]) await post(`l8b${v}`, run([w1(v, { model: llama8b, backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] } })], 'h200'));
    await post('idle', run([w1(30.5, { backend_build: CPU, flags: ['accelerator-unused'] })], 'h200'));
    await post('idle2', run([w1(31.5, { backend_build: CPU, flags: ['accelerator-unused'] })], 'h200'));
    // A CPU-only machine (64 cores): two runs, too few to rank.
    await post('cpu1', run([w1(20.5, { backend_build: CPU })], 'cpu'));
    await post('cpu2', run([w1(21.5, { backend_build: CPU })], 'cpu'));
    // Unranked for what they are: a --quick run that out-scores the full runs of its machine, and a noisy one.
    await post('quick', run([w1(477.1, { output_tokens: 32, flags: ['quick'] })]));
    await post('noisy', run([w1(168, { flags: ['noisy'] })]));
    // Through an API: no digest, no quant, no version, no build.
    await post(
      'api',
      run([
        w1(95.25, {
          backend: 'openai-compat',
          backend_version: 'unknown',
          backend_build: undefined,
          model: { identifier: 'qwen2.5-7b-instruct', name: 'qwen2.5-7b-instruct' },
        }),
      ]),
    );
    // W4 on its own: 16 streams of 40 tok/s each against a throughput of 640; the backend clocks one stream at 42.5.
    const w4 = chartResults()[1]!;
    // The headline is the largest batch's throughput (METHODOLOGY §1.4): 640.
    await post('w4', run([{ ...w4, decode_tps: 640, backend_build: CUDA, batch_size: 16, output_tokens: 16 * 256, backend_decode_tps: 42.5, backend_prefill_tps: 510.25 }]));
    // A model whose name is long and ends in what tells it apart.
    await post('long', run([w1(88.8, { model: { identifier: 'x/y', name: 'llm-speed synthetic llama 1b Q4_0 (Meta-Llama-3.1-70B-Instruct-abliterated-imatrix)', size: '1B', quant: 'Q4_0' } })]));
    browser = await launchChromium();
  });
  after(async function () {
    // Closing Chromium and the server can take longer than a test's default on a loaded machine.
    this.timeout(120_000);
    await browser?.close();
    await server?.stop();
    if (shots.length) process.stdout.write(`      screenshots: ${shots.map((s) => s.slice(SHOTS.length + 1)).join(', ')}\n`);
  });
  const see = async (path: string, name: string, check: (page: Page, width: number) => Promise<void>, widths?: 'desktop') =>
    shots.push(...(await visit(browser, url(path), `meaning-${name}`, check, widths ? [{ name: 'desktop', width: 1200, height: 900 }] : undefined)));

  it('the standing sentence right under the headline, never "faster than 0 %"; the rule behind a link (#22, #26.5)', async function () {
    this.timeout(120_000);
    // Peers of a170 in setup S (ranked groups, itself left out): A 160 165 175 180, B 200 205 210, H200 900 905 910 = 10,
    // all single measurements. Beaten: 160, 165 → 2 of 10 → 20 %. Hardware medians: H200 905, B 205, A 170 → 3rd of 3.
    const singles = ' (all compared as single measurements without an interval: noise unknown)';
    await see(`/r/${ids.a170}`, 'run-ranked', async (page) => {
      assert.equal(await textOf(page, '#percentile'), `Faster than 20 % of 10 comparable runs${singles}.`);
      assert.equal(await textOf(page, '#hardware-rank'), '3rd of 3');
      // Right under the figures: nothing but the note and marks between them.
      const order = await page.evaluate(() => [...document.querySelectorAll('#headline > *')].map((e) => e.className || e.id));
      assert.deepEqual(order.slice(0, 4), ['model', 'setup', 'figures', 'standing']);
      assert.equal(await page.locator('#percentile').locator('xpath=following-sibling::p[1]').locator('a[href="/ranking"]').count(), 1, 'the rule is a link');
      assert.equal(await page.locator('#standing-rule').count(), 0, 'no paragraph of jargon');
      // The chart of where it stands: a row per hardware class by median, every peer a dot, this run highlighted.
      const chart = page.locator('svg#chart-standing');
      // Each row's two lines: its hardware label whole (a long one wraps at a comma, its cores and RAM kept), then the group's runs and median.
      assert.deepEqual(await chart.locator('g.spread-row').evaluateAll((gs) => gs.map((g) => [...g.querySelectorAll(':scope > text')].map((t) => t.textContent!.trim()))), [
        ['H200 144 GB + Intel Xeon Platinum 8468, 16 cores,', '128 GB RAM · 3 runs · median 905.0'],
        ['RTX 5090 32 GB + AMD Ryzen 9 9950X, 16 cores,', '96 GB RAM · 3 runs · median 205.0'],
        ['RTX 4090 24 GB + AMD Ryzen 9 7950X3D, 32 cores,', '64 GB RAM · 5 runs · median 170.0'],
      ]);
      assert.equal(await chart.locator('circle.run').count(), 11, 'the 10 peers and this run');
      assert.equal(await chart.locator('circle.this-run').count(), 1);
      assert.equal(await chart.locator('circle.this-run').locator('xpath=..').getAttribute('href'), `/r/${ids.a170}`);
    });
    // The slowest of setup S beats none beyond noise, and says what it is slower than instead.
    await see(
      `/r/${ids.a160}`,
      'run-slowest',
      async (page) => {
        assert.equal(await textOf(page, '#percentile'), `Faster than none of 10 comparable runs beyond noise: slower than 10${singles}.`);
      },
      'desktop',
    );
    // The rule itself, with this board's evidence thresholds.
    await see('/ranking', 'ranking', async (page) => {
      assert.match(await textOf(page, '#evidence-rule'), /^A group is ranked once it holds 3 comparable runs signed by 1 different key\./);
      assert.equal(await textOf(page, '#unranked-reasons tr[data-code="quick"] td:last-child'), 'run the full suite, without --quick');
    });
  });

  it('few runs: says how many there are and what would rank it (#26.5)', async function () {
    this.timeout(60_000);
    await see(`/r/${ids.cpu1}`, 'run-few', async (page) => {
      assert.equal(
        await textOf(page, '#percentile'),
        'Not ranked yet: its group (this model, backend and build on this hardware) holds 2 comparable runs from 1 key; a group is ranked from 3 runs by 1 different key. To be ranked: more runs of this setup, from other contributors. How runs are ranked',
      );
      assert.equal(await textOf(page, '#hardware-label'), 'CPU only: AMD EPYC 7B13, 64 cores, 24 GB RAM');
    });
  });

  it('an unranked run says why on its page, its link preview, its listing row and its card (#26.4)', async function () {
    this.timeout(120_000);
    await see(`/r/${ids.quick}`, 'run-quick', async (page) => {
      assert.equal(await textOf(page, '#percentile'), 'Not ranked: quick run (32 of 256 tokens). To be ranked: run the full suite, without --quick. How runs are ranked');
      assert.equal(
        await page.locator('meta[property="og:title"]').getAttribute('content'),
        'Qwen2.5-7B-Instruct: 477.1 tok/s (not ranked: quick run) on RTX 4090 24 GB + AMD Ryzen 9 7950X3D, 32 cores, 64 GB RAM',
      );
      assert.match((await page.locator('meta[property="og:description"]').getAttribute('content'))!, /^477\.1 tok\/s decode, 142 ms to first token \(W1 chat-short\)\. Not ranked: quick run\. /);
      assert.equal(await page.locator('meta[property="og:image"]').getAttribute('content'), url(`/r/${ids.quick}/card.png?state=unranked`));
    });
    await see(
      `/r/${ids.noisy}`,
      'run-noisy',
      async (page) => {
        assert.match(
          await textOf(page, '#percentile'),
          /^Not ranked: noisy \(its confidence interval is wider than METHODOLOGY §6\.1 allows\)\. To be ranked: run again on a quieter machine, or with more repetitions \(--reps\)\./,
        );
        assert.equal(
          await page.locator('meta[property="og:title"]').getAttribute('content'),
          'Qwen2.5-7B-Instruct: 168.0 tok/s (not ranked: noisy) on RTX 4090 24 GB + AMD Ryzen 9 7950X3D, 32 cores, 64 GB RAM',
        );
      },
      'desktop',
    );
    // The latest-runs rows of the model's page: each unranked one says why, in words, in its own cell.
    await see('/m/qwen2-5-7b-instruct', 'model', async (page, width) => {
      const status = (name: string) => textOf(page, `table.runs tr[data-run="${ids[name]}"] td[data-col="status"]`);
      assert.equal(await status('quick'), 'not ranked: quick run');
      assert.equal(await status('noisy'), 'not ranked: noisy');
      assert.equal(await status('cpu1'), 'not ranked: not enough runs yet');
      assert.equal(await status('busy'), 'busy machine, client load');
      assert.equal(await status('a170'), 'ranked');
      if (width === 375) await runLinksOnScreen(page, width);
    });
  });

  it('the card: the quick run says NOT RANKED and cannot out-score the full runs silently; a pending one says so; a long name stays whole (#26.4, #26.7)', async function () {
    this.timeout(120_000);
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    try {
      await page.goto(url(`/r/${ids.a170}`));
      for (const [name, state] of [
        ['a170', 'ranked'],
        ['quick', 'unranked'],
        ['cpu1', 'pending'],
        ['long', 'pending'],
      ] as const) {
        const png = await (await fetch(url(`/r/${ids[name]}/card.png`))).arrayBuffer();
        const shot = `${SHOTS}/meaning-card-${name}.png`;
        writeFileSync(shot, Buffer.from(png));
        shots.push(shot);
        // Decoded by Chromium: the left bar's colour is the state's (blue ranked, amber otherwise), and nothing is drawn past
        // the right margin (x ≥ 1146) but the background, so no text was cut off at the edge.
        const pixels = await page.evaluate(async (src) => {
          const img = new Image();
          img.src = src;
          await img.decode();
          const canvas = document.createElement('canvas');
          canvas.width = img.naturalWidth;
          canvas.height = img.naturalHeight;
          const ctx = canvas.getContext('2d')!;
          ctx.drawImage(img, 0, 0);
          const bar = [...ctx.getImageData(5, 300, 1, 1).data].slice(0, 3);
          const margin = ctx.getImageData(1146, 0, 54, 630).data;
          let foreign = 0;
          for (let i = 0; i < margin.length; i += 4) if (Math.abs(margin[i]! - 0x0d) + Math.abs(margin[i + 1]! - 0x11) + Math.abs(margin[i + 2]! - 0x17) > 24) foreign += 1;
          return { size: [img.naturalWidth, img.naturalHeight], bar, foreign };
        }, `/r/${ids[name]}/card.png`);
        assert.deepEqual(pixels.size, [1200, 630]);
        assert.deepEqual(pixels.bar, state === 'ranked' ? [0x2f, 0x81, 0xf7] : [0xd2, 0x99, 0x22], `${name}: the state's colour`);
        assert.equal(pixels.foreign, 0, `${name}: something is drawn in the right margin`);
        // The words on it (the SVG the PNG is drawn from, for the same run and state).
        const svg = cardSvg(ids[name]!, runs[name]!, pickHeadline(runs[name]!), cardStateOf({ clusters: new Map() }, runs[name]!, pickHeadline(runs[name]!)));
        const status = /<text id="card-status"[^>]*>([^<]*)</.exec(svg)?.[1];
        if (name === 'quick') assert.equal(status, 'NOT RANKED · QUICK RUN');
        if (name === 'a170') assert.equal(status, 'NOT RANKED YET · TOO FEW RUNS OF ITS KIND', 'without its group, a run is pending');
        if (name === 'long') {
          const lines = [...svg.matchAll(/<g id="card-model" data-size="(\d+)">([\s\S]*?)<\/g>/g)][0]!;
          // Lines broken at a space lose the space; broken after a hyphen, keep it.
          const text = [...lines[2]!.matchAll(/>([^<]+)</g)].map((m) => m[1]!).reduce((a, b) => (/[-_/.:]$/.test(a) ? a + b : `${a} ${b}`));
          assert.equal(text, 'llm-speed synthetic llama 1b Q4_0 (Meta-Llama-3.1-70B-Instruct-abliterated-imatrix)', 'the whole name, on two lines');
          assert.ok(Number(lines[1]) >= 30, `font size ${lines[1]}`);
        }
      }
      // The route draws from the stored group: the ranked run's card has no status line.
      const ranked = await fetch(url(`/r/${ids.a170}/card.png`));
      assert.match(ranked.headers.get('etag')!, /-ranked"$/);
    } finally {
      await page.close();
    }
  });

  it('/m ranks the hardware for a model; /hw ranks models and backends on a machine; CPU runs of a GPU machine apart (#26.8, #26.6, #25)', async function () {
    this.timeout(120_000);
    await see('/m/qwen2-5-7b-instruct', 'model-rank', async (page, width) => {
      assert.equal(await textOf(page, '#question'), 'Qwen2.5-7B-Instruct: which hardware runs it fastest');
      assert.equal(
        await textOf(page, '#answer'),
        'Fastest for W1 chat-short: H200 144 GB + Intel Xeon Platinum 8468, 16 cores, 128 GB RAM with vllm, CUDA build, median 1200.0 decode tok/s over 3 runs.',
      );
      const rows = page.locator('#rank-chat-short tr[data-group]');
      const cell = async (i: number, col: string) => textOf(page, `#rank-chat-short tr[data-group]:nth-of-type(${i + 2}) ${col}`);
      // Ranked by median: H200 with vLLM 1200 and with llama.cpp 905, B 205, A 170 (160 165 170 175 180); then the groups without enough runs.
      const ranked = [
        ['1', 'H200 144 GB + Intel Xeon Platinum 8468, 16 cores, 128 GB RAM', 'vllm cuda', '1200.0 (1190.0–1210.0)'],
        ['2', 'H200 144 GB + Intel Xeon Platinum 8468, 16 cores, 128 GB RAM', 'llama.cpp cuda', '905.0 (900.0–910.0)'],
        ['3', 'RTX 5090 32 GB + AMD Ryzen 9 9950X, 16 cores, 96 GB RAM', 'llama.cpp cuda', '205.0 (200.0–210.0)'],
        ['4', 'RTX 4090 24 GB + AMD Ryzen 9 7950X3D, 32 cores, 64 GB RAM', 'llama.cpp cuda', '170.0 (160.0–180.0)'],
      ];
      for (const [i, row] of ranked.entries()) {
        assert.deepEqual([await cell(i, 'td[data-label="rank"]'), await cell(i, 'td.subject'), await cell(i, 'td[data-label="backend"]'), await cell(i, 'td[data-col="median"]')], row);
      }
      const unranked = await rows.evaluateAll((trs) => trs.filter((tr) => tr.getAttribute('data-ranked') === 'no').map((tr) => tr.querySelector('td.subject')!.textContent!.trim()));
      assert.deepEqual(unranked.sort(), ['CPU of a machine with an H200 (Intel Xeon Platinum 8468, 16 cores, 128 GB RAM)', 'CPU only: AMD EPYC 7B13, 64 cores, 24 GB RAM']);
      if (width === 375) await runLinksOnScreen(page, width);
    });
    await see('/hw/h200-144-gb-intel-xeon-platinum-8468-128-gb-ram', 'hardware-rank', async (page, width) => {
      assert.equal(await textOf(page, '#question'), 'What runs fastest on H200 144 GB + Intel Xeon Platinum 8468, 16 cores, 128 GB RAM');
      assert.equal(await textOf(page, '#answer'), 'Fastest on it for W1 chat-short: Qwen2.5-7B-Instruct Q4_K_M with vllm, CUDA build, median 1200.0 decode tok/s over 3 runs.');
      // Models and backends by median: vLLM 1200, llama.cpp 905, Llama-3.1-8B 710; the CPU runs are not among the H200's.
      const subjects = await page.locator('#rank-chat-short tr[data-group] td.subject').allTextContents();
      assert.deepEqual(
        subjects.map((s) => s.trim()),
        ['Qwen2.5-7B-Instruct Q4_K_M', 'Qwen2.5-7B-Instruct Q4_K_M', 'Llama-3.1-8B-Instruct Q4_K_M'],
      );
      assert.deepEqual(
        (await page.locator('#rank-chat-short tr[data-group] td[data-label="backend"]').allTextContents()).map((s) => s.trim()),
        ['vllm cuda', 'llama.cpp cuda', 'llama.cpp cuda'],
      );
      assert.equal(await page.locator(`#rank-chat-short a[href="/r/${ids.idle}"], #spread-chart-chat-short a[href="/r/${ids.idle}"]`).count(), 0, "the CPU run is not the GPU's figure");
      assert.equal(await page.locator('#spread-chart-chat-short g.spread-row').count(), 3);
      assert.equal(await textOf(page, '#accelerator-unused h2'), "On this machine's CPU, with its GPU unused");
      assert.equal(await textOf(page, '#rank-idle-chat-short td[data-col="median"]'), '31.0 (30.5–31.5)');
      if (width === 375) await runLinksOnScreen(page, width);
    });
    // The page of the idle run names what it measured.
    await see(
      `/r/${ids.idle}`,
      'run-accelerator-unused',
      async (page) => {
        assert.equal(await textOf(page, '#hardware-label'), 'CPU of a machine with an H200 (Intel Xeon Platinum 8468, 16 cores, 128 GB RAM)');
        assert.match(await textOf(page, '[data-idle-gpu]'), /^Measured on the CPU: this machine has H200, which the backend left unused\./);
      },
      'desktop',
    );
  });

  it("W4 sets one stream beside the backend's clock, and names the throughput as throughput (#26.1)", async function () {
    this.timeout(60_000);
    await see(`/r/${ids.w4}`, 'run-w4', async (page) => {
      const rows = await page.locator('#w-0 table.metrics tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.querySelector('td')!.textContent!.trim()]));
      assert.deepEqual(rows.slice(0, 5), [
        ['output throughput, all 16 streams (tok/s, prefill included)', '640.0'],
        ['prompt throughput, all 16 streams (tok/s)', '8421.1'],
        ["one stream of 16: decode tok/s, llm-speed's clock", '40.0'],
        ["one stream of 16: decode tok/s, backend's clock", '42.5'],
        ["one stream of 16: prefill tok/s, backend's clock", '510.3'],
      ]);
      // The headline of a W4-only run is the throughput, and is called so.
      assert.equal(await textOf(page, '#headline .figure .label'), 'output throughput of all streams, W4 concurrent-decode');
      assert.deepEqual((await page.locator('#w-0 table.batches tr').first().locator('th').allTextContents()).slice(0, 3), ['batch', 'throughput, all streams (tok/s)', 'one stream: decode tok/s']);
    });
  });

  it('an API run says what it can and cannot be reproduced from (#26.22); flags in words (#22)', async function () {
    this.timeout(60_000);
    const expected = reproducibility(runs.api!.results[0] as MeasuredResult).sentence;
    // Worked from the run: no digest, no quant, version unknown, no build.
    assert.equal(
      expected,
      'Can be re-run against openai-compat serving "qwen2.5-7b-instruct", but not proved the same setup: the weights are the server\'s: no digest of the file; the quantization is not reported; the server\'s version is unknown; what it ran on (CPU or GPU build) is unknown.',
    );
    await see(`/r/${ids.api}`, 'run-api', async (page) => {
      assert.equal(await textOf(page, '#reproduce p.reproducibility'), `Not pinned: ${expected}`);
    });
    await see(
      `/r/${ids.busy}`,
      'run-busy',
      async (page) => {
        assert.equal(await textOf(page, '#headline-marks'), 'Read with care: busy machine, client load (see the workload below).');
        const words = await page.locator('#w-0 ul.flags li').allTextContents();
        assert.deepEqual(words, [
          'busy-machine: other processes used more than 10 % of the CPU while it was measured; shown and ranked (METHODOLOGY §3.7)',
          "client-load: llm-speed's own process used more than 5 % of a core on a machine of 4 cores or fewer; shown and ranked (METHODOLOGY §3.5)",
        ]);
      },
      'desktop',
    );
    // A pinned run (llama.cpp with the file's digest) says so.
    await see(
      `/r/${ids.a165}`,
      'run-pinned',
      async (page) => {
        assert.match(await textOf(page, '#reproduce p.reproducibility'), /^Reproducible from this result: the weights file by its SHA-256 \(cdcdcdcdcdcd…\) and llama\.cpp 7410, cuda build\.$/);
      },
      'desktop',
    );
  });

  it('/compare: two single measurements are compared as plain figures and say the noise is unknown (#22)', async function () {
    this.timeout(60_000);
    await see(`/compare?runs=${ids.a170},${ids.b205},${ids.quick}`, 'compare', async (page) => {
      // 205 ÷ 170 − 1 = +20.6 %.
      assert.equal(await textOf(page, `table.compare tr[data-metric="decode_tps"] td[data-run="${ids.b205}"]`), '205.0 +20.6 % (single measurements: noise unknown)');
      assert.equal(await textOf(page, `table.compare tr[data-metric="decode_tps"] td[data-run="${ids.quick}"]`), '477.1 not comparable');
    });
  });
});

/** At 375 px every run link of every listing table is inside the screen, not cut off by a sideways scroll (#26.8). */
async function runLinksOnScreen(page: Page, width: number): Promise<void> {
  const boxes = await page.locator('table a[href^="/r/"]').evaluateAll((links) => links.map((a) => [a.textContent, a.getBoundingClientRect().left, a.getBoundingClientRect().right] as const));
  assert.ok(boxes.length > 0, 'run links');
  for (const [text, left, right] of boxes) assert.ok(left >= 0 && right <= width, `${text} at ${left}–${right}px`);
}

/**
 * A figure repeated 5 times with its 95 % interval [low, high] (the `spread` and `samples` shape of
 * workload-result.schema.json): samples low, ¼ of the way, the median, ¾ of the way, high, so their median is the headline.
 */
function repeated(median: number, low: number, high: number): Partial<MeasuredResult> {
  const samples = [low, (low + median) / 2, median, (median + high) / 2, high];
  return {
    decode_tps: median,
    repetitions: 5,
    spread: { decode_tps: { n: 5, median, ci_low: low, ci_high: high, cv: 0.01 } },
    samples: samples.map((decode_tps) => ({ decode_tps })),
  } as Partial<MeasuredResult>;
}

describe('pages with repetitions: standing, error bars and Δ by the intervals, in Chromium (issue 22)', () => {
  let server: TestServer;
  let browser: Browser;
  const ids: Record<string, string> = {};
  const shots: string[] = [];
  const post = async (name: string, payload: RunPayload) => {
    (payload as RunPayload & { schema_version?: number }).schema_version = 2;
    const res = await server.post('/v1/results', await signedToken(payload));
    assert.equal(res.status, 201, `${name}: ${res.text}`);
    ids[name] = res.json.id;
  };
  const see = async (path: string, name: string, check: (page: Page, width: number) => Promise<void>) => shots.push(...(await visit(browser, server.url + path, `meaning-spread-${name}`, check)));

  before(async function () {
    this.timeout(10 * 60_000);
    server = await startTestServer({ ranking: { minRuns: 2, minKeys: 1 } });
    // Hardware A: the subject 170 [166, 174], and 168 [165, 171], 172 [169, 175] (both overlap it: within noise).
    await post('x', run([w1(170, repeated(170, 166, 174))]));
    await post('p3', run([w1(168, repeated(168, 165, 171))]));
    await post('p4', run([w1(172, repeated(172, 169, 175))]));
    // Hardware B: 150 [147, 153] and 160 [157, 163] (below 166: slower beyond noise), 165 a single measurement (below 166: slower).
    await post('p1', run([w1(150, repeated(150, 147, 153))], 'b'));
    await post('p2', run([w1(160, repeated(160, 157, 163))], 'b'));
    await post('p7', run([w1(165)], 'b'));
    // The H200: 190 [186, 194] (above 174: faster beyond noise), 175 a single measurement (above 174: faster).
    await post('p5', run([w1(190, repeated(190, 186, 194))], 'h200'));
    await post('p6', run([w1(175)], 'h200'));
    // Repetitions that disagree: ±11.8 % on decode, noisy by its own spread though it carries no flag.
    await post('wide', run([w1(170, repeated(170, 150, 190))]));
    // W4 with each batch repeated: throughput and one stream's decode with their intervals.
    const w4 = chartResults()[1]!;
    const batches = w4.batches!.map((b) => ({
      ...b,
      spread: {
        aggregate_tps: { n: 3, median: b.aggregate_tps!, ci_low: b.aggregate_tps! * 0.97, ci_high: b.aggregate_tps! * 1.03, cv: 0.01 },
        per_stream_tps: { n: 3, median: b.per_stream_tps!, ci_low: b.per_stream_tps! * 0.96, ci_high: b.per_stream_tps! * 1.04, cv: 0.02 },
      },
    }));
    await post('w4', run([{ ...w4, decode_tps: 640, batches, repetitions: 3, backend_build: CUDA, batch_size: 16, output_tokens: 16 * 256 } as MeasuredResult]));
    browser = await launchChromium();
  });
  after(async function () {
    // Closing Chromium and the server can take longer than a test's default on a loaded machine.
    this.timeout(120_000);
    await browser?.close();
    await server?.stop();
    if (shots.length) process.stdout.write(`      screenshots: ${shots.map((s) => s.slice(SHOTS.length + 1)).join(', ')}\n`);
  });

  it('counts only differences beyond both intervals: "faster than 42 % of 7 comparable runs; within noise of 2"', async function () {
    this.timeout(60_000);
    // Against 170 [166, 174]: slower beyond noise 150, 160 and the point 165 (3); faster 190 and the point 175 (2);
    // within noise 168 [165, 171] and 172 [169, 175] (2). 3 of 7 → 42 %. Medians: H200 182.5, A 170, B 160 → 2nd of 3.
    await see(`/r/${ids.x}`, 'run', async (page) => {
      assert.equal(await textOf(page, '#percentile'), 'Faster than 42 % of 7 comparable runs; within noise of 2.');
      assert.equal(await textOf(page, '#hardware-rank'), '2nd of 3');
      // The headline with its interval: (174 − 166) ÷ 2 ÷ 170 = ±2.4 %.
      assert.equal(await textOf(page, '#headline-decode-spread'), '±2.4 % · 95 % CI of 5 repetitions');
      assert.equal(await textOf(page, '#w-0 td[data-signal="decode_tps"]'), '170.0 ±2.4 %');
      // Error bars on the standing chart: the six runs with an interval have one; the two single measurements are dots alone.
      assert.equal(await page.locator('svg#chart-standing g.ci').count(), 6);
      assert.equal(await page.locator('svg#chart-standing circle.run').count(), 8);
    });
  });

  it("/m draws each run's interval as an error bar, and says what a dot alone is", async function () {
    this.timeout(60_000);
    await see('/m/qwen2-5-7b-instruct', 'model', async (page) => {
      const chart = page.locator('svg#spread-chart-chat-short');
      // The 6 repeated runs of ranked groups (not the noisy one: not comparable, so not plotted).
      assert.equal(await chart.locator('g.ci').count(), 6);
      assert.equal(await chart.locator('g.legend text').first().textContent(), 'one run, its 95 % CI');
      assert.match(await textOf(page, '#spread-chat-short figcaption'), /a dot without a line is a single measurement, with no interval/);
    });
  });

  it('/compare says "within noise" when the intervals overlap, and the Δ with its interval otherwise', async function () {
    this.timeout(60_000);
    await see(`/compare?runs=${ids.x},${ids.p3},${ids.p5}`, 'compare', async (page) => {
      const cell = (id: string) => textOf(page, `table.compare tr[data-metric="decode_tps"] td[data-run="${id}"]`);
      // 168 [165, 171] against 170 [166, 174]: overlap. Δ = 168 ÷ 170 − 1 = −1.2 %.
      assert.equal(await cell(ids.p3!), '168.0 ±1.8 % within noise (−1.2 %)');
      // 190 [186, 194]: Δ = +11.8 %, interval 186 ÷ 174 − 1 = +6.9 % to 194 ÷ 166 − 1 = +16.9 %.
      assert.equal(await cell(ids.p5!), '190.0 ±2.1 % +11.8 % (+6.9 % … +16.9 %)');
      assert.equal(await page.locator(`table.compare tr[data-metric="decode_tps"] td[data-run="${ids.p5}"] .diff`).getAttribute('class'), 'diff better');
    });
  });

  it('repetitions that disagree are noisy by their own spread: not ranked, and the card says so', async function () {
    this.timeout(60_000);
    await see(`/r/${ids.wide}`, 'run-noisy', async (page) => {
      assert.match(
        await textOf(page, '#percentile'),
        /^Not ranked: noisy \(decode 95 % CI ±11\.8 % of its median \(limit 5 %\)\)\. To be ranked: run again on a quieter machine, or with more repetitions \(--reps\)\./,
      );
    });
    const card = await fetch(`${server.url}/r/${ids.wide}/card.png`);
    assert.match(card.headers.get('etag')!, /-unranked"$/);
  });

  it("W4's charts draw each batch's interval, throughput and one stream alike", async function () {
    this.timeout(60_000);
    await see(`/r/${ids.w4}`, 'run-w4', async (page) => {
      const chart = page.locator('svg#chart-w4-0');
      assert.equal(await chart.locator('g.ci').count(), 8, 'four batches × two series');
      assert.match(await textOf(page, '#w-0 figure figcaption'), /Bars: the 95 % confidence interval over the repetitions/);
      // 16 streams: 640 ±3 %, one stream 40 ±4 %.
      assert.equal(await textOf(page, '#w-0 table.batches tr[data-batch="16"] td[data-col="aggregate_tps"]'), '640.0 ±3.0 %');
      assert.equal(await textOf(page, '#w-0 table.batches tr[data-batch="16"] td[data-col="per_stream_tps"]'), '40.0 ±4.0 %');
    });
  });
});

/**
 * A W1 result's energy as the sampler writes it (METHODOLOGY §13.2): decode 255 steps, prefill 128
 * prompt tokens, the whole timed part 256 output tokens and 50 J gross.
 */
function energy(meter: string, decodeTpsPerW: number, options: { prefillReason?: string } = {}) {
  const [domain, interval] = meter === 'rapl' ? ['cpu-package', 100] : ['gpu', 100];
  const decodeNet = 255 / decodeTpsPerW;
  const prefill = options.prefillReason
    ? { ms: 20, samples: 2, tokens: 128, gross_j: null, net_j: null, avg_w: null, peak_w: null, j_per_token: null, gross_j_per_token: null, tokens_per_s_per_w: null, reason: options.prefillReason }
    : { ms: 60, samples: 12, tokens: 128, gross_j: 8, net_j: 3.2, avg_w: 133.3, peak_w: 210, j_per_token: 0.025, gross_j_per_token: 0.0625, tokens_per_s_per_w: 40, reason: null };
  return {
    energy: {
      meter,
      meters: [{ meter, domain, interval_ms: interval, samples: 55, idle_w: 79.5 }],
      idle_w: 79.5,
      idle_ms: 3000,
      prefill,
      decode: {
        ms: 1400,
        samples: 30,
        tokens: 255,
        gross_j: 40,
        net_j: decodeNet,
        avg_w: 180,
        peak_w: 340,
        j_per_token: decodeNet / 255,
        gross_j_per_token: 40 / 255,
        tokens_per_s_per_w: decodeTpsPerW,
        reason: null,
      },
      total: {
        ms: 1530,
        samples: 55,
        tokens: 256,
        gross_j: 50,
        net_j: 12.4,
        avg_w: 176.5,
        peak_w: 340,
        j_per_token: 12.4 / 256,
        gross_j_per_token: 50 / 256,
        tokens_per_s_per_w: 256 / 12.4,
        reason: null,
      },
      reason: null,
    },
  };
}

const H200_ROOFLINE = {
  roofline: {
    shape_source: 'gguf',
    weight_bytes_per_token: 0.6e9,
    kv_bytes_per_context_token: 28672,
    kv_element_bytes: 2,
    depth_tokens: 256,
    bytes_per_token: 0.61e9,
    device: 'H200',
    devices: 1,
    device_kind: 'gpu',
    peak_gb_s: 4800,
    bandwidth_source: 'table',
    implied_gb_s: 528,
    bandwidth_share: 0.11,
    reason: null,
  },
};

describe('pages with energy and the bandwidth limit, in Chromium (issue 23)', () => {
  let server: TestServer;
  let browser: Browser;
  const ids: Record<string, string> = {};
  const shots: string[] = [];
  const post = async (name: string, payload: RunPayload) => {
    const res = await server.post('/v1/results', await signedToken(payload));
    assert.equal(res.status, 201, `${name}: ${res.text}`);
    ids[name] = res.json.id;
  };
  const see = async (path: string, name: string, check: (page: Page, width: number) => Promise<void>) => shots.push(...(await visit(browser, server.url + path, `meaning-energy-${name}`, check)));
  const h200Cuda = { kind: 'cuda' as const, devices: ['NVIDIA H200'] };

  before(async function () {
    this.timeout(10 * 60_000);
    server = await startTestServer({ ranking: { minRuns: 3, minKeys: 1 } });
    // The H200 (nvidia-smi's power readings): 10, 11 and 12 decode tok/s per watt, 11 % of its bandwidth.
    for (const [i, w] of [10, 11, 12].entries()) {
      await post(`h${i}`, run([w1(900 + i, { backend_build: h200Cuda, ...energy('nvidia-smi-power', w), ...H200_ROOFLINE } as Partial<MeasuredResult>)], 'h200'));
    }
    // The RTX 4090 (nvidia-smi's energy counter): 4, 5, 6; its prefill too short for the meter on one of them.
    await post(
      'a0',
      run([
        w1(170, energy('nvidia-smi-energy', 4, { prefillReason: '2 readings in 20 ms of prefill (the meter reads every 100 ms): at least 10 are needed to split it off' }) as Partial<MeasuredResult>),
      ]),
    );
    for (const [i, w] of [5, 6].entries()) await post(`a${i + 1}`, run([w1(171 + i, energy('nvidia-smi-energy', w) as Partial<MeasuredResult>)]));
    // A CPU-only machine (RAPL): 0.8, 0.9, 1.0.
    for (const [i, w] of [0.8, 0.9, 1.0].entries()) await post(`c${i}`, run([w1(20 + i, { backend_build: CPU, ...energy('rapl', w) } as Partial<MeasuredResult>)], 'cpu'));
    // No meter at all.
    await post('none', run([w1(168, { energy: { meter: 'none', reason: 'no power meter on this machine' } } as Partial<MeasuredResult>)]));
    browser = await launchChromium();
  });
  after(async function () {
    // Closing Chromium and the server can take longer than a test's default on a loaded machine.
    this.timeout(120_000);
    await browser?.close();
    await server?.stop();
    if (shots.length) process.stdout.write(`      screenshots: ${shots.map((s) => s.slice(SHOTS.length + 1)).join(', ')}\n`);
  });

  it('/r: J/token and tok/s/W per phase, power, cost at the reference tariff, provenance, and the bandwidth share in words', async function () {
    this.timeout(60_000);
    await see(`/r/${ids.h0}`, 'run', async (page, width) => {
      // One phase's column, top to bottom: J/token, tok/s/W, average W, peak W, readings.
      const column = async (phase: string) => (await page.locator(`#w-0 table.energy td[data-phase="${phase}"]`).allTextContents()).map((t) => t.trim());
      // Decode: 255 steps over 25.5 net J = 0.1 J/token, 10 tok/s/W; prefill 3.2 J over 128 tokens = 0.025 J/token, 40 tok/s/W.
      assert.deepEqual(await column('decode'), ['0.1', '10', '180', '340', '30']);
      assert.deepEqual(await column('prefill'), ['0.025', '40', '133', '210', '12']);
      // Whole timed part: 12.4 net J over 256 tokens = 0.0484 J/token, 20.6 tok/s/W.
      assert.deepEqual(await column('total'), ['0.0484', '20.6', '177', '340', '55']);
      // The table fits its workload card at both widths: nothing of it scrolls out of sight.
      const wider = await page.locator('#w-0 table.energy').evaluate((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth);
      assert.ok(wider <= 0, `the energy table is ${wider}px wider than its box at ${width}px`);
      assert.equal(
        await textOf(page, '#w-0 [data-energy-provenance]'),
        'Measured by nvidia-smi-power (GPU, every 100 ms, 55 readings); 79.5 W idle over 3 s subtracted from the J/token and tok/s/W figures. Energy is compared only with runs measured by the same kind of meter (nvidia-smi-power) (METHODOLOGY §13).',
      );
      // 50 J over 256 output tokens = 0.1953 J/token; × 10⁶ ÷ 3.6 × 10⁶ J/kWh × 0.15 = 0.00814 per million tokens.
      assert.match(await textOf(page, '#w-0 [data-cost]'), /^Electricity: 0\.00814 per million output tokens at the board's reference tariff of 0\.15 per kWh /);
      assert.equal(
        await textOf(page, '#w-0 [data-roofline]'),
        "Decode used 11 % of the H200's 4.8 TB/s memory bandwidth (0.61 GB read per token): small models are bound by per-token overhead, not memory.",
      );
      assert.match(await textOf(page, '#headline-efficiency'), /^10 tok\/s\/W decode \(nvidia-smi-power\)\. Decode used 11 % of the H200's 4\.8 TB\/s/);
    });
    await see(`/r/${ids.a0}`, 'run-short-prefill', async (page) => {
      assert.deepEqual((await page.locator('#w-0 table.energy td[data-phase="prefill"]').allTextContents()).slice(0, 2), ['—', '—']);
      assert.equal(await textOf(page, '#w-0 [data-energy-reasons]'), 'Not measured: 2 readings in 20 ms of prefill (the meter reads every 100 ms): at least 10 are needed to split it off.');
    });
    await see(`/r/${ids.none}`, 'run-no-meter', async (page) => {
      assert.equal(await textOf(page, '#w-0 [data-energy-missing]'), 'Energy: not measured (no power meter on this machine).');
      assert.equal(await page.locator('#headline-efficiency').count(), 0);
    });
  });

  it('/m and /hw: a tok/s/W and a bandwidth-share column, each figure with its meter', async function () {
    this.timeout(60_000);
    await see('/m/qwen2-5-7b-instruct', 'model', async (page) => {
      const cells = async (col: string) => (await page.locator(`#rank-chat-short tr[data-group] td[data-col="${col}"]`).allTextContents()).map((t) => t.trim());
      // By median decode: H200 901, RTX 4090 171, CPU 21. Group medians of tok/s/W: 11, 5, 0.9.
      assert.deepEqual(await cells('tps-per-w'), ['11.0 nvidia-smi-power', '5.00 nvidia-smi-energy', '0.90 rapl']);
      assert.deepEqual(await cells('bandwidth'), ['11 %', '—', '—']);
      assert.match(
        await textOf(page, '#spread-chat-short [data-meters-differ]'),
        /^tok\/s\/W measured by different kinds of meter \(nvidia-smi-energy, nvidia-smi-power, rapl\) are not comparable with each other/,
      );
    });
    await see('/hw/h200-144-gb-intel-xeon-platinum-8468-128-gb-ram', 'hardware', async (page) => {
      assert.equal(await textOf(page, '#rank-chat-short tr[data-group] td[data-col="tps-per-w"]'), '11.0 nvidia-smi-power');
      assert.equal(await textOf(page, '#rank-chat-short tr[data-group] td[data-col="bandwidth"]'), '11 %');
    });
  });

  it("the cheatsheet's most efficient view: each kind of meter its own table, by tok/s/W", async function () {
    this.timeout(60_000);
    await see('/cheatsheet?view=efficiency', 'cheatsheet', async (page) => {
      const tables = await page.locator('#efficiency-chat-short table.board').evaluateAll((ts) => ts.map((t) => t.id));
      assert.deepEqual(tables, ['efficiency-chat-short-nvidia-smi-energy', 'efficiency-chat-short-nvidia-smi-power', 'efficiency-chat-short-rapl']);
      assert.equal(await textOf(page, '#efficiency-chat-short-nvidia-smi-power td.best'), '11.0 nvidia-smi-power');
      assert.equal(await textOf(page, '#efficiency-chat-short-rapl td.best'), '0.90 rapl');
      assert.equal(await page.locator(`#efficiency-chat-short-nvidia-smi-power a.permalink[href^="/r/"]`).count(), 1);
    });
    const json = JSON.parse((await server.get('/v1/leaderboard?view=efficiency&workload=W1')).text);
    assert.deepEqual(
      json.efficiency.map((s: { meter: string; groups: Array<{ tokens_per_s_per_w: { median: number } }> }) => [s.meter, s.groups[0]!.tokens_per_s_per_w.median]),
      [
        ['nvidia-smi-energy', 5],
        ['nvidia-smi-power', 11],
        ['rapl', 0.9],
      ],
    );
    assert.equal((await server.get('/cheatsheet?view=greenest')).status, 400);
  });

  it('the card shows tok/s/W when it was measured', async () => {
    const svg = await (async () => {
      const { cardSvg, pickHeadline } = await import('../src/pages/pages.js');
      const payload = JSON.parse((await server.get(`/v1/results/${ids.h0}`)).text) as RunPayload;
      return cardSvg(ids.h0!, payload, pickHeadline(payload));
    })();
    assert.match(svg, /<text id="card-decode-label"[^>]*>tok\/s decode · W1 · 10\.0 tok\/s\/W<\/text>/);
  });
});

describe('the cheatsheet names a CPU run of a GPU machine as the CPU (issue 25), in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const ids: Record<string, string> = {};
  const shots: string[] = [];
  before(async function () {
    this.timeout(10 * 60_000);
    server = await startTestServer({ ranking: { minRuns: 3, minKeys: 1 } });
    // On the H200 machine: three runs on its GPU (905, 910, 915) and three on its CPU with the GPU unused (30, 31, 32).
    for (const [name, result] of [
      ['g0', w1(905, { backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] } })],
      ['g1', w1(910, { backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] } })],
      ['g2', w1(915, { backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] } })],
      ['c0', w1(30, { backend_build: CPU, flags: ['accelerator-unused'] })],
      ['c1', w1(31, { backend_build: CPU, flags: ['accelerator-unused'] })],
      ['c2', w1(32, { backend_build: CPU, flags: ['accelerator-unused'] })],
    ] as const) {
      const res = await server.post('/v1/results', await signedToken(run([result], 'h200')));
      assert.equal(res.status, 201, `${name}: ${res.text}`);
      ids[name] = res.json.id;
    }
    browser = await launchChromium();
  });
  after(async function () {
    // Closing Chromium and the server can take longer than a test's default on a loaded machine.
    this.timeout(120_000);
    await browser?.close();
    await server?.stop();
    if (shots.length) process.stdout.write(`      screenshots: ${shots.map((s) => s.slice(SHOTS.length + 1)).join(', ')}\n`);
  });

  it("both groups are ranked, each under its own hardware words: the GPU's as the H200, the CPU's as the CPU of a machine with one", async function () {
    this.timeout(60_000);
    shots.push(
      ...(await visit(browser, `${server.url}/cheatsheet?workload=chat-short`, 'meaning-cheatsheet-accelerator-unused', async (page) => {
        const rows = await page
          .locator('#board-chat-short-local tr:not(.head)')
          .evaluateAll((trs) => trs.map((tr) => [tr.querySelector('td.best')!.textContent!.trim(), tr.querySelector('td[data-label="hardware"]')!.textContent!.trim()]));
        // Group medians: 910 on the GPU, 31 on the CPU.
        assert.deepEqual(rows, [
          ['910.0', 'H200 144 GB + Intel Xeon Platinum 8468, 16 cores, 128 GB RAM'],
          ['31.0', 'CPU of a machine with an H200 (Intel Xeon Platinum 8468, 16 cores, 128 GB RAM)'],
        ]);
      })),
    );
    const json = JSON.parse((await server.get('/v1/leaderboard?workload=W1')).text);
    assert.deepEqual(
      json.workloads[0].local.map((g: { best_run: string; hardware: { accelerator_unused: boolean } }) => [g.best_run, g.hardware.accelerator_unused]),
      [
        [ids.g2, false],
        [ids.c2, true],
      ],
    );
  });
});
