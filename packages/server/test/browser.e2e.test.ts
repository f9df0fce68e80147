/**
 * A real browser on a real run page: Debian's chromium (installed by scripts/install-chromium.sh
 * when missing) driven headless by playwright-core. Screenshot goes to test-output/ at the repo root.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { chartResults, forEachBackend, sampleResult, sampleRun, signedToken, startTestServer, type TestServer } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

forEachBackend('server: run page in a headless browser (e2e)', (backend) => {
  let server: TestServer;
  let browser: Browser;

  before(async function () {
    this.timeout(10 * 60_000);
    if (!existsSync(CHROMIUM)) execFileSync('bash', [`${ROOT}scripts/install-chromium.sh`], { stdio: 'inherit' });
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('renders the numbers and the SVG charts', async function () {
    this.timeout(120_000);
    const { json } = await server.post('/v1/results', await signedToken(sampleRun([sampleResult(), ...chartResults()])));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const response = await page.goto(`${server.url}/r/${json.id}`);
    assert.equal(response?.status(), 200);
    assert.equal(await page.locator('td[data-signal="decode_tps"]').first().textContent(), '187.4');
    assert.equal(await page.locator('td[data-signal="ttft_ms"]').first().textContent(), '142.3');
    const w4 = page.locator('svg#chart-w4-2');
    assert.equal(await w4.count(), 1);
    assert.equal(await w4.locator('circle').count(), 8, 'two series × four batch sizes');
    const box = await page.locator('svg#chart-w3-1').boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, 'the W3 chart is laid out');
    const scriptsRan = await page.evaluate(() => document.scripts.length);
    assert.equal(scriptsRan, 0);
    mkdirSync(`${ROOT}test-output`, { recursive: true });
    const shot = `${ROOT}test-output/server-run-page${backend === 'sqlite' ? '' : `-${backend}`}.png`;
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(existsSync(shot));
  });
});
