/**
 * Which backend a bench run uses (harness/select-backend.ts): a real local engine first, in a
 * fixed order, never a hosted API unasked; a named backend exactly, or a clear error saying why not.
 */
import assert from 'node:assert/strict';
import type { Driver } from '../../src/contract/driver.js';
import type { DetectedDriver } from '../../src/discovery/detect.js';
import { DriverError, UsageError } from '../../src/errors.js';
import { chooseDriver, listModels } from '../../src/harness/select-backend.js';

function detected(name: string, available = true, reason?: string): DetectedDriver {
  return { driver: { name } as Driver, detection: { name, available, ...(reason ? { reason } : {}) } as DetectedDriver['detection'] };
}
const names = (list: DetectedDriver[]) => list.map((d) => d.detection.name);

describe('chooseDriver', () => {
  it('prefers llama.cpp, then ollama, vLLM, MLX, exllamav2, then any other local driver, whatever order they were found in', () => {
    const order = ['llama.cpp', 'ollama', 'vllm', 'mlx', 'exllamav2', 'third-party'];
    for (let k = 0; k < order.length; k++) {
      // Only the drivers from position k on are available: the first of them wins.
      const found = [...order].reverse().map((name) => detected(name, order.indexOf(name) >= k));
      assert.equal(chooseDriver(found).detection.name, order[k], names(found.filter((d) => d.detection.available)).join(','));
    }
  });

  it('never picks a hosted API on its own, nor an unavailable driver', () => {
    assert.equal(chooseDriver([detected('hosted-api'), detected('ollama', false), detected('mlx')]).detection.name, 'mlx');
    assert.throws(
      () => chooseDriver([detected('hosted-api'), detected('ollama', false, 'ollama not running at http://127.0.0.1:11434')]),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === 'no backend detected (hosted-api: unavailable; ollama: ollama not running at http://127.0.0.1:11434)' &&
        e.suggestions.some((s) => /never chosen automatically: pass --backend hosted-api/.test(s)),
    );
    assert.throws(
      () => chooseDriver([]),
      (e: unknown) => e instanceof UsageError && /no backend detected \(no driver plugins installed\)/.test(e.message),
    );
  });

  it('takes a named backend at its word (any case), hosted included', () => {
    const found = [detected('llama.cpp'), detected('hosted-api'), detected('vllm')];
    assert.equal(chooseDriver(found, 'Hosted-API').detection.name, 'hosted-api');
    assert.equal(chooseDriver(found, 'VLLM').detection.name, 'vllm');
  });

  it('a named backend that is not installed, or not available, is an error saying which are and why not', () => {
    assert.throws(
      () => chooseDriver([detected('llama.cpp'), detected('ollama')], 'lmstudio'),
      (e: unknown) => e instanceof UsageError && e.message === 'unknown backend "lmstudio" (installed drivers: llama.cpp, ollama)' && e.suggestions.some((s) => /llm-speed detect/.test(s)),
    );
    assert.throws(() => chooseDriver([], 'ollama'), /installed drivers: none installed/);
    assert.throws(
      () => chooseDriver([detected('ollama', false, 'ollama not running')], 'ollama'),
      (e: unknown) => e instanceof DriverError && e.message === 'ollama: not available: ollama not running' && e.suggestions.some((s) => /llm-speed detect/.test(s)),
    );
    assert.throws(() => chooseDriver([detected('ollama', false)], 'ollama'), /not available: no reason given/);
  });
});

describe('listModels', () => {
  const driver = (listModels: () => Promise<unknown>) => ({ name: 'fake', listModels }) as unknown as Driver;
  const ctx = {} as Parameters<Driver['listModels']>[0];

  it("returns the driver's valid entries", async () => {
    const models = [
      { identifier: 'a', name: 'A' },
      { identifier: 'b', name: 'B', quant: 'Q4_0' },
    ];
    assert.deepEqual(
      await listModels(
        driver(async () => models),
        ctx,
      ),
      models,
    );
  });

  it('names the driver and the entry when the list is not what the contract says', async () => {
    await assert.rejects(
      listModels(
        driver(async () => ({ models: [] })),
        ctx,
      ),
      (e: unknown) => e instanceof DriverError && e.message === 'fake: listModels() did not return an array',
    );
    await assert.rejects(
      listModels(
        driver(async () => [{ identifier: 'a', name: 'A' }, { name: 'no identifier' }]),
        ctx,
      ),
      (e: unknown) => e instanceof DriverError && /^fake: listModels\(\) entry 1 is invalid: .*identifier/.test(e.message),
    );
    await assert.rejects(
      listModels(
        driver(async () => {
          throw new Error('connection refused');
        }),
        ctx,
      ),
      (e: unknown) => e instanceof DriverError && e.message === 'fake: could not list models: connection refused',
    );
  });
});
