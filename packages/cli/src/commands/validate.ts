import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { FILE_KINDS, SCHEMA_ALIASES, validateFile, type Driver, type FileVerdict } from '@llm-speed/framework';

export default class Validate extends BaseCommand {
  static summary = 'Validate the files llm-speed writes (runs, their sidecars, config files) and suites against the JSON Schemas.';
  static description = `For CI pipelines: exit 0 when every file is valid, 1 otherwise, with one line per problem. Each line says what the file was taken to be. Without --schema that is told from the name and the shape:
  run          a saved or published run (fingerprint + results)
  run-local    <run>.local.json, the privacy mode --resume needs (never uploaded)
  run-timings  <run>.timings.json, per-token decode intervals (kept locally)
  config       llm-speed.config.yaml/.json, .llm-speedrc (anything not recognised as another kind);
               beyond its schema, what bench would refuse: an unknown suite, workload id,
               backend or drivers section, in bench's own words
  result, suite, driver  a workload result, a suite definition, a driver report`;
  static examples = [
    '<%= config.bin %> validate ~/.cache/llm-speed/runs/*.json',
    '<%= config.bin %> validate llm-speed.config.yaml --schema config',
    '<%= config.bin %> validate a.json b.json --json',
  ];
  static strict = false;
  static enableJsonFlag = true;
  static args = { file: Args.string({ description: 'Files to validate.', required: true }) };
  static flags = {
    schema: Flags.string({ description: 'What every file must be, instead of telling it from the file.', options: Object.keys(SCHEMA_ALIASES) }),
  };

  async run(): Promise<FileVerdict[]> {
    const { argv, flags } = await this.parse(Validate);
    const kind = flags.schema ? SCHEMA_ALIASES[flags.schema] : undefined;
    // The installed drivers, found once and only if a config file needs them: its backends and drivers sections name them.
    let installed: Promise<Driver[]> | undefined;
    const drivers = () => (installed ??= this.discover().then((d) => d.drivers.map((found) => found.driver)));
    const verdicts = await Promise.all((argv as string[]).map((f) => validateFile(f, kind, { drivers })));
    if (!this.jsonEnabled()) {
      for (const v of verdicts) {
        if (v.valid && v.kind) this.log(`${v.file}: valid ${v.kind} (${FILE_KINDS[v.kind].what})`);
        else for (const e of v.errors) this.log(`${v.file}: ${v.kind ?? 'unknown'}: ${e}`);
      }
    }
    if (verdicts.some((v) => !v.valid)) process.exitCode = 1;
    return verdicts;
  }
}
