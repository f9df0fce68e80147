/** PublishOptions for tests: an offline-capable, non-interactive, silent publish unless overridden. */
import type { PublishOptions } from '../../src/harness/publish.js';

export function publishOptions(where: { apiUrl: string; configDir: string; runsDir: string }, overrides: Partial<PublishOptions> = {}): PublishOptions {
  return {
    mode: 'default',
    dryRun: false,
    upload: true,
    printPayload: false,
    includeRawTimings: false,
    yes: false,
    interactive: false,
    io: { out: () => undefined, err: () => undefined },
    ...where,
    ...overrides,
  };
}
