import { Flags } from '@oclif/core';
import { backendFlags, backendSettings, configurationFlags, driverFlagSettings } from '../cli/backend-flags.js';
import { BaseCommand } from '../cli/base-command.js';
import { resolveSettings } from '@llm-speed/framework';
import { detectDrivers } from '@llm-speed/framework';
import { listModels } from '@llm-speed/framework';
import { UsageError, errorMessage } from '@llm-speed/framework';
import type { ModelInfo } from '@llm-speed/framework';

interface BackendModels {
  backend: string;
  available: boolean;
  reason?: string;
  models: ModelInfo[];
}

export default class ListModels extends BaseCommand {
  static summary = 'List the models each available backend can run, with quant and digest where known.';
  static description = `For each backend: the models \`llm-speed bench --model\` accepts (a GGUF file, an ollama tag, a hub id, a served model), with size, quant and digest where the backend says, or why the backend is skipped. llama.cpp always lists its default synthetic reference model: \`bench\` generates it on first use. --json prints the same as data.`;
  static examples = ['<%= config.bin %> list-models', '<%= config.bin %> list-models --backend llama.cpp --json'];
  static enableJsonFlag = true;
  static flags = {
    backend: Flags.string({ description: 'Only this backend (as named by `llm-speed detect`).', env: 'LLM_SPEED_BACKEND' }),
    ...backendFlags,
    ...configurationFlags,
  };

  async run(): Promise<BackendModels[]> {
    const { flags } = await this.parse(ListModels);
    const { settings } = await resolveSettings({ flags: { backend: flags.backend, ...backendSettings(flags) }, configFile: flags.config });
    const ctx = this.driverContext(settings);
    let detected = await detectDrivers(await this.discover(), ctx, { driverFlags: driverFlagSettings(flags) });
    if (settings.backend) {
      detected = detected.filter((d) => d.detection.name.toLowerCase() === settings.backend!.toLowerCase());
      if (detected.length === 0) throw new UsageError(`unknown backend "${settings.backend}"`, ['Run `llm-speed detect` to see installed backends.']);
    }
    const out: BackendModels[] = [];
    for (const d of detected) {
      const { driver, detection } = d;
      if (!detection.available) {
        out.push({ backend: detection.name, available: false, reason: detection.reason, models: [] });
        continue;
      }
      try {
        out.push({ backend: detection.name, available: true, models: await listModels(driver, d.context ?? ctx) });
      } catch (error) {
        out.push({ backend: detection.name, available: true, reason: errorMessage(error), models: [] });
      }
    }
    if (!this.jsonEnabled()) {
      for (const b of out) {
        this.log(`${b.backend}${b.available ? '' : ` (skipped: ${b.reason})`}`);
        if (b.available && b.models.length === 0) this.log(`  no models found${b.reason ? `: ${b.reason}` : ''}`);
        for (const m of b.models) {
          const details = [m.size, m.quant, m.digest ? `sha256:${m.digest.slice(0, 12)}…` : undefined, m.synthetic ? 'synthetic' : undefined].filter(Boolean);
          this.log(`  ${m.identifier}${details.length ? `  (${details.join(', ')})` : ''}${m.note ? ` — ${m.note}` : ''}`);
        }
      }
    }
    return out;
  }
}
