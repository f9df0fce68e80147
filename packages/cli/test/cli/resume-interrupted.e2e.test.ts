/**
 * "Interrupted means not submitted", through the real CLI and the real embedded llama.cpp engine:
 * Ctrl-C (SIGINT) during `bench` keeps the partial run locally and uploads nothing, and
 * `bench --resume` on that file refuses it with the same reason and a non-zero exit.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { INTERRUPTED_RULE } from '@llm-speed/framework';
import { sandbox, type Sandbox } from '../helpers/cli.js';
import { recordingServer, type RecordingServer } from '../../../framework/test/upload/recording-server.js';

describe('Ctrl-C, then bench --resume (e2e, real CLI, embedded llama.cpp)', function () {
  this.timeout(10 * 60_000);
  let box: Sandbox;
  let server: RecordingServer;
  before(async () => {
    box = sandbox();
    server = await recordingServer();
  });
  after(async () => {
    await server.close();
    box.cleanup();
  });

  it('the interrupted run is saved, never uploaded, and --resume refuses it for the reason Ctrl-C gave', async () => {
    // Uploads on and consent given: only the interruption stands between the run and the server.
    const bench = box.run(['bench', '--workload', 'W1,W2', '--api-url', server.url, '--yes'], { env: { PATH: '/usr/bin:/bin' }, timeoutMs: 8 * 60_000 });
    let stderr = '';
    let interrupted = false;
    bench.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      // Ctrl-C once W1 is generating: W1 stops mid-way, W2 never starts.
      if (!interrupted && /running W1 chat-short/.test(stderr)) {
        interrupted = true;
        bench.kill('SIGINT');
      }
    });
    const first = await bench;
    assert.ok(interrupted, `W1 never started:\n${first.stderr}`);
    const said = String(first.stderr);
    assert.ok(said.includes(INTERRUPTED_RULE), said);
    assert.match(said, /not uploaded/);
    assert.equal(server.requests.length, 0, 'nothing was sent');

    const savedPath = /^saved: (.+\.json)$/m.exec(said)?.[1];
    assert.ok(savedPath, said);
    const run = JSON.parse(readFileSync(savedPath, 'utf8')) as { results: Array<{ workload: string; flags: string[]; error: string | null }> };
    const w2 = run.results.find((r) => r.workload === 'chat-long')!;
    assert.ok(w2.flags.includes('interrupted'), JSON.stringify(w2));

    const resumed = await box.run(['bench', '--resume', savedPath, '--api-url', server.url, '--yes']);
    assert.notEqual(resumed.exitCode, 0);
    // oclif wraps the error at word boundaries behind "›" margins.
    const refusal = String(resumed.stderr)
      .replace(/\s*›\s*/g, ' ')
      .replace(/\s+/g, ' ');
    assert.match(refusal, /is an interrupted run/);
    assert.ok(refusal.includes(INTERRUPTED_RULE), refusal);
    assert.match(refusal, /run the benchmark again/);
    assert.equal(server.requests.length, 0, '--resume sent nothing either');
  });
});
