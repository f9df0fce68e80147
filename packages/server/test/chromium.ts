/**
 * Real Chromium for the page tests: Debian's chromium (installed by scripts/install-chromium.sh
 * when missing), driven headless by playwright-core, and full-page screenshots under
 * test-output/pages/ at the repository root (git-ignored).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = `${ROOT}test-output/pages`;
export const VIEWPORTS = [
  { name: 'desktop', width: 1200, height: 900 },
  { name: 'mobile', width: 375, height: 812 },
] as const;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) execFileSync('bash', [`${ROOT}scripts/install-chromium.sh`], { stdio: 'inherit' });
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Opens `url` at each width (both unless told), checks what every page promises (200, no script,
 * nothing wider than the screen), runs `check`, and saves a full-page screenshot named
 * `<name>-<desktop|mobile>.png`. Returns the screenshots' paths.
 */
export async function visit(
  browser: Browser,
  url: string,
  name: string,
  check: (page: Page, width: number) => Promise<void>,
  viewports: ReadonlyArray<(typeof VIEWPORTS)[number]> = VIEWPORTS,
): Promise<string[]> {
  const shots: string[] = [];
  for (const viewport of viewports) {
    const page = await browser.newPage({ viewport: { width: viewport.width, height: viewport.height } });
    try {
      const response = await page.goto(url);
      assert.equal(response?.status(), 200, `${url} at ${viewport.width}`);
      assert.equal(await page.evaluate(() => document.scripts.length), 0, 'no scripts');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${url} at ${viewport.width}px is ${overflow}px too wide`);
      await check(page, viewport.width);
      const shot = `${SHOTS}/${name}-${viewport.name}.png`;
      await page.screenshot({ path: shot, fullPage: true });
      shots.push(shot);
    } finally {
      await page.close();
    }
  }
  return shots;
}

/** The text of one element, whitespace collapsed (what a reader sees in that cell). */
export async function textOf(page: Page, selector: string): Promise<string> {
  const text = await page.locator(selector).first().textContent();
  assert.ok(text !== null, `no ${selector}`);
  return text.replace(/\s+/g, ' ').trim();
}
