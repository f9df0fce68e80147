import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { resolveSettings } from '../config/resolve.js';
import { detectReport } from '../discovery/report.js';
import { renderDetectReport } from '../output/detect-table.js';

export default class Detect extends BaseCommand {
  static summary = 'Print the coarse hardware fingerprint and which inference backends are available.';
  static description = `Shows exactly the hardware fields an upload would carry (see PRIVACY: major OS version, CPU, RAM and VRAM rounded to 8 GB, no serials, no hostnames) and every installed driver plugin: detected with its version, or skipped with the reason.`;
  static examples = ['<%= config.bin %> detect', '<%= config.bin %> detect --json'];
  static enableJsonFlag = true;
  static flags = {
    config: Flags.string({ description: 'Config file to read settings from (default: search the current folder).' }),
    'llama-cpp-path': Flags.string({ description: 'llama-server binary or the folder holding it.', env: 'LLM_SPEED_LLAMA_CPP_PATH' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Detect);
    const { settings } = await resolveSettings({ flags: { llama_cpp_path: flags['llama-cpp-path'] }, configFile: flags.config });
    const report = await detectReport(await this.discover(), this.driverContext(settings));
    if (!this.jsonEnabled()) this.log(renderDetectReport(report));
    return report;
  }
}
