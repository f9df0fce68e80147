/**
 * Finds a suite shipped inside the framework (packages/framework/suites/<version>/), validates it,
 * checks every fixture against its pinned SHA-256, and materialises each workload's requests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentTrace, SuiteDefinition, WorkloadDefinition } from '../contract/generated/suite.js';
import { check } from '../contract/validate.js';
import { LlmSpeedError, UsageError } from '../errors.js';
import type { RunnableWorkload } from '../harness/plan.js';
import { userSuitesDir } from '../suite-update/user-dir.js';
import { SUITE_FILE, sha256Hex, suiteDigest } from './digest.js';
import { fillerUnit, fillTemplate, streamPrompt, tierPrompt, traceTurns } from './materialise.js';

export const DEFAULT_SUITE = 'suite-v1';

/**
 * suites/ sits at the package root; this module is at src/suite/ under tsx and dist/suite/ after a
 * build, two levels down in both cases.
 */
export const SUITES_ROOT = fileURLToPath(new URL('../../suites/', import.meta.url));

const VERSION_PATTERN = /^suite-v[0-9]+(-[a-z0-9]+)?$/;

/** What a workload plan carries beyond what the runner needs: where it came from and its sizes. */
export interface PlanInfo {
  title?: string;
  optIn: boolean;
  nominalPromptTokens?: number;
  referenceTokens?: number;
  definition: WorkloadDefinition;
}

/**
 * A workload ready to run. For concurrent workloads call `promptForStream(stream, batch)` with the
 * batch size: the prompt names both, so no stream reuses a prompt cached by an earlier batch
 * (without `batch` the largest batch size is assumed).
 */
export type WorkloadPlan = RunnableWorkload & PlanInfo;

export interface LoadedSuite {
  version: string;
  /** See digest.ts for the exact definition. */
  digest: string;
  dir: string;
  definition: SuiteDefinition;
  /** Workloads in suite order, full size (selectWorkloads applies --quick). */
  workloads: WorkloadPlan[];
}

export interface LoadOptions {
  /** Folder holding the suite folders; tests point it at a copy. */
  root?: string;
  /**
   * Folder of suites downloaded by `llm-speed self-update` (see suite-update/user-dir.ts), searched
   * after `root`. Defaults to the user suites folder when `root` is defaulted too, and to none when
   * a test passes its own `root`; false turns it off.
   */
  userRoot?: string | false;
}

function versionsIn(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && VERSION_PATTERN.test(e.name) && existsSync(join(root, e.name, SUITE_FILE)))
    .map((e) => e.name);
}

// --- user suites folder (self-update): shipped versions win over downloaded ones of the same name.
function userRootOf(options: LoadOptions): string | undefined {
  if (options.userRoot === false) return undefined;
  if (options.userRoot !== undefined) return options.userRoot;
  return options.root === undefined ? userSuitesDir(process.env) : undefined;
}

/** The folder holding `version`: the shipped root first, then the user suites folder. */
function locate(version: string, options: LoadOptions): { dir: string; downloaded: boolean } | undefined {
  const root = options.root ?? SUITES_ROOT;
  if (versionsIn(root).includes(version)) return { dir: join(root, version), downloaded: false };
  const user = userRootOf(options);
  if (user !== undefined && versionsIn(user).includes(version)) return { dir: join(user, version), downloaded: true };
  return undefined;
}
// --- end user suites folder

/** Suite versions available in this installation (shipped and downloaded by self-update), sorted. */
export function availableSuites(options: LoadOptions = {}): string[] {
  const user = userRootOf(options);
  const all = new Set([...versionsIn(options.root ?? SUITES_ROOT), ...(user !== undefined ? versionsIn(user) : [])]);
  return [...all].sort();
}

function broken(version: string, problem: string): LlmSpeedError {
  return new LlmSpeedError('suite', `${version} ${problem}; reinstall llm-speed`, {
    suggestions: ['reinstall llm-speed (npm install -g llm-speed), which restores the suite files it was released with'],
  });
}

export function loadSuite(version: string = DEFAULT_SUITE, options: LoadOptions = {}): LoadedSuite {
  const found = VERSION_PATTERN.test(version) ? locate(version, options) : undefined;
  if (found === undefined) {
    const known = availableSuites(options);
    throw new UsageError(`unknown suite "${version}"; this llm-speed ships ${known.join(', ') || 'no suites'}`, [
      `use --suite ${DEFAULT_SUITE}, the suite this release is pinned to`,
      'run `llm-speed self-update` to download newer suite versions',
    ]);
  }
  if (!found.downloaded) return loadSuiteFrom(found.dir, version);
  try {
    return loadSuiteFrom(found.dir, version);
  } catch (error) {
    // Reinstalling the CLI does not repair a downloaded suite; downloading it again does.
    if (error instanceof LlmSpeedError && error.code === 'suite') {
      throw new LlmSpeedError('suite', `${error.message.replace(/; reinstall llm-speed$/, '')} (downloaded to ${found.dir})`, {
        suggestions: [`delete ${found.dir} and run \`llm-speed self-update\` to download it again`],
      });
    }
    throw error;
  }
}

/** A suite file's bytes; one that cannot be read (a folder, no permission) is a broken suite, said so. */
function readSuiteFile(version: string, path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw broken(version, `${what} cannot be read (${(error as Error).message})`);
  }
}

