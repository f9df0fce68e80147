/**
 * Asks every discovered driver whether its backend is here. Each answer is validated against
 * driver.schema.json; a driver that throws, hangs or answers nonsense becomes a skipped row
 * naming its plugin, so one broken plugin never takes the CLI down.
 */
import type { Driver, DriverContext, DriverDetection } from '../contract/driver.js';
import { check } from '../contract/validate.js';
import { errorMessage } from '../errors.js';
import { withDeadline } from '../util/deadline.js';
import type { Discovery } from './discover.js';

export interface DetectedDriver {
  driver: Driver;
  detection: DriverDetection;
}

const DETECT_TIMEOUT_MS = 15_000;

export async function detectDrivers(discovery: Discovery, ctx: DriverContext, timeoutMs = DETECT_TIMEOUT_MS): Promise<DetectedDriver[]> {
  return Promise.all(
    discovery.drivers.map(async ({ driver, plugin }): Promise<DetectedDriver> => {
      const skipped = (reason: string): DetectedDriver => ({ driver, detection: { name: driver.name, plugin, available: false, reason } });
      let answer: unknown;
      try {
        answer = await withDeadline(driver.detect(ctx), timeoutMs, `${driver.name} detect()`);
      } catch (error) {
        return skipped(`detect() failed: ${errorMessage(error).split('\n')[0]}`);
      }
      const problems = check('driver', answer, 'DriverDetection');
      if (problems.length > 0) return skipped(`plugin ${plugin} returned invalid detect() output: ${problems.slice(0, 3).join('; ')}`);
      const detection = { ...(answer as DriverDetection), plugin };
      if (detection.name !== driver.name) return skipped(`plugin ${plugin} reported name "${detection.name}" for driver "${driver.name}"`);
      if (!detection.available && !detection.reason) detection.reason = 'not available (the driver gave no reason)';
      return { driver, detection };
    }),
  );
}
