/**
 * `npm run schemas:check` must fail when a schema is edited without regenerating the types, and
 * pass when they match. Runs the real script on a copy of the repository's schemas and types.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));

describe('schemas:check (e2e)', function () {
  this.timeout(120_000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'llm-speed-schemas-'));
    cpSync(join(repo, 'schemas'), join(root, 'schemas'), { recursive: true });
    cpSync(join(repo, 'scripts/generate-types.mjs'), join(root, 'scripts/generate-types.mjs'));
    mkdirSync(join(root, 'packages/framework/src/contract'), { recursive: true });
    cpSync(join(repo, 'packages/framework/src/contract/generated'), join(root, 'packages/framework/src/contract/generated'), { recursive: true });
    symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const check = () => execa('node', [join(root, 'scripts/generate-types.mjs'), '--check'], { reject: false });

  it('passes when the committed types match the schemas', async () => {
    const r = await check();
    assert.equal(r.exitCode, 0, String(r.stderr));
  });

  it('fails after a schema edit without regeneration, naming the stale file', async () => {
    const file = join(root, 'schemas/workload-result.schema.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    schema.properties.new_metric = { type: 'number' };
    writeFileSync(file, JSON.stringify(schema, null, 2));
    const r = await check();
    assert.equal(r.exitCode, 1);
    assert.match(String(r.stderr), /out of date.*\n.*workload-result\.ts/);
    assert.match(String(r.stderr), /npm run schemas:gen/);
  });
});
