/**
 * The driver author kit works as documented: a third driver written only from docs/DRIVERS.md
 * (fixture-driver/, for a loopback OpenAI-style "tinyserve") and the template's echo driver both
 * pass the framework's contract suite — all four tests, abort and close included — and each
 * backend sees its streams closed once the suite has aborted and closed its sessions.
 */
import assert from 'node:assert/strict';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { whyNotADriver } from '../../src/discovery/discover.js';
import { echoDriver } from '../../../../templates/driver-plugin/src/driver.js';
import echoHook from '../../../../templates/driver-plugin/src/hooks/drivers.js';
import { FIRST_TOKEN_MS, startEchoServer, type EchoServer } from '../../../../templates/driver-plugin/test/echo-server.js';
import { tinyserveDriver } from './fixture-driver/driver.js';
import tinyserveHook from './fixture-driver/hooks/drivers.js';
import { startTinyserve, type TinyserveServer } from './tinyserve-server.js';

/** Streams end on the server shortly after the client hangs up; wait for it, with a deadline. */
async function allStreamsClosed(open: () => number): Promise<void> {
  for (let i = 0; i < 200 && open() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(open(), 0, 'the backend still writes a stream nobody reads');
}

describe('driver author kit', () => {
  describe('a third driver written only from DRIVERS.md (tinyserve)', () => {
    const context = { env: { ...process.env } as NodeJS.ProcessEnv };
    let server: TinyserveServer;
    before(async () => {
      server = await startTinyserve();
      context.env.LLM_SPEED_TINYSERVE_URL = server.url;
    });
    after(() => server.close());

    it('its hook answers a driver the CLI accepts', async () => {
      const driver = await tinyserveHook();
      assert.equal(whyNotADriver(driver), undefined);
      assert.equal(driver.name, tinyserveDriver.name);
    });

    runDriverContractTests('tinyserve', { driver: () => tinyserveDriver, context });

    describe('after the contract suite', () => {
      it('the backend served the generations and saw every stream closed', async () => {
        assert.ok(server.completions() >= 2, 'both generation tests reached the backend');
        await allStreamsClosed(server.openStreams);
      });
    });
  });

  describe('the template driver (templates/driver-plugin, echo)', () => {
    const context = { env: { ...process.env } as NodeJS.ProcessEnv };
    let server: EchoServer;
    before(async () => {
      server = await startEchoServer();
      context.env.LLM_SPEED_ECHO_URL = server.url;
    });
    after(() => server.close());

    it('its hook answers a driver the CLI accepts', async () => {
      const driver = await echoHook();
      assert.equal(whyNotADriver(driver), undefined);
      assert.equal(driver.name, echoDriver.name);
    });

    runDriverContractTests('echo (template)', {
      driver: () => echoDriver,
      context,
      backend: { requests: () => server.requests, generationPath: '/generate', firstTokenDelayMs: FIRST_TOKEN_MS, sampling: { temperature: 'temperature', topK: 'top_k', seed: 'seed' } },
    });

    describe('after the contract suite', () => {
      it('the echo server saw every stream closed', () => allStreamsClosed(server.openStreams));
    });
  });

  describe('the contract suite catches a broken driver', () => {
    // A driver whose generation fails outright must not pass the abort test as "stopped early".
    const broken = {
      ...tinyserveDriver,
      async open() {
        return {
          model: { identifier: 'x', name: 'x' },
          backendVersion: '0',
          capabilities: { streaming: true, true_concurrency: false, prefix_cache_stats: false, exact_output_length: true },
          extras: {},
          // eslint-disable-next-line require-yield
          async *generate() {
            throw new Error('backend down');
          },
          async close() {},
        };
      },
    };
    it('fails the generation and abort tests of a driver whose stream always errors', async function () {
      const { default: Mocha } = await import('mocha');
      const results: Array<{ title: string; state?: string }> = [];
      const inner = new Mocha.Suite('inner');
      const fakeMocha = {
        describe: ((title: string, fn: (this: Mocha.Suite) => void) => {
          const s = Mocha.Suite.create(inner, title);
          fn.call(s);
          return s;
        }) as unknown as Mocha.SuiteFunction,
        it: ((title: string, fn: Mocha.Func) => {
          const t = new Mocha.Test(title, fn);
          (inner.suites[inner.suites.length - 1] ?? inner).addTest(t);
          return t;
        }) as unknown as Mocha.TestFunction,
        after: ((fn: Mocha.Func) => (inner.suites[inner.suites.length - 1] ?? inner).afterAll(fn)) as unknown as Mocha.HookFunction,
      };
      runDriverContractTests('broken', { driver: () => broken, context: { env: { LLM_SPEED_TINYSERVE_URL: 'http://127.0.0.1:9' } }, mocha: fakeMocha });
      const runner = new Mocha.Runner(inner, { delay: false });
      await new Promise<void>((resolve) => runner.run(() => resolve()));
      inner.eachTest((t) => void results.push({ title: t.title, state: t.state }));
      const byTitle = (prefix: string) => results.find((r) => r.title.startsWith(prefix))?.state;
      assert.equal(byTitle('generates'), 'failed');
      assert.equal(byTitle('aborting'), 'failed', 'an error before any token is a failure, not a prompt stop');
      this.test!.title += ` (${results.length} inner tests ran)`;
    });
  });
});
