/** What the `engine` commands share: a typed error is said in its own words, with its exit code. */
import { Command, Errors } from '@oclif/core';
import type { LlmSpeedError } from '@llm-speed/framework';

function isLlmSpeedError(error: unknown): error is LlmSpeedError {
  // Duck-typed: the CLI and this plugin may each carry a copy of the framework.
  const e = error as { code?: unknown; suggestions?: unknown; exitCode?: unknown } | null;
  return e !== null && typeof e === 'object' && typeof e.code === 'string' && Array.isArray(e.suggestions) && typeof e.exitCode === 'number';
}

export abstract class EngineCommand extends Command {
  protected async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (isLlmSpeedError(error)) {
      process.stderr.write([`Error: ${error.message}`, ...error.suggestions].join('\n') + '\n');
      const exit = new Errors.CLIError(error.message, { exit: error.exitCode || 1 });
      exit.skipOclifErrorHandling = true;
      throw exit;
    }
    return super.catch(error);
  }
}

export const mb = (bytes: number): string => `${Math.round(bytes / 1e6)} MB`;
