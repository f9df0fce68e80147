import { BaseCommand } from '../cli/base-command.js';
import { LlmSpeedError, provenance, standaloneBuild, type Provenance, type StandaloneBuild } from '@llm-speed/framework';

export type VerifyReport = Provenance & { build: 'standalone' | 'npm'; standalone: StandaloneBuild | null };

export default class Verify extends BaseCommand {
  static summary = "Print the installed CLI's dependency-tree hash, build commit and version.";
  static description = `Compare these with the release on GitHub to confirm the installed CLI and the open-source tree agree (METHODOLOGY §7.1).
The dependency hash is the SHA-256 of the npm-shrinkwrap.json published with the CLI (or of the package-lock.json of the checkout it runs from); without one, of the sorted name@version lines of the installed dependency tree. The commit comes from the build stamp written when the package was packed (build-info.json), else from git, else "unknown".
A standalone build (the archive install.sh installs, with its own Node) also says its platform, the Node it carries, the archive's SHA-256 as install.sh checked it, and whether every file still matches the archive's files.sha256; a changed or missing file exits 1.`;
  static examples = ['<%= config.bin %> verify', '<%= config.bin %> verify --json'];
  static enableJsonFlag = true;

  async run(): Promise<VerifyReport> {
    await this.parse(Verify);
    // The CLI package, not the framework: its tree holds the framework, the drivers and oclif.
    const info = provenance(this.config.root);
    const standalone = standaloneBuild(this.config.root);
    const report: VerifyReport = { ...info, build: standalone ? 'standalone' : 'npm', standalone };
    if (!this.jsonEnabled()) {
      this.log(`version:          ${info.version}`);
      this.log(`commit:           ${info.commit}${info.commit_source === 'unknown' ? '' : ` (from ${info.commit_source})`}`);
      this.log(`dependencies:     sha256 ${info.dependencies_sha256}`);
      this.log(`                  over ${info.dependencies_source}`);
      if (standalone) {
        this.log(`build:            standalone ${standalone.target}, Node ${standalone.node_version} (${standalone.node_package}, ${standalone.node_integrity})`);
        this.log(
          `archive:          ${standalone.archive_sha256 ? `sha256 ${standalone.archive_sha256} (checked by install.sh)` : 'not recorded (unpacked by hand): compare files.sha256 with the release'}`,
        );
        this.log(`files:            ${standalone.files_checked - standalone.files_changed.length} of ${standalone.files_checked} match files.sha256`);
      }
    }
    if (standalone && standalone.files_changed.length > 0) {
      const shown = standalone.files_changed.slice(0, 5).join(', ') + (standalone.files_changed.length > 5 ? ', …' : '');
      throw new LlmSpeedError('modified-install', `${standalone.files_changed.length} file(s) of this standalone build differ from its files.sha256: ${shown}`, {
        suggestions: ['Reinstall it with install.sh (or unpack the release archive again) before trusting its results.'],
      });
    }
    return report;
  }
}
