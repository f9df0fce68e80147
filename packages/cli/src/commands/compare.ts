import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { resolveSettings } from '@llm-speed/framework';
import { UsageError } from '@llm-speed/framework';
import { compareRuns, loadRunRef, PUBLIC_API_URL, renderComparison, type Comparison } from '@llm-speed/framework';

export const DEFAULT_API_URL = PUBLIC_API_URL;

export default class Compare extends BaseCommand {
  static summary = 'Compare saved or published runs side by side, per workload and metric, with % differences.';
  static description =
    'Each RUN is a local run file, a run id (r_…) or a permalink. Figures are always shown, but a workload whose runs are in different groups (suite version, model, backend, engine, build, hardware), or that a run may not be compared on (quick, interrupted, short output, warm cache, failed, serial W4), carries a warning saying why: the rule the results server ranks by (METHODOLOGY §6.1). --json has it per workload under "comparability".';
  static examples = ['<%= config.bin %> compare ~/.cache/llm-speed/runs/a.json ~/.cache/llm-speed/runs/b.json', '<%= config.bin %> compare r_g4ph40ae0e1 r_akcbpx5vcqa --json'];
  static strict = false;
  static enableJsonFlag = true;
  static args = { run: Args.string({ description: 'Runs to compare (two or more).', required: true }) };
  static flags = {
    'api-url': Flags.string({ description: 'Results server for run ids and permalinks.', env: 'LLM_SPEED_API_URL' }),
  };

  async run(): Promise<Comparison> {
    const { argv, flags } = await this.parse(Compare);
    const refs = argv as string[];
    if (refs.length < 2) throw new UsageError('compare needs at least two runs', ['llm-speed compare <run> <run> [...]']);
    const { settings } = await resolveSettings({ flags: { api_url: flags['api-url'] } });
    // No default API here: a self-hosted permalink is read from its own server.
    const runs = await Promise.all(refs.map((r) => loadRunRef(r, settings.api_url)));
    const comparison = compareRuns(runs);
    if (!this.jsonEnabled()) {
      // Printed as they are: oclif's warn() wraps long lines with ` ›   ` prefixes, cutting paths in two.
      for (const w of comparison.warnings) this.logToStderr(`warning: ${w}`);
      this.log(renderComparison({ ...comparison, warnings: [] }, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR));
    }
    return comparison;
  }
}
