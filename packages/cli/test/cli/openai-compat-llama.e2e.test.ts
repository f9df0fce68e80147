/**
 * The bundled `openai-compat` driver against a real llama-server (issue 26 items 3, 16, 21), the
 * binary scripts/build-llama-server.sh builds, serving the synthetic tiny model, attached as a
 * user's long-running server is:
 *   - W1 and a `--quick` run through `llm-speed bench --backend openai-compat` are not `warm-cache`
 *     (they were, on every run: the server kept the warm-up's BOS token, "1 prompt tokens cached");
 *   - the result names the server's version as /props says it and `engine: llama-server`;
 *   - llama-server gets its own fields: ignore_eos (so the output is exactly as long as asked) and
 *     cache_prompt false (so nothing is reused at all);
 *   - a real reuse is still flagged: with the prefix cache left on, as llama-server runs for any
 *     client that does not turn it off, the BOS-only reuse on W1 is not flagged, and W2 run twice
 *     (4,057 of 4,058 tokens reused the second time) is.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { check, driverContextFor, loadSuite, runWorkload, suitePlans, type DriverSession, type RunnableWorkload } from '@llm-speed/framework';
import { openAiCompatDriver } from '@llm-speed/plugin-openai-compat';
import { sandbox, type Sandbox } from '../helpers/cli.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../../../../scripts/build-llama-server.sh', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`llama-server at ${url} did not become healthy within ${ms} ms`);
}

type Result = Record<string, any>;

describe('openai-compat against a real llama-server (e2e)', function () {
  this.timeout(15 * 60_000);
  let box: Sandbox;
  let server: ResultPromise | undefined;
  let url: string;
  let props: { build_info: string };

  before(async () => {
    box = sandbox();
    const { stdout } = await execa('bash', [BUILD_SCRIPT], { timeout: 30 * 60_000 });
    const bin = stdout.trim().split('\n').pop()!;
    const synth = await box.run(['models', 'synth', '--size', 'tiny', '--quant', 'Q8_0', '--json'], { timeoutMs: 5 * 60_000 });
    assert.equal(synth.exitCode, 0, String(synth.stderr));
    const model = (JSON.parse(String(synth.stdout)) as { path: string }).path;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // One slot, as `llama-server -m model.gguf` starts by default; its prompt cache left as it comes.
    server = execa(join(bin, 'llama-server'), ['-m', model, '--host', '127.0.0.1', '--port', String(port), '-c', '8192', '-np', '1', '-t', '2'], { reject: false, stdin: 'ignore' });
    await waitHealthy(url, 120_000);
    props = (await (await fetch(`${url}/props`)).json()) as { build_info: string };
  });
  after(async () => {
    server?.kill('SIGTERM');
    await server;
    box?.cleanup();
  });

  const bench = async (name: string, args: string[]): Promise<Result[]> => {
    const out = join(box.root, `${name}.json`);
    const result = await box.run(['bench', '--backend', 'openai-compat', '--openai-compat-url', `${url}/v1`, '--no-upload', '--json', out, ...args], { timeoutMs: 10 * 60_000 });
    assert.equal(result.exitCode, 0, String(result.stderr));
    const run = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(check('run', run), []);
    return run.results as Result[];
  };

  /** What llama-server's /props build_info "b<N>-<commit>" reads as in llama.cpp's spelling. */
  const expectedVersion = () => {
    const [, build, commit] = /^b(\d+)-([0-9a-f]+)$/.exec(props.build_info)!;
    return Number(build) > 1 ? `b${build} (${commit!.slice(0, 7)})` : `(${commit!.slice(0, 7)})`;
  };

  // First, while the server has seen no suite prompt: the BOS-only reuse needs a server that holds no W1 yet.
  describe('with the prefix cache left on (what llama-server does for a client that does not turn it off)', () => {
    let session: DriverSession;
    let plans: RunnableWorkload[];
    before(async () => {
      const ctx = driverContextFor(openAiCompatDriver, {
        config: {},
        cacheDir: box.root,
        env: { LLM_SPEED_OPENAI_COMPAT_BASE_URL: `${url}/v1` },
        signal: new AbortController().signal,
        log: () => undefined,
      });
      const opened = await openAiCompatDriver.open(undefined, { contextTokens: 8192, parallel: 1 }, ctx);
      // cache_prompt true on every request: llama-server's own default, which the driver sent nothing to change before.
      session = { ...opened, generate: (request) => opened.generate({ ...request, cachePrompt: true }) };
      plans = suitePlans(loadSuite('suite-v1'), ['W1', 'W2']).map((w) => ({ ...w, outputTokens: 8 }) as RunnableWorkload);
    });
    after(() => session?.close());

    const run = (w: RunnableWorkload) => runWorkload({ suiteVersion: 'suite-v1', suiteDigest: '0'.repeat(64), backend: 'openai-compat', session, signal: new AbortController().signal }, w);

    it('W1 after the warm-up reuses only the BOS token: counted, not flagged', async () => {
      const w1 = await run(plans[0]!);
      assert.equal(w1.error, null);
      assert.ok((w1.cached_prompt_tokens ?? 0) >= 1, 'llama-server kept the BOS token from the warm-up: the case the rule is for');
      assert.ok((w1.cached_prompt_tokens ?? 0) <= 4, `cached ${w1.cached_prompt_tokens}: only what any two prompts share`);
      assert.ok(!w1.flags.includes('warm-cache'), w1.flags.join(', '));
    });

    it('W2 a second time, its prompt served from the cache: flagged warm-cache', async () => {
      await run(plans[1]!);
      const again = await run(plans[1]!);
      assert.ok((again.cached_prompt_tokens ?? 0) > 3000, `cached ${again.cached_prompt_tokens} of ${again.prompt_tokens}`);
      assert.ok(again.flags.includes('warm-cache'), again.flags.join(', '));
    });
  });

  describe('through `llm-speed bench --backend openai-compat` (the driver as it ships)', () => {
    it('W1: not warm-cache, nothing reused, exactly 256 tokens, the server and its version named', async () => {
      const [w1] = await bench('w1', ['--workload', 'W1']);
      assert.equal(w1!.workload, 'chat-short');
      assert.equal(w1!.error, null);
      assert.ok(!w1!.flags.includes('warm-cache'), w1!.flags.join(', '));
      assert.equal(w1!.cached_prompt_tokens, 0, 'cache_prompt false: llama-server reused nothing, not even the BOS');
      assert.equal(w1!.output_tokens, 256, 'ignore_eos: the output is as long as asked');
      assert.ok(!w1!.flags.includes('short-output'));
      assert.equal(w1!.backend, 'openai-compat');
      assert.equal(w1!.backend_version, expectedVersion(), `/props says ${props.build_info}`);
      assert.equal(w1!.extras.engine, 'llama-server');
      assert.deepEqual(w1!.backend_build, { kind: 'unknown' }, '/props names no device');
    });

    it('--quick (W1, W2, W4, W5): no workload is warm-cache', async () => {
      const results = await bench('quick', ['--quick', '--workload', 'W1,W2,W4,W5']);
      assert.deepEqual(
        results.map((r) => r.workload),
        ['chat-short', 'chat-long', 'concurrent-decode', 'agent-trace'],
      );
      for (const r of results) {
        assert.equal(r.error, null, `${r.workload}: ${r.error}`);
        assert.ok(!r.flags.includes('warm-cache'), `${r.workload}: ${r.flags.join(', ')}`);
        assert.ok(r.flags.includes('quick'));
        if (r.workload !== 'agent-trace') assert.equal(r.cached_prompt_tokens, 0, r.workload);
      }
      // W5 asks for the prefix to be reused, and llama-server does.
      assert.ok(results[3]!.cached_prompt_tokens > 0, 'W5 turn 2 reused turn 1');
    });
  });
});
