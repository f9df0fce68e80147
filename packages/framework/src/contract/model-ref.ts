/**
 * What a driver may publish about a model given as a local folder or file: its last path component.
 * PRIVACY §2 promises no username or hostname leaves the machine, and a path such as
 * /home/<user>/models/<name> carries both in whitelisted fields (model.identifier, model.name).
 */
import { existsSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';

/** A hub id ("org/name") is kept; anything that is, or looks like, a local path becomes its last component. */
export function publicModelName(modelRef: string): string {
  const trimmed = modelRef.replace(/[\\/]+$/, '');
  const looksLocal = isAbsolute(trimmed) || /^(\.{1,2}|~)([\\/]|$)/.test(trimmed) || trimmed.includes('\\') || trimmed.split('/').length > 2 || existsSync(trimmed);
  return looksLocal ? basename(trimmed.replace(/\\/g, '/')) || trimmed : trimmed;
}