function loadSuiteFrom(dir: string, version: string): LoadedSuite {
  const suiteBytes = readSuiteFile(version, join(dir, SUITE_FILE), SUITE_FILE);
  let definition: SuiteDefinition;
  try {
    definition = JSON.parse(suiteBytes.toString('utf8')) as SuiteDefinition;
  } catch (error) {
    throw broken(version, `${SUITE_FILE} is not valid JSON (${(error as Error).message})`);
  }
  const problems = check('suite', definition);
  if (problems.length > 0) throw broken(version, `${SUITE_FILE} does not match suite.schema.json: ${problems.join('; ')}`);
  if (definition.suite_version !== version) {
    throw broken(version, `${SUITE_FILE} names itself ${definition.suite_version}`);
  }
  checkReferences(version, definition);

  const fixtures = new Map<string, string>();
  for (const [name, pinned] of Object.entries(definition.fixtures)) {
    const path = join(dir, 'fixtures', name);
    if (name.includes('/') || name.includes('\\') || !existsSync(path)) throw broken(version, `fixture ${name} is missing`);
    const bytes = readSuiteFile(version, path, `fixture ${name}`);
    if (sha256Hex(bytes) !== pinned) throw broken(version, `fixture ${name} does not match its pinned digest`);
    fixtures.set(name, bytes.toString('utf8'));
  }
  const digest = suiteDigest(sha256Hex(suiteBytes), definition.fixtures);
  const text = (name: string) => fixtures.get(name) as string; // checkReferences made sure it is there
  const workloads = definition.workloads.map((w) => materialise(version, w, text));
  return { version, digest, dir, definition, workloads };
}

/** Every name the suite refers to exists, and each kind has the fields it needs. */
function checkReferences(version: string, s: SuiteDefinition): void {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const w of s.workloads) {
    if (ids.has(w.id) || ids.has(w.name)) problems.push(`workload ${w.id} ${w.name} is defined twice`);
    ids.add(w.id).add(w.name);
    const named = [w.prompt_fixture, w.trace_fixture, ...(w.filler_fixtures ?? [])].filter((f): f is string => f !== undefined);
    for (const f of named) if (!(f in s.fixtures)) problems.push(`${w.id} names fixture ${f}, which is not pinned in "fixtures"`);
    const needs: Record<WorkloadDefinition['kind'], Array<keyof WorkloadDefinition>> = {
      single: ['prompt_fixture'],
      concurrent: ['prompt_fixture', 'batch_sizes', 'stream_header'],
      'context-tiers': ['filler_fixtures', 'context_tiers', 'tier_header'],
      'agent-trace': ['trace_fixture'],
    };
    for (const field of needs[w.kind]) if (w[field] === undefined) problems.push(`${w.id} (${w.kind}) has no ${field}`);
    if (w.batch_sizes?.length === 0) problems.push(`${w.id} has no batch sizes`);
  }
  for (const ref of [...s.default_workloads, ...(s.quick?.workloads ?? [])]) {
    if (!s.workloads.some((w) => w.id === ref || w.name === ref)) problems.push(`"${ref}" is listed to run but not defined`);
  }
  if (problems.length > 0) throw broken(version, `${SUITE_FILE} is inconsistent: ${problems.join('; ')}`);
}

function materialise(version: string, w: WorkloadDefinition, text: (name: string) => string): WorkloadPlan {
  const info: PlanInfo = {
    title: w.title,
    optIn: w.opt_in ?? false,
    nominalPromptTokens: w.nominal_prompt_tokens,
    referenceTokens: w.reference_tokens,
    definition: w,
  };
  const base = { id: w.id, name: w.name, outputTokens: w.output_tokens, ...info };
  switch (w.kind) {
    case 'single':
      return { ...base, kind: 'single', prompt: text(w.prompt_fixture as string) };
    case 'concurrent': {
      const batchSizes = w.batch_sizes as number[];
      const header = w.stream_header as string;
      const shared = text(w.prompt_fixture as string);
      const largest = Math.max(...batchSizes);
      return {
        ...base,
        kind: 'concurrent',
        batchSizes,
        promptForStream: (stream: number, batch: number = largest) => streamPrompt(header, shared, stream, batch),
      };
    }
    case 'context-tiers': {
      const fillers = w.filler_fixtures as string[];
      for (const f of fillers) {
        // chars counts characters; the suite promises they are bytes too, so a cut is byte-exact.
        if (/[^\p{ASCII}]/u.test(text(f))) throw broken(version, `filler fixture ${f} is not ASCII`);
      }
      const unit = fillerUnit(fillers.map(text));
      const header = w.tier_header as string;
      return {
        ...base,
        kind: 'context-tiers',
        tiers: (w.context_tiers ?? []).map((tier) => ({
          contextTokens: tier.context_tokens,
          referenceTokens: tier.reference_tokens,
          chars: tier.chars,
          // Lazily: a 128k-token tier is half a megabyte, built only when that tier runs.
          prompt: () => tierPrompt(fillTemplate(header, { context_tokens: tier.context_tokens }), unit, tier.chars),
        })),
      };
    }
    case 'agent-trace': {
      const name = w.trace_fixture as string;
      let trace: AgentTrace;
      try {
        trace = JSON.parse(text(name)) as AgentTrace;
      } catch (error) {
        throw broken(version, `fixture ${name} is not valid JSON (${(error as Error).message})`);
      }
      const problems = check('suite', trace, 'AgentTrace');
      if (problems.length > 0) throw broken(version, `fixture ${name} is not an agent trace: ${problems.join('; ')}`);
      return { ...base, kind: 'agent-trace', turns: traceTurns(trace) };
    }
  }
}
