import { Flags } from '@oclif/core';
import { EngineCommand, mb } from '../../engine/command.js';
import { removeEngines } from '../../engine/store.js';

export default class EngineRemove extends EngineCommand {
  static summary = "Delete the embedded engine's installed GPU builds and free their space; the engine runs on the CPU again.";
  static description = `Deletes the folders \`llm-speed engine install\` made under llm-speed's data folder (an unfinished install too) and says how much space was freed. Nothing else is touched: llama-server builds in the cache stay.`;
  static examples = ['<%= config.bin %> engine remove', '<%= config.bin %> engine remove --node-llama-cpp 3.22.1'];
  static enableJsonFlag = true;
  static flags = {
    'node-llama-cpp': Flags.string({ description: 'Remove only the build for this node-llama-cpp version (default: every installed build).', helpValue: 'VERSION' }),
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(EngineRemove);
    const removed = await removeEngines(flags['node-llama-cpp']);
    const freed = removed.reduce((s, e) => s + e.bytes, 0);
    this.log(removed.length === 0 ? 'nothing installed: nothing removed' : `removed ${removed.map((e) => `${e.gpu} (node-llama-cpp ${e.nodeLlamaCppVersion})`).join(', ')}: ${mb(freed)} freed`);
    return { removed: removed.map((e) => ({ gpu: e.gpu, node_llama_cpp: e.nodeLlamaCppVersion, folder: e.folder, bytes: e.bytes })), freed_bytes: freed };
  }
}
