/**
 * Runs llm-speed's driver contract suite on the echo driver, against a loopback echo server.
 * Keep this file when you adapt the template: point a stand-in server (or a replay of your
 * backend's recorded traffic) at your driver through its settings: the context's env
 * (LLM_SPEED_ECHO_URL) or `settings` (as the config file's drivers.echo section would give them).
 */
import { runDriverContractTests } from '@llm-speed/framework/contract-tests';
import { echoDriver } from '../src/driver.js';
import { FIRST_TOKEN_MS, startEchoServer, type EchoServer } from './echo-server.js';

describe('echo driver', () => {
  const context = { env: { ...process.env } as NodeJS.ProcessEnv };
  let server: EchoServer;
  before(async () => {
    server = await startEchoServer();
    // The contract suite reads the context when each test runs, so filling it in here is in time.
    // The framework maps LLM_SPEED_ECHO_URL to the driver's `url` setting, as the CLI does.
    context.env.LLM_SPEED_ECHO_URL = server.url;
  });
  after(() => server.close());

  runDriverContractTests('echo', {
    driver: () => echoDriver,
    context,
    // What the backend saw: the suite checks when the request arrived (TTFT cannot start before
    // it), that the first token waited for the backend's prefill, and that the suite's sampling
    // arrived in the fields your wire format has for it.
    backend: {
      requests: () => server.requests,
      generationPath: '/generate',
      firstTokenDelayMs: FIRST_TOKEN_MS,
      sampling: { temperature: 'temperature', topK: 'top_k', seed: 'seed' },
    },
  });
});
