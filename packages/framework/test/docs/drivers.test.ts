/**
 * docs/DRIVERS.md is held to the code it documents: its excerpts of the openai-compat driver are
 * the shipped code, every helper it documents is exported where it says, the request table agrees
 * with the suite the harness runs, and the settings variables it spells are the framework's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as framework from '../../src/index.js';
import * as testing from '../../src/testing/index.js';
import { driverEnvVar } from '../../src/config/driver-settings.js';
import { SUITE_SAMPLING } from '../../src/contract/sampling.js';
import { DEFAULT_REPETITIONS } from '../../src/harness/plan.js';
import { WARMUP_TOKENS } from '../../src/harness/runner.js';
import { loadSuite, suitePlans } from '../../src/suite/index.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const doc = readFileSync(join(root, 'docs/DRIVERS.md'), 'utf8');
const section = (title: string) => doc.slice(doc.indexOf(title), doc.indexOf('\n## ', doc.indexOf(title) + title.length));

describe('docs/DRIVERS.md', () => {
  it('its excerpts of the openai-compat driver are the code that ships, line for line', () => {
    const excerpts = [...doc.matchAll(/<!-- excerpt: (\S+) -->\n```ts\n([\s\S]*?)```/g)];
    assert.ok(excerpts.length >= 2, 'the OpenAI-compatible example is an excerpt of the real driver');
    for (const [, path, code] of excerpts) {
      const source = readFileSync(join(root, path!), 'utf8');
      assert.ok(source.includes(code!.trimEnd()), `${path} no longer contains:\n${code}`);
    }
  });

  it('every helper it documents is exported (the package root or /testing)', () => {
    // Functions named like `getJson<T>(` or `readSse(`; methods (a driver's `open()`, InFlightRequests' `start()`) are not.
    const documented = [...section('## 3. Shared protocol code').matchAll(/`(\w+)(?:<\w+>)?\(/g)]
      .map((m) => m[1]!)
      .filter((n) => !['open', 'close', 'detect', 'start', 'release', 'abortAll'].includes(n));
    assert.ok(documented.length >= 20, documented.join(', '));
    for (const name of new Set(documented)) {
      assert.ok(name in framework || name in testing, `${name} is documented but not exported`);
    }
    for (const name of ['streamOpenAiCompletion', 'openAiRequest', 'listOpenAiModels', 'publicModelName', 'startReplayServer', 'openAiBackendRoutes', 'createPythonRunnerDriver']) {
      assert.ok(documented.includes(name), `${name} is documented`);
    }
  });

  it('the request table is what the harness sends: fields, lengths, batches, turns, cache and sampling', () => {
    const table = section('### 1.1 What generate() is asked, per workload');
    const row = (id: string) => table.split('\n').find((l) => l.startsWith(`| ${id} `) || (l.startsWith(`| warm-up`) && id === 'warm-up'))!;
    const plans = Object.fromEntries(suitePlans(loadSuite('suite-v1'), ['W1', 'W2', 'W3', 'W4', 'W5']).map((p) => [p.id, p]));
    const cells = (id: string) =>
      row(id)
        .split('|')
        .map((c) => c.trim());
    assert.equal(cells('warm-up')[3], String(WARMUP_TOKENS));
    for (const id of ['W1', 'W2', 'W3', 'W4', 'W5']) {
      const [, , field, maxTokens, cache] = cells(id);
      const plan = plans[id]!;
      assert.equal(maxTokens!.replace(',', ''), String(plan.outputTokens), `${id} maxTokens`);
      assert.match(field!, plan.kind === 'agent-trace' ? /^`messages`/ : /^`prompt`/, `${id} field`);
      // W5's trace starts cold at every repetition, then reuses its own prefix.
      assert.equal(cache, plan.kind === 'agent-trace' ? 'false on turn 1, then true' : 'false', `${id} cachePrompt`);
      // The repetitions it names are the harness's defaults (plan.ts).
      const policy = DEFAULT_REPETITIONS[id]!;
      if (policy.max > 1) assert.match(cells(id)[5]!, new RegExp(policy.min === policy.max ? `up to ${policy.max}\\)` : `\\(${policy.min}–${policy.max}[,)]`), `${id} repetitions`);
      if (plan.kind === 'concurrent') assert.match(cells(id)[5]!, new RegExp(`^${plan.batchSizes.join(', ').replace(/, (\d+)$/, ', $1')} calls`));
      if (plan.kind === 'agent-trace') assert.match(cells(id)[5]!, new RegExp(`^${plan.turns.length} calls`));
    }
    const quick = Object.fromEntries(suitePlans(loadSuite('suite-v1'), ['W4', 'W5'], { quick: true }).map((p) => [p.id, p]));
    assert.match(
      table,
      new RegExp(
        `\`--quick\` asks for ${quick.W4!.outputTokens} tokens, W4 batches of ${(quick.W4 as { batchSizes: number[] }).batchSizes.join(' and ')}, and ${(quick.W5 as { turns: unknown[] }).turns.length} W5 turns`,
      ),
    );
    assert.match(table, new RegExp(`and seed ${SUITE_SAMPLING.seed}`));
  });

  it('the settings variables it spells are the ones the framework reads', () => {
    const settings = section('### 1.3 Settings');
    for (const m of settings.matchAll(/`([\w.-]+)`\s+\+\s+`([\w.-]+)`\s+→\s+`(LLM_SPEED_\w+)`/g)) assert.equal(driverEnvVar(m[1]!, m[2]!), m[3], m[0]);
    assert.equal([...settings.matchAll(/`([\w.-]+)`\s+\+\s+`([\w.-]+)`\s+→\s+`(LLM_SPEED_\w+)`/g)].length, 3, 'every example is checked');
  });
});
