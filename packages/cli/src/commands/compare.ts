import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { resolveSettings } from '@llm-speed/framework';
import { UsageError } from '@llm-speed/framework';
import {
  COMPARED_METRICS,
  GATED_METRICS,
  compareRuns,
  loadRuns,
  parseGateMetrics,
  parseThreshold,
  PUBLIC_API_URL,
  renderComparison,
  renderComparisonMarkdown,
  type Comparison,
} from '@llm-speed/framework';

export const DEFAULT_API_URL = PUBLIC_API_URL;

export default class Compare extends BaseCommand {
  static summary = 'Compare saved or published runs side by side: each figure with its interval, each run against the first, "within noise" or a Δ % with its interval.';
  static description = `Each RUN is a local run file, a run id (r_…) or a permalink; columns are named by run id or file name. Every figure is the median of its repetitions ± half its 95 % confidence interval. Each later run is set against the first: "within noise" when the two intervals overlap, else the Δ % with its interval [lowest candidate ÷ highest baseline − 1, highest ÷ lowest − 1] (METHODOLOGY §6.1). Runs measured as single repetitions (older CLIs, --quick) have no interval: their Δ says "n = 1, noise unknown".

A Δ is given only where two results measured the same work: the same suite version and workload, the same size (a --quick run is never set against a full one), W4 served the same way, and neither failed, interrupted, warm-cache, or with figures its own backend's clock contradicts. The table marks every other pair NOT COMPARABLE in its standing row, with the reason under the table; runs in different groups (model, backend, engine, build, hardware) are compared and marked "other group". Whether each run could be ranked on a board (the rule the results server ranks by) is noted under the table; --json has all of it per workload under "comparability".

Regression gate: --fail-on-regression PCT compares exactly two runs, a baseline and a candidate, and fails when a figure of the candidate got worse by more than PCT % beyond the noise: for a rate (tok/s) when even the upper end of the Δ interval is below −PCT %, for a time (TTFT, per-token latency) when even its lower end is above +PCT %. A single measurement counts as its point. A workload that failed in the candidate fails the gate; a baseline workload the candidate lacks, or measured differently, cannot be judged (exit 3).

Exit codes: 0 compared (with the gate: no regression); 1 a regression beyond the noise (or a run could not be read: the message says which); 2 usage error (a bad threshold, metric or run reference, fewer than two runs, more than two with the gate); 3 with the gate: nothing regressed, but a workload of the baseline could not be judged.`;
  static examples = [
    '<%= config.bin %> compare ~/.cache/llm-speed/runs/a.json ~/.cache/llm-speed/runs/b.json',
    '<%= config.bin %> compare r_g4ph40ae0e1 r_akcbpx5vcqa --json',
    '<%= config.bin %> compare baseline.json candidate.json --fail-on-regression 5',
    '<%= config.bin %> compare baseline.json candidate.json --fail-on-regression 5 --metric decode_tps --markdown >> "$GITHUB_STEP_SUMMARY"',
  ];
  static strict = false;
  static enableJsonFlag = true;
  static args = { run: Args.string({ description: 'Runs to compare (two or more): files, run ids or permalinks; the first is the baseline.', required: true }) };
  static flags = {
    'api-url': Flags.string({ description: 'Results server for run ids and permalinks.', env: 'LLM_SPEED_API_URL' }),
    'fail-on-regression': Flags.string({
      description: 'Regression gate: exit 1 when a figure of the second run got worse than the first by more than PCT % beyond the noise (0 ≤ PCT < 100).',
      helpValue: 'PCT',
    }),
    metric: Flags.string({
      description: `Metrics the gate judges (default: ${GATED_METRICS.join(', ')}; also: ${COMPARED_METRICS.filter((m) => !(GATED_METRICS as readonly string[]).includes(m)).join(', ')}).`,
      multiple: true,
      delimiter: ',',
      dependsOn: ['fail-on-regression'],
    }),
    markdown: Flags.boolean({ description: 'Print the table as GitHub-flavoured Markdown (for a CI job summary).', exclusive: ['json'] }),
  };

  async run(): Promise<Comparison> {
    const { argv, flags } = await this.parse(Compare);
    const refs = argv as string[];
    if (refs.length < 2) throw new UsageError('compare needs at least two runs', ['llm-speed compare <run> <run> [...]']);
    const threshold = flags['fail-on-regression'] === undefined ? undefined : parseThreshold(flags['fail-on-regression']);
    const gateMetrics = parseGateMetrics(flags.metric);
    if (threshold !== undefined && refs.length !== 2) {
      throw new UsageError(`--fail-on-regression compares exactly two runs, a baseline and a candidate; got ${refs.length}`, ['llm-speed compare <baseline> <candidate> --fail-on-regression 5']);
    }
    const { settings } = await resolveSettings({ flags: { api_url: flags['api-url'] } });
    // No default API here: a self-hosted permalink is read from its own server.
    const runs = await loadRuns(refs, settings.api_url);
    const comparison = compareRuns(runs, { failOnRegressionPct: threshold, gateMetrics });
    if (flags.markdown) this.log(renderComparisonMarkdown(comparison));
    else if (!this.jsonEnabled()) this.log(renderComparison(comparison, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR));
    // Set, not thrown: --json still prints the comparison, gate and all, before the exit code says it failed.
    if (comparison.gate && comparison.gate.exit_code !== 0) process.exitCode = comparison.gate.exit_code;
    return comparison;
  }
}
