import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { resolveSettings } from '@llm-speed/framework';
import { errorMessage } from '@llm-speed/framework';
import { verifyRun } from '@llm-speed/framework';
import { PUBLIC_API_URL, readRunSource, resolveRunSource, type RunSource } from '@llm-speed/framework';

export default class VerifyRun extends BaseCommand {
  static summary = 'Check the Ed25519 signature of a saved or published run.';
  static description = `RUN is a local run file, a run id (r_…), a permalink (https://llm-speed.com/r/<id>) or the stored-JSON URL. The stored JSON is re-canonicalised (RFC 8785, without signature and public_key) and the signature is checked against the embedded public key.
Exit status: 0 valid, 1 invalid (the bytes were changed after signing), 2 could not check (not found, network, not JSON).`;
  static examples = [
    '<%= config.bin %> verify-run https://llm-speed.com/r/r_g4ph40ae0e1',
    '<%= config.bin %> verify-run r_g4ph40ae0e1 --json',
    '<%= config.bin %> verify-run ~/.cache/llm-speed/runs/2026-05-01T10-00-00.000Z-a1b2c3d4e5f60708.json',
  ];
  static args = { run: Args.string({ description: 'Run file, run id, or permalink.', required: true }) };
  static flags = {
    'api-url': Flags.string({ description: `Results server for run ids (default: api_url from LLM_SPEED_API_URL or the config file, else ${PUBLIC_API_URL}).` }),
    json: Flags.boolean({ description: 'Print the verdict as JSON.' }),
  };

  // this.exit(n) throws oclif's ExitError; pass it through untouched so the exit code stays n.
  protected async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error.oclif?.exit !== undefined && (error as { code?: string }).code === 'EEXIT') throw error;
    return super.catch(error);
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(VerifyRun);
    let source: RunSource | undefined;
    let verdict: { valid: boolean; reason?: string; public_key?: string };
    try {
      // flag > LLM_SPEED_API_URL > config file, like every command that talks to the results server.
      const { settings } = await resolveSettings({ flags: { api_url: flags['api-url'] } });
      source = resolveRunSource(args.run, { apiUrl: settings.api_url });
      const run = await readRunSource(source);
      verdict = await verifyRun(run);
      if (verdict.valid) verdict.public_key = (run as { public_key: string }).public_key;
    } catch (error) {
      const where = source ? (source.kind === 'file' ? source.path : source.url) : args.run;
      if (flags.json) this.log(JSON.stringify({ source: where, valid: null, error: errorMessage(error) }, null, 2));
      else this.logToStderr(`could not check ${args.run}: ${errorMessage(error)}`);
      this.exit(2);
    }
    const where = source.kind === 'file' ? source.path : source.url;
    if (flags.json) this.log(JSON.stringify({ source: where, ...verdict }, null, 2));
    else if (verdict.valid) this.log(`valid: the signature verifies against public key ${verdict.public_key}`);
    else this.log(`INVALID: ${verdict.reason}`);
    if (!verdict.valid) this.exit(1);
  }
}
