/** `--dry-run` never uploads, also when it is combined with `--resume` (which otherwise uploads a saved run). */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, signRun } from '@llm-speed/framework';
import { startReplayServer } from '@llm-speed/framework/testing';
import { sandbox } from '../helpers/cli.js';
import { sampleRun } from '@llm-speed/framework/testing';

describe('bench --dry-run --resume (e2e, real CLI)', function () {
  this.timeout(60_000);

  it('is refused before anything is sent', async () => {
    const box = sandbox();
    const server = await startReplayServer([]);
    try {
      const saved = join(box.root, 'run.json');
      // A validly signed run: without the guard, --resume would verify it and post it.
      writeFileSync(saved, JSON.stringify(await signRun(sampleRun() as never, await generateKeyPair())));
      const result = await box.run(['bench', '--resume', saved, '--dry-run', '--yes', '--api-url', server.url]);
      assert.notEqual(result.exitCode, 0);
      assert.match(String(result.stderr), /--dry-run and --resume cannot be combined/);
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
      box.cleanup();
    }
  });
});
