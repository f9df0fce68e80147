import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { DEFAULT_SUITE, availableSuites } from '@llm-speed/framework';
import { manifestUrlFrom, shippedTrustedKeys, updateSuites, type UpdateReport } from '@llm-speed/framework';

export default class SelfUpdate extends BaseCommand {
  static summary = 'Download new suite versions from the signed suite manifest.';
  static description = `Fetches the suite manifest (signed with the project's Ed25519 suite key, whose public half ships with the CLI), verifies it, and installs suite versions this installation does not have into the user suites folder. An unsigned or tampered manifest, or a file whose SHA-256 differs from the signed one, is refused and nothing is written. Installed versions are never changed, so existing results keep their suite; bench still runs ${DEFAULT_SUITE} unless --suite picks another version.`;
  static examples = ['<%= config.bin %> self-update', '<%= config.bin %> self-update --json', '<%= config.bin %> bench --suite suite-v2'];
  static enableJsonFlag = true;
  static flags = {
    'manifest-url': Flags.string({ description: 'Suite manifest to read (default: LLM_SPEED_SUITES_URL, else https://llm-speed.com/suites/manifest.json).' }),
  };

  async run(): Promise<UpdateReport & { available: string[] }> {
    const { flags } = await this.parse(SelfUpdate);
    // The trust root is the shipped key only: no flag or env var may replace it.
    const report = await updateSuites({ manifestUrl: manifestUrlFrom(flags['manifest-url']), trustedKeys: shippedTrustedKeys(), signal: this.abort.signal });
    const available = availableSuites();
    if (!this.jsonEnabled()) {
      for (const v of report.versions) {
        if (v.status === 'installed') this.log(`installed ${v.version} in ${v.dir}`);
        else if (v.status === 'unchanged') this.log(`${v.version}: already installed (${v.where}), unchanged`);
        else this.logToStderr(`refused ${v.version}: ${v.reason}`);
      }
      if (!report.versions.some((v) => v.status === 'installed')) this.log('no new suite versions');
      this.log(`suites available: ${available.join(', ')} (bench runs ${DEFAULT_SUITE} unless --suite says otherwise)`);
    }
    if (report.versions.some((v) => v.status === 'refused')) process.exitCode = 1;
    return { ...report, available };
  }
}
