/**
 * Which workloads an invocation runs: `--workload` names or ids, the suite's defaults, and the
 * `--quick` profile. Each workload appears once, in suite order, however often it was named
 * (METHODOLOGY §6: each workload runs exactly once per invocation).
 */
import { UsageError } from '../errors.js';
import type { LoadedSuite, WorkloadPlan } from './load.js';

export interface SelectOptions {
  /** The smoke-test profile: the suite's `quick` block shortens outputs, batches and turns. */
  quick?: boolean;
}

const label = (w: WorkloadPlan) => `${w.id} ${w.name}`;

function find(suite: LoadedSuite, ref: string): WorkloadPlan | undefined {
  const key = ref.trim().toLowerCase();
  return suite.workloads.find((w) => w.id.toLowerCase() === key || w.name.toLowerCase() === key);
}

/** `requested` may hold names or ids, in any case, also comma-separated ("W1,chat-long"). */
export function selectWorkloads(suite: LoadedSuite, requested?: readonly string[], options: SelectOptions = {}): WorkloadPlan[] {
  const quick = options.quick ? suite.definition.quick : undefined;
  if (options.quick && !quick) throw new UsageError(`${suite.version} has no --quick profile`, ['run without --quick']);
  const refs = (requested ?? [])
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  const explicit = refs.length > 0;
  const names = explicit ? refs : quick ? quick.workloads : suite.definition.default_workloads;

  const unknown = names.filter((n) => !find(suite, n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown workload${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; ${suite.version} has ${suite.workloads.map(label).join(', ')}`, [
      'name workloads by id or name, e.g. --workload W1,chat-long',
    ]);
  }
  const chosen = new Set(names.map((n) => find(suite, n) as WorkloadPlan));
  const plans = suite.workloads.filter((w) => chosen.has(w));

  if (options.quick) {
    const tiers = plans.filter((w) => w.kind === 'context-tiers');
    if (tiers.length > 0) {
      throw new UsageError(`--quick cannot run ${tiers.map(label).join(', ')}: a long-context prompt is the opposite of a smoke test`, [
        `run ${tiers.map((w) => w.name).join(', ')} without --quick`,
        'or drop it from --workload to smoke-test the rest',
      ]);
    }
  }
  return quick ? plans.map((w) => quickPlan(w, quick)) : plans;
}

/** The shortened form of a workload under the --quick profile. */
function quickPlan(w: WorkloadPlan, quick: NonNullable<LoadedSuite['definition']['quick']>): WorkloadPlan {
  const plan = { ...w, outputTokens: Math.min(w.outputTokens, quick.output_tokens) } as WorkloadPlan;
  if (plan.kind === 'concurrent' && quick.batch_sizes) return { ...plan, batchSizes: quick.batch_sizes };
  if (plan.kind === 'agent-trace' && quick.max_turns) return { ...plan, turns: plan.turns.slice(0, quick.max_turns) };
  return plan;
}
