import { backendFlags, backendSettings, configurationFlags, driverFlagSettings } from '../cli/backend-flags.js';
import { BaseCommand } from '../cli/base-command.js';
import { resolveSettings } from '@llm-speed/framework';
import { detectReport } from '@llm-speed/framework';
import { renderDetectReport } from '@llm-speed/framework';

export default class Detect extends BaseCommand {
  static summary = 'Print the coarse hardware fingerprint and which inference backends are available.';
  static description = `Shows exactly the hardware fields an upload would carry (see PRIVACY: major OS version, CPU, RAM and VRAM rounded to 8 GB, no serials, no hostnames) and every installed driver plugin: detected with its version, or skipped with the reason.`;
  static examples = ['<%= config.bin %> detect', '<%= config.bin %> detect --json'];
  static enableJsonFlag = true;
  static flags = {
    ...backendFlags,
    ...configurationFlags,
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Detect);
    const { settings } = await resolveSettings({ flags: backendSettings(flags), configFile: flags.config });
    const report = await detectReport(await this.discover(), this.driverContext(settings), { driverFlags: driverFlagSettings(flags) });
    if (!this.jsonEnabled()) this.log(renderDetectReport(report));
    return report;
  }
}
