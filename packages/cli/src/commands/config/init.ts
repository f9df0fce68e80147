import { Args, Flags } from '@oclif/core';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BaseCommand } from '../../cli/base-command.js';
import { EXAMPLE_CONFIG_FILE, LlmSpeedError, exampleConfig, loadConfigFile } from '@llm-speed/framework';

export default class ConfigInit extends BaseCommand {
  static summary = 'Write a commented example config file (llm-speed.config.yaml) with every key.';
  static description = `Every key the config file takes, each with what it does, its LLM_SPEED_* variable and its flag, and an example value, all commented out: the file changes nothing until you uncomment a line. Plugin settings go in a drivers section, one entry per driver (drivers: { openai-compat: { base_url: ... } }). A flag wins over the environment, which wins over the file.`;
  static examples = ['<%= config.bin %> config init', '<%= config.bin %> config init ~/bench/llm-speed.config.yaml', '<%= config.bin %> config init --print'];
  static enableJsonFlag = true;
  static args = { file: Args.string({ description: `Where to write it (default: ${EXAMPLE_CONFIG_FILE} in the current folder).` }) };
  static flags = {
    print: Flags.boolean({ description: 'Print the example to stdout instead of writing a file.' }),
    force: Flags.boolean({ description: 'Overwrite the file if it exists.' }),
  };

  async run(): Promise<{ path: string | null; written: boolean }> {
    const { args, flags } = await this.parse(ConfigInit);
    const text = exampleConfig();
    if (flags.print) {
      if (!this.jsonEnabled()) process.stdout.write(text);
      return { path: null, written: false };
    }
    const path = resolve(args.file ?? EXAMPLE_CONFIG_FILE);
    if (existsSync(path) && !flags.force) {
      throw new LlmSpeedError('config', `${path} exists; nothing was written`, { suggestions: ['Pass --force to overwrite it, or name another file.'] });
    }
    await writeFile(path, text);
    if (!this.jsonEnabled()) {
      this.log(`wrote ${path}: every key, commented out; uncomment what you need.`);
      this.log(`check it with: llm-speed validate ${path}`);
      // cosmiconfig reads the first file it finds: say so when another one shadows this one.
      const found = await loadConfigFile({ cwd: dirname(path) }).catch(() => undefined);
      if (found?.path && resolve(found.path) !== path) this.logToStderr(`note: in ${dirname(path)}, ${found.path} is read instead of this file; remove it or pass --config ${path}`);
    }
    return { path, written: true };
  }
}
