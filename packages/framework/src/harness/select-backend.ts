/**
 * Picks the backend and model a bench run uses. Auto-detection never picks a hosted API
 * (it would spend the user's money unasked); it prefers a real local engine.
 */
import type { Driver, DriverContext, ModelInfo } from '../contract/driver.js';
import { check } from '../contract/validate.js';
import { DriverError, UsageError, errorMessage } from '../errors.js';
import type { DetectedDriver } from '../discovery/detect.js';
import { withDeadline } from '../util/deadline.js';

const AUTO_PREFERENCE = ['llama.cpp', 'ollama', 'vllm', 'mlx', 'exllamav2'];
const NEVER_AUTO = new Set(['hosted-api']);

/** The error for a backend no installed driver provides; `llm-speed validate` gives the same words for a config file. */
export function unknownBackend(requested: string, installed: readonly string[]): UsageError {
  return new UsageError(`unknown backend "${requested}" (installed drivers: ${installed.join(', ') || 'none installed'})`, [
    'Run `llm-speed detect` to see every backend and why it is skipped.',
    'Install a driver plugin with `llm-speed plugins install <package>`.',
  ]);
}

export function chooseDriver(detected: DetectedDriver[], requested?: string): DetectedDriver {
  if (requested) {
    const match = detected.find((d) => d.detection.name.toLowerCase() === requested.toLowerCase());
    if (!match)
      throw unknownBackend(
        requested,
        detected.map((d) => d.detection.name),
      );
    if (!match.detection.available) {
      throw new DriverError(match.detection.name, `not available: ${match.detection.reason ?? 'no reason given'}`, {
        suggestions: ['Run `llm-speed detect` for details.'],
      });
    }
    return match;
  }
  const available = detected.filter((d) => d.detection.available && !NEVER_AUTO.has(d.detection.name));
  available.sort((a, b) => rank(a.detection.name) - rank(b.detection.name));
  const chosen = available[0];
  if (!chosen) {
    const reasons = detected.map((d) => `${d.detection.name}: ${d.detection.reason ?? 'unavailable'}`).join('; ');
    throw new UsageError(`no backend detected (${reasons || 'no driver plugins installed'})`, [
      'Install llama.cpp (llama-server on PATH) or node-llama-cpp for the embedded engine, or start ollama / vLLM.',
      'Hosted APIs are never chosen automatically: pass --backend hosted-api.',
    ]);
  }
  return chosen;
}

function rank(name: string): number {
  const i = AUTO_PREFERENCE.indexOf(name);
  return i === -1 ? AUTO_PREFERENCE.length : i;
}

/** The driver's model list, validated; an invalid entry is an error naming the driver. */
export async function listModels(driver: Driver, ctx: DriverContext): Promise<ModelInfo[]> {
  let models: unknown;
  try {
    models = await withDeadline(driver.listModels(ctx), 30_000, `${driver.name} listModels()`);
  } catch (error) {
    throw new DriverError(driver.name, `could not list models: ${errorMessage(error)}`);
  }
  if (!Array.isArray(models)) throw new DriverError(driver.name, 'listModels() did not return an array');
  models.forEach((m, i) => {
    const problems = check('driver', m, 'ModelInfo');
    if (problems.length > 0) throw new DriverError(driver.name, `listModels() entry ${i} is invalid: ${problems.join('; ')}`);
  });
  return models as ModelInfo[];
}
