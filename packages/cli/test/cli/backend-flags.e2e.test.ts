/**
 * The backend-location flags reach the drivers on every command that talks to them, with the
 * precedence flag > LLM_SPEED_* env. The vLLM replay answers the documented /version and
 * /v1/models shapes (vLLM docs, "OpenAI-Compatible Server").
 */
import assert from 'node:assert/strict';
import { jsonResponse, startReplayServer, type ReplayServer } from '@llm-speed/framework/testing';
import { sandbox, type Sandbox } from '../helpers/cli.js';

describe('backend flags: --vllm-url and friends (e2e, real CLI)', function () {
  this.timeout(120_000);
  let box: Sandbox;
  let vllm: ReplayServer;
  before(async () => {
    box = sandbox();
    vllm = await startReplayServer([
      { method: 'GET', path: '/version', response: jsonResponse(200, { version: '0.11.0' }) },
      { method: 'GET', path: '/v1/models', response: jsonResponse(200, { object: 'list', data: [{ id: 'Qwen/Qwen3-0.6B', object: 'model', max_model_len: 4096 }] }) },
    ]);
  });
  after(async () => {
    await vllm.close();
    box.cleanup();
  });

  const vllmRow = (stdout: unknown) => (JSON.parse(String(stdout)).drivers as Array<{ name: string; available: boolean; version?: string }>).find((b) => b.name === 'vllm');

  it('detect --vllm-url finds the server there, and wins over LLM_SPEED_VLLM_URL', async () => {
    const result = await box.run(['detect', '--json', '--vllm-url', vllm.url], { env: { LLM_SPEED_VLLM_URL: 'http://127.0.0.1:9' } });
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.deepEqual((({ available, version }) => ({ available, version }))(vllmRow(result.stdout)!), { available: true, version: '0.11.0' });
  });

  it('list-models and bench accept the same flags', async () => {
    const models = await box.run(['list-models', '--backend', 'vllm', '--json', '--vllm-url', vllm.url]);
    assert.equal(models.exitCode, 0, String(models.stderr));
    assert.equal(JSON.parse(String(models.stdout))[0].models[0].identifier, 'Qwen/Qwen3-0.6B');
    const help = await box.run(['bench', '--help']);
    for (const flag of ['--vllm-url', '--ollama-host', '--python', '--cache-dir', '--config-dir', '--llama-cpp-path', '--llama-cpp-url']) assert.match(String(help.stdout), new RegExp(flag));
  });
});
