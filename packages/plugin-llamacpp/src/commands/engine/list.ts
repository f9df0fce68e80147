import { nodeLlamaCppVersion } from '../../embedded/session.js';
import { EngineCommand, mb } from '../../engine/command.js';
import { engineBuilds } from '../../engine/packages.js';
import { enginesRoot, installedEngines } from '../../engine/store.js';

export default class EngineList extends EngineCommand {
  static summary = "Show the embedded engine's GPU builds: installed (with their size on disk) and available for this platform.";
  static description = `Installed builds live in llm-speed's data folder (LLM_SPEED_DATA_DIR, default ~/.local/share/llm-speed/engines), one folder per node-llama-cpp version; only the one matching the installed node-llama-cpp is used. Available builds are node-llama-cpp's own packages for this platform, with their download size; \`llm-speed engine install --gpu <gpu>\` fetches one.`;
  static examples = ['<%= config.bin %> engine list', '<%= config.bin %> engine list --json'];
  static enableJsonFlag = true;

  async run(): Promise<unknown> {
    await this.parse(EngineList);
    const version = await nodeLlamaCppVersion();
    const installed = await installedEngines();
    const available = engineBuilds().map((b) => ({
      gpu: b.gpu,
      packages: b.packages.map((p) => p.name),
      download_bytes: b.packages.reduce((s, p) => s + (p.tarballBytes ?? 0), 0) || null,
      needs: b.needs,
    }));
    if (!this.jsonEnabled()) {
      this.log(`installed in ${enginesRoot()}:`);
      if (installed.length === 0) this.log('  none (the embedded engine runs on the CPU)');
      for (const e of installed)
        this.log(`  ${e.gpu.padEnd(7)} node-llama-cpp ${e.nodeLlamaCppVersion}${e.nodeLlamaCppVersion === version ? '' : ' (not this version: unused)'}  ${mb(e.bytes)}  ${e.folder}`);
      this.log(`available for ${process.platform}-${process.arch} (node-llama-cpp ${version}):`);
      if (available.length === 0) this.log(process.platform === 'darwin' && process.arch === 'arm64' ? '  metal: ships with llm-speed' : '  none');
      for (const a of available) this.log(`  ${a.gpu.padEnd(7)} ${a.download_bytes ? `${mb(a.download_bytes)} download` : ''}  needs ${a.needs}  (llm-speed engine install --gpu ${a.gpu})`);
    }
    return { node_llama_cpp: version, installed: installed.map((e) => ({ gpu: e.gpu, node_llama_cpp: e.nodeLlamaCppVersion, folder: e.folder, bytes: e.bytes, packages: e.packages })), available };
  }
}
