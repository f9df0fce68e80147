/** Chat requests through llama-server's template (prefix cache reported), and the framework's contract suite. */
import { SUITE_SAMPLING } from '@llm-speed/framework';
import assert from 'node:assert/strict';
import type { DriverSession } from '@llm-speed/framework';
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { llamaCppDriver } from '../../src/driver.js';
import { collectEvents as collect, llamaBinDir, makeContext, modelCacheDir, tinyModel } from './helpers.js';

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
    assert.ok(usage.promptTokens > (usage.cachedPromptTokens ?? 0));
  });
});

runDriverContractTests('llama.cpp (spawned llama-server, tiny synthetic model)', {
  driver: () => llamaCppDriver,
  context: { config: { llama_cpp_path: llamaBinDir() }, cacheDir: modelCacheDir, env: { PATH: '' } },
  modelRef: 'synth:tiny:Q8_0',
  outputTokens: 16,
});
