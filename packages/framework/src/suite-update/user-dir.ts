/**
 * Where suites downloaded by `llm-speed self-update` live. Shipped suites sit inside the package
 * (read-only after install); new versions go to the user's data folder so an update never needs
 * write access to the installation and never touches a shipped version.
 */
import { join } from 'node:path';
import { dataDir } from '../paths.js';

/** `<data dir>/suites`: `$LLM_SPEED_DATA_DIR/suites`, else `$XDG_DATA_HOME/llm-speed/suites`, else `~/.local/share/llm-speed/suites`. */
export function userSuitesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'suites');
}
