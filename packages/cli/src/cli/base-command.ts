/**
 * What every llm-speed command shares: typed errors become one clear line and a non-zero exit
 * code, Ctrl-C aborts in-flight work through one AbortSignal (drivers stop their processes),
 * and drivers are found through the plugin system on demand, never at startup.
 *
 * Exit codes (README "Exit codes"): 0 success, 1 failure, 2 usage error (bad flag, argument or
 * input), 130/143/129 when interrupted by SIGINT/SIGTERM/SIGHUP. Errors are printed here, not by
 * oclif's renderer, which wraps long lines with ` ›   ` prefixes: a path or a command in an error
 * must stay on one line that can be pasted.
 */
import { Command, Errors } from '@oclif/core';
import { cacheDir, discoverDrivers, LlmSpeedError, type Discovery, type DriverContext, type LlmSpeedConfig } from '@llm-speed/framework';
import { handleInterrupts, type InterruptHandle } from './interrupt.js';
import { isParseError, usageErrorLines } from './usage-error.js';

/** Exit code of a usage error: a flag, an argument or an input the command cannot take. */
export const USAGE_EXIT = 2;

function isLlmSpeedError(error: unknown): error is LlmSpeedError {
  // Duck-typed: a plugin's copy of the framework has its own LlmSpeedError class.
  if (error instanceof LlmSpeedError) return true;
  const e = error as { code?: unknown; suggestions?: unknown; exitCode?: unknown } | null;
  return e !== null && typeof e === 'object' && e.code !== undefined && Array.isArray(e.suggestions) && typeof e.exitCode === 'number';
}

export abstract class BaseCommand extends Command {
  protected readonly abort = new AbortController();
  private interrupts?: InterruptHandle;

  public async init(): Promise<void> {
    await super.init();
    // SIGINT, SIGTERM, SIGHUP: abort cleanly (drivers reap their servers, bench saves what
    // finished), then exit 130/143/129; a second signal exits at once (cli/interrupt.ts).
    this.interrupts = handleInterrupts({
      log: (line) => this.logToStderr(line),
      onInterrupt: (signal) => this.abort.abort(new LlmSpeedError('interrupted', `interrupted by ${signal}`)),
    });
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    this.interrupts?.dispose();
    return super.finally(error);
  }

  protected async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (isLlmSpeedError(error)) this.fail(error.message, error.suggestions, this.interrupts?.exitCode ?? (error.exitCode || 1));
    if (isParseError(error)) {
      // One line saying what is wrong and where help is, not the whole help page.
      const [first, ...rest] = usageErrorLines(error, this.config.bin, this.id ? this.id.split(':') : []);
      this.fail(first!.replace(/^Error: /, ''), rest, USAGE_EXIT);
    }
    return super.catch(error);
  }

  /**
   * Prints the error as it is and ends the command with `exit`. The error thrown carries the same
   * message (for callers that run a command in-process) and tells oclif's handler not to print
   * it again, wrapped.
   */
  private fail(message: string, suggestions: string[], exit: number): never {
    this.printError(message, suggestions);
    const error = new Errors.CLIError(message, { exit });
    error.skipOclifErrorHandling = true;
    throw error;
  }

  /** An error as lines of its own on stderr: never wrapped, so paths and commands can be pasted. */
  protected printError(message: string, suggestions: string[] = []): void {
    process.stderr.write([`Error: ${message}`, ...suggestions].join('\n') + '\n');
  }

  protected driverContext(settings: LlmSpeedConfig): DriverContext {
    return {
      config: settings as Record<string, unknown>,
      cacheDir: settings.cache_dir ?? cacheDir(process.env),
      env: process.env,
      signal: this.abort.signal,
      log: (line) => this.logToStderr(line),
    };
  }

  protected discover(): Promise<Discovery> {
    return discoverDrivers(this.config);
  }
}
