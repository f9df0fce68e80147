import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { resolveSettings } from '@llm-speed/framework';
import { errorMessage } from '@llm-speed/framework';
import { verifyRun } from '@llm-speed/framework';
import { PUBLIC_API_URL, readRunSource, resolveRunSource, type RunSource } from '@llm-speed/framework';

/** What verify-run answers (--json prints it): valid true/false, or null with an error when it could not check. */
export interface RunVerdict {
  source: string;
  valid: boolean | null;
  reason?: string;
  public_key?: string;
  error?: string;
}

export default class VerifyRun extends BaseCommand {
  static summary = 'Check the Ed25519 signature of a saved or published run.';
  static description = `RUN is a local run file, a run id (r_…), a permalink (https://llm-speed.com/r/<id>) or the stored-JSON URL. The stored JSON is re-canonicalised (RFC 8785, without signature and public_key) and the signature is checked against the embedded public key.
Exit status: 0 valid, 1 invalid (the bytes were changed after signing), 2 could not check (not found, network, not JSON); with --json the verdict is printed as data either way.`;
  static examples = [
    '<%= config.bin %> verify-run https://llm-speed.com/r/r_g4ph40ae0e1',
    '<%= config.bin %> verify-run r_g4ph40ae0e1 --json',
    '<%= config.bin %> verify-run ~/.cache/llm-speed/runs/2026-05-01T10-00-00.000Z-a1b2c3d4e5f60708.json',
  ];
  static enableJsonFlag = true;
  static args = { run: Args.string({ description: 'Run file, run id, or permalink.', required: true }) };
  static flags = {
    'api-url': Flags.string({ description: `Results server for run ids (default: api_url from LLM_SPEED_API_URL or the config file, else ${PUBLIC_API_URL}).` }),
  };

  async run(): Promise<RunVerdict> {
    const { args, flags } = await this.parse(VerifyRun);
    let source: RunSource | undefined;
    let verdict: RunVerdict;
    try {
      // flag > LLM_SPEED_API_URL > config file, like every command that talks to the results server.
      const { settings } = await resolveSettings({ flags: { api_url: flags['api-url'] } });
      source = resolveRunSource(args.run, { apiUrl: settings.api_url });
      const run = await readRunSource(source);
      const checked = await verifyRun(run);
      verdict = { source: where(source), ...checked, ...(checked.valid ? { public_key: (run as { public_key: string }).public_key } : {}) };
    } catch (error) {
      verdict = { source: source ? where(source) : args.run, valid: null, error: errorMessage(error) };
    }
    if (!this.jsonEnabled()) {
      if (verdict.valid === null) this.logToStderr(`could not check ${args.run}: ${verdict.error}`);
      else if (verdict.valid) this.log(`valid: the signature verifies against public key ${verdict.public_key}`);
      else this.log(`INVALID: ${verdict.reason}`);
    }
    process.exitCode = verdict.valid === null ? 2 : verdict.valid ? 0 : 1;
    return verdict;
  }
}

function where(source: RunSource): string {
  return source.kind === 'file' ? source.path : source.url;
}
