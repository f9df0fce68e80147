/**
 * macOS `powermetrics` (man powermetrics): it needs root, so it is used only when asked for with
 * `--power-meter powermetrics` and llm-speed runs as root. `--samplers cpu_power,gpu_power -i 100`
 * prints one block per interval, each opening with
 * `*** Sampled system activity (<date>) (<elapsed> ms elapsed) ***` and holding, on Apple silicon,
 * `CPU Power: <n> mW`, `GPU Power: <n> mW`, `ANE Power: <n> mW` and
 * `Combined Power (CPU + GPU + ANE): <n> mW` — each the average over the block's elapsed time.
 * The combined figure is the SoC's (domain `soc`); without it, the CPU's (domain `cpu`).
 */
export const POWERMETRICS_INTERVAL_MS = 100;
export const POWERMETRICS_ARGS = ['--samplers', 'cpu_power,gpu_power', '-i', String(POWERMETRICS_INTERVAL_MS)] as const;

export interface PowermetricsBlock {
  elapsedMs: number;
  watts: number;
  domain: 'soc' | 'cpu';
}

/**
 * Reads powermetrics' output line by line: a block is complete when the next one opens (or, for
 * the last one, when `end()` is called). Blocks without a power line are skipped.
 */
export class PowermetricsParser {
  private elapsed: number | undefined;
  private combined: number | undefined;
  private cpu: number | undefined;

  /** Feeds one line; returns the block it completed, if any. */
  line(text: string): PowermetricsBlock | undefined {
    const open = /^\*\*\* Sampled system activity .*\(([\d.]+)\s*ms elapsed\)\s*\*\*\*/.exec(text);
    if (open) {
      const done = this.end();
      this.elapsed = Number(open[1]);
      return done;
    }
    const combined = /^Combined Power \(CPU \+ GPU(?: \+ ANE)?\):\s*([\d.]+)\s*mW/.exec(text);
    if (combined) this.combined = Number(combined[1]);
    const cpu = /^CPU Power:\s*([\d.]+)\s*mW/.exec(text);
    if (cpu) this.cpu = Number(cpu[1]);
    return undefined;
  }

  end(): PowermetricsBlock | undefined {
    const { elapsed, combined, cpu } = this;
    this.elapsed = this.combined = this.cpu = undefined;
    if (elapsed === undefined || !(elapsed > 0)) return undefined;
    if (combined !== undefined) return { elapsedMs: elapsed, watts: combined / 1000, domain: 'soc' };
    if (cpu !== undefined) return { elapsedMs: elapsed, watts: cpu / 1000, domain: 'cpu' };
    return undefined;
  }
}
