import { BaseCommand } from '../cli/base-command.js';
import { provenance, type Provenance } from '@llm-speed/framework';

export default class Verify extends BaseCommand {
  static summary = "Print the installed CLI's dependency-tree hash, build commit and version.";
  static description = `Compare these with the release on GitHub to confirm the installed CLI and the open-source tree agree (METHODOLOGY §7.1).
The dependency hash is the SHA-256 of the npm-shrinkwrap.json published with the CLI (or of the package-lock.json of the checkout it runs from); without one, of the sorted name@version lines of the installed dependency tree. The commit comes from the build stamp written when the package was packed (build-info.json), else from git, else "unknown".`;
  static examples = ['<%= config.bin %> verify', '<%= config.bin %> verify --json'];
  static enableJsonFlag = true;

  async run(): Promise<Provenance> {
    await this.parse(Verify);
    // The CLI package, not the framework: its tree holds the framework, the drivers and oclif.
    const info = provenance(this.config.root);
    if (!this.jsonEnabled()) {
      this.log(`version:          ${info.version}`);
      this.log(`commit:           ${info.commit}${info.commit_source === 'unknown' ? '' : ` (from ${info.commit_source})`}`);
      this.log(`dependencies:     sha256 ${info.dependencies_sha256}`);
      this.log(`                  over ${info.dependencies_source}`);
    }
    return info;
  }
}
