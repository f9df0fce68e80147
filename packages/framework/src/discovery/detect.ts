/**
 * Asks every discovered driver whether its backend is here. Each answer is validated against
 * driver.schema.json; a driver that throws, hangs or answers nonsense becomes a skipped row
 * naming its plugin, so one broken plugin never takes the CLI down.
 *
 * Each driver gets its own context: the shared one plus its settings (config/driver-settings.ts),
 * which every later call (listModels, open) receives too. A setting the user got wrong is an
 * error naming the driver and the key, not a skipped row: it is the user's to fix.
 */
import type { Driver, DriverContext, DriverDetection } from '../contract/driver.js';
import { check } from '../contract/validate.js';
import { resolveDriverSettings, unknownDriverSections, type DriverSettingsLayers } from '../config/driver-settings.js';
import { DriverError, errorMessage } from '../errors.js';
import { withDeadline } from '../util/deadline.js';
import type { Discovery } from './discover.js';

export interface DetectedDriver {
  driver: Driver;
  detection: DriverDetection;
  /** The context this driver's calls take: the shared one with its own `settings`. */
  context?: DriverContext;
}

const DETECT_TIMEOUT_MS = 15_000;

export interface DetectOptions {
  timeoutMs?: number;
  /** Driver settings set by flags, per driver name (e.g. --openai-compat-url). */
  driverFlags?: Record<string, DriverSettingsLayers['flags']>;
}

/** The driver's own context: its section of the config file, its variables and flags, validated. */
export function driverContextFor(driver: Driver, ctx: DriverContext, flags?: DriverSettingsLayers['flags']): DriverContext {
  const sections = (ctx.config.drivers ?? {}) as Record<string, unknown>;
  return { ...ctx, settings: resolveDriverSettings(driver, { file: sections[driver.name], env: ctx.env, flags }) };
}

export async function detectDrivers(discovery: Discovery, ctx: DriverContext, options: DetectOptions | number = {}): Promise<DetectedDriver[]> {
  const { timeoutMs = DETECT_TIMEOUT_MS, driverFlags = {} } = typeof options === 'number' ? { timeoutMs: options } : options;
  for (const line of unknownDriverSections(
    ctx.config.drivers,
    discovery.drivers.map((d) => d.driver.name),
  ))
    ctx.log(line);
  // Settings first, for every driver: a mistake in them stops the command before any backend is probed.
  const contexts = discovery.drivers.map(({ driver, plugin }) => {
    try {
      return driverContextFor(driver, ctx, driverFlags[driver.name]);
    } catch (error) {
      // A broken schema is the plugin's bug: that driver is skipped. Bad values are the user's: they stop here.
      if (error instanceof DriverError) return { error: `${plugin}: ${errorMessage(error)}` };
      throw error;
    }
  });
  return Promise.all(
    discovery.drivers.map(async ({ driver, plugin }, i): Promise<DetectedDriver> => {
      const context = contexts[i]!;
      const skipped = (reason: string): DetectedDriver => ({ driver, detection: { name: driver.name, plugin, available: false, reason } });
      if ('error' in context) return skipped(context.error as string);
      let answer: unknown;
      try {
        answer = await withDeadline(driver.detect(context), timeoutMs, `${driver.name} detect()`);
      } catch (error) {
        return skipped(`detect() failed: ${errorMessage(error).split('\n')[0]}`);
      }
      const problems = check('driver', answer, 'DriverDetection');
      if (problems.length > 0) return skipped(`plugin ${plugin} returned invalid detect() output: ${problems.slice(0, 3).join('; ')}`);
      const detection = { ...(answer as DriverDetection), plugin };
      if (detection.name !== driver.name) return skipped(`plugin ${plugin} reported name "${detection.name}" for driver "${driver.name}"`);
      if (!detection.available && !detection.reason) detection.reason = 'not available (the driver gave no reason)';
      return { driver, detection, context };
    }),
  );
}
