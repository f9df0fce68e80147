/** Chat requests through llama-server's template (prefix cache reported), and the framework's contract suite. */
import { SUITE_SAMPLING } from '@llm-speed/framework';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DriverSession } from '@llm-speed/framework';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { llamaCppDriver } from '../../src/driver.js';
import { spawnServer, type SpawnedServer } from '../../src/server/spawn.js';
import { collectEvents as collect, llamaBinDir, makeContext, modelCacheDir, tinyModel } from './helpers.js';

/** Forwards every request to llama-server unchanged and keeps the JSON bodies the driver sent. */
async function recordingProxy(upstream: string): Promise<{ url: string; sent: Array<{ path: string; json: any }>; close(): Promise<void> }> {
  const sent: Array<{ path: string; json: any }> = [];
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.length > 0) sent.push({ path: req.url!, json: JSON.parse(body.toString('utf8')) });
      const out = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('llama.cpp driver: chat over a spawned llama-server', function () {
  this.timeout(180_000);
  let session: DriverSession | undefined;
  after(async () => session?.close());

  it('renders system/user/tool/assistant turns and reports the cached prefix on the next turn', async () => {
    const model = await tinyModel();
    session = await llamaCppDriver.open(model, { contextTokens: 2048, parallel: 1 }, makeContext({ llama_cpp_path: llamaBinDir() }));
    const turns = [
      { role: 'system', content: 'You are a helpful assistant that answers briefly and uses tools when needed.' },
      { role: 'user', content: 'What is the weather in Paris today? Please look it up.' },
      { role: 'assistant', content: 'Calling the weather tool for Paris.' },
      { role: 'tool', name: 'weather', content: '{"city":"Paris","temp_c":14,"sky":"cloudy"}' },
    ];
    const first = await collect(session, { messages: turns, maxTokens: 16, cachePrompt: true, sampling: SUITE_SAMPLING } as never);
    // TTFT is measured from the generation request, after the template was rendered.
    assert.equal(first[0]?.type, 'sent');
    const firstUsage = first.find((e) => e.type === 'usage');
    assert.equal(firstUsage?.type === 'usage' && firstUsage.outputTokens, 16);
    const longer = [...turns, { role: 'assistant', content: 'It is 14 degrees and cloudy in Paris.' }, { role: 'user', content: 'And tomorrow?' }];
    const second = await collect(session, { messages: longer, maxTokens: 16, cachePrompt: true, sampling: SUITE_SAMPLING } as never);
    const usage = second.find((e) => e.type === 'usage');
    assert.ok(usage?.type === 'usage');
    assert.ok((usage.cachedPromptTokens ?? 0) > 0, `expected a cached prefix, got ${JSON.stringify(usage)}`);
    assert.ok(usage.promptTokens !== undefined, `llama-server reports prompt tokens: ${JSON.stringify(usage)}`);
    assert.ok(usage.promptTokens > (usage.cachedPromptTokens ?? 0));
  });

  describe('what the template rendered', () => {
    let server: SpawnedServer;
    let proxy: Awaited<ReturnType<typeof recordingProxy>>;
    before(async () => {
      server = await spawnServer({ binary: `${llamaBinDir()}/llama-server`, model: await tinyModel(), contextTokens: 512, parallel: 1, threads: 1, signal: new AbortController().signal });
      proxy = await recordingProxy(server.baseUrl);
    });
    after(async () => {
      await proxy?.close();
      await server?.stop();
    });

    it('sends the known conversation as the exact ChatML text, and the server evaluates exactly its tokens', async () => {
      const attached = await llamaCppDriver.open(undefined, { contextTokens: 512, parallel: 1 }, makeContext({ llama_cpp_url: proxy.url }));
      const messages = [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: 'Calling the tool.' },
        { role: 'tool', name: 'weather', content: '{"temp_c":14}' },
      ];
      const events = await collect(attached, { messages, maxTokens: 4, cachePrompt: false, sampling: SUITE_SAMPLING } as never);
      // The synthetic model's GGUF carries no chat template, so llama-server renders ChatML
      // (llama.cpp src/llama-chat.cpp, LLM_CHAT_TEMPLATE_CHATML: "<|im_start|>{role}\n{content}<|im_end|>\n"
      // per message, then "<|im_start|>assistant\n" to open the answer).
      const expected =
        '<|im_start|>system\nAnswer briefly.<|im_end|>\n' +
        '<|im_start|>user\nWeather in Paris?<|im_end|>\n' +
        '<|im_start|>assistant\nCalling the tool.<|im_end|>\n' +
        '<|im_start|>tool\n{"temp_c":14}<|im_end|>\n' +
        '<|im_start|>assistant\n';
      assert.deepEqual(proxy.sent.find((r) => r.path === '/apply-template')?.json, { messages });
      const completion = proxy.sent.find((r) => r.path === '/completion');
      assert.equal(completion?.json.prompt, expected);
      // Exactly that text was evaluated (with the BOS the vocabulary asks for, and nothing else).
      const tokenized = await fetch(`${server.baseUrl}/tokenize`, { method: 'POST', body: JSON.stringify({ content: expected, add_special: true }) });
      const { tokens } = (await tokenized.json()) as { tokens: number[] };
      const usage = events.find((e) => e.type === 'usage');
      assert.ok(usage?.type === 'usage');
      assert.equal(usage.promptTokens, tokens.length);
      await attached.close();
    });
  });
});

runDriverContractTests('llama.cpp (spawned llama-server, tiny synthetic model)', {
  driver: () => llamaCppDriver,
  context: { config: { llama_cpp_path: llamaBinDir() }, cacheDir: modelCacheDir, env: { PATH: '' } },
  modelRef: 'synth:tiny:Q8_0',
  outputTokens: 16,
});
