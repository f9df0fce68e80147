import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { SCHEMA_ALIASES, validateFile, type FileVerdict } from '@llm-speed/framework';

export default class Validate extends BaseCommand {
  static summary = 'Validate result, run, config or suite files against the llm-speed JSON Schemas.';
  static description = 'For CI pipelines: exit 0 when every file is valid, 1 otherwise, with one line per problem. Without --schema the schema is guessed from each file (a run has fingerprint + results, a result has workload + decode_tps, a suite has workloads + fixtures, anything else is read as a config).';
  static examples = ['<%= config.bin %> validate run.json', '<%= config.bin %> validate llm-speed.config.json --schema config', '<%= config.bin %> validate a.json b.json --json'];
  static strict = false;
  static enableJsonFlag = true;
  static args = { file: Args.string({ description: 'Files to validate.', required: true }) };
  static flags = {
    schema: Flags.string({ description: 'Schema to validate against.', options: Object.keys(SCHEMA_ALIASES) }),
  };

  async run(): Promise<FileVerdict[]> {
    const { argv, flags } = await this.parse(Validate);
    const schema = flags.schema ? SCHEMA_ALIASES[flags.schema] : undefined;
    const verdicts = await Promise.all((argv as string[]).map((f) => validateFile(f, schema)));
    if (!this.jsonEnabled()) {
      for (const v of verdicts) {
        if (v.valid) this.log(`${v.file}: valid ${v.schema}`);
        else for (const e of v.errors) this.log(`${v.file}: ${v.schema ?? 'unknown'}: ${e}`);
      }
    }
    if (verdicts.some((v) => !v.valid)) process.exitCode = 1;
    return verdicts;
  }
}
