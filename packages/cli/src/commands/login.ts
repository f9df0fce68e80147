import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { resolveSettings } from '@llm-speed/framework';
import type { LlmSpeedConfig } from '@llm-speed/framework';
import { loginWithDeviceFlow, refuseStrictAnon, type LoginRecord } from '@llm-speed/framework';
import { configDir } from '@llm-speed/framework';
import { DEFAULT_API_URL } from './compare.js';

export default class Login extends BaseCommand {
  static summary = "Link this machine's signing key to your GitHub profile (device flow).";
  static description =
    "Starts GitHub's device flow through the results server: open the printed address, enter the code, and future default-mode runs signed with this machine's persistent key show up as yours. Refused in --strict-anon mode, whose runs must never be linked to a person.";
  static examples = ['<%= config.bin %> login', '<%= config.bin %> login --api-url http://127.0.0.1:8787'];
  static enableJsonFlag = true;
  static flags = {
    'api-url': Flags.string({ description: `Results server (default ${DEFAULT_API_URL}).` }),
    'strict-anon': Flags.boolean({ description: 'Only here so a strict-anon invocation is refused with a clear message.' }),
  };

  async run(): Promise<LoginRecord> {
    const { flags } = await this.parse(Login);
    const modeFlag: LlmSpeedConfig['mode'] = flags['strict-anon'] ? 'strict-anon' : undefined;
    const { settings } = await resolveSettings({ flags: { mode: modeFlag, api_url: flags['api-url'] } });
    refuseStrictAnon(settings.mode);
    const record = await loginWithDeviceFlow({
      apiUrl: settings.api_url ?? DEFAULT_API_URL,
      configDir: settings.config_dir ?? configDir(process.env),
      mode: settings.mode,
      signal: this.abort.signal,
      print: (line) => this.logToStderr(line),
    });
    if (!this.jsonEnabled()) this.log(`Logged in as ${record.login}; future default-mode runs signed with this machine's key are linked to your profile.`);
    return record;
  }
}
