/**
 * What every llm-speed command shares: typed errors become one clear line and a non-zero exit
 * code, Ctrl-C aborts in-flight work through one AbortSignal (drivers stop their processes),
 * and drivers are found through the plugin system on demand, never at startup.
 */
import { Command } from '@oclif/core';
import { cacheDir, discoverDrivers, LlmSpeedError, type Discovery, type DriverContext, type LlmSpeedConfig } from '@llm-speed/framework';
import { handleInterrupts, type InterruptHandle } from './interrupt.js';

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
    // Duck-typed: a plugin's copy of the framework has its own LlmSpeedError class.
    if (error instanceof LlmSpeedError || ((error as { code?: unknown }).code !== undefined && Array.isArray((error as { suggestions?: unknown }).suggestions) && typeof (error as { exitCode?: unknown }).exitCode === 'number')) {
      const e = error as LlmSpeedError;
      this.error(e.message, { exit: this.interrupts?.exitCode ?? (e.exitCode || 1), suggestions: e.suggestions.length ? e.suggestions : undefined, code: e.code });
    }
    return super.catch(error);
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
