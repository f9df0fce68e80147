/**
 * What every llm-speed command shares: typed errors become one clear line and a non-zero exit
 * code, Ctrl-C aborts in-flight work through one AbortSignal (drivers stop their processes),
 * and drivers are found through the plugin system on demand, never at startup.
 */
import { Command } from '@oclif/core';
import type { DriverContext } from '@llm-speed/framework';
import type { LlmSpeedConfig } from '@llm-speed/framework';
import { discoverDrivers, type Discovery } from '@llm-speed/framework';
import { LlmSpeedError } from '@llm-speed/framework';
import { cacheDir } from '@llm-speed/framework';

export abstract class BaseCommand extends Command {
  protected readonly abort = new AbortController();
  private onSigint?: () => void;

  public async init(): Promise<void> {
    await super.init();
    // First Ctrl-C aborts cleanly (drivers reap their servers); a second one exits at once.
    let interrupted = false;
    this.onSigint = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      this.logToStderr('interrupted: stopping the backend and keeping what finished (Ctrl-C again to quit now)');
      this.abort.abort(new LlmSpeedError('interrupted', 'interrupted by the user'));
    };
    process.on('SIGINT', this.onSigint);
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    if (this.onSigint) process.off('SIGINT', this.onSigint);
    return super.finally(error);
  }

  protected async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    // Duck-typed: a plugin's copy of the framework has its own LlmSpeedError class.
    if (error instanceof LlmSpeedError || ((error as { code?: unknown }).code !== undefined && Array.isArray((error as { suggestions?: unknown }).suggestions) && typeof (error as { exitCode?: unknown }).exitCode === 'number')) {
      const e = error as LlmSpeedError;
      this.error(e.message, { exit: e.exitCode || 1, suggestions: e.suggestions.length ? e.suggestions : undefined, code: e.code });
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
