/**
 * The commands the CLI prints for the user to paste: retry an upload, upload an offline run,
 * consent and upload, verify a published run. Each is built from the invocation that printed it,
 * so the pasted command goes where that one went — the same results server (a bare `--resume`
 * would publish a self-hosted run on the public server), the same config folder (consent, key),
 * the same config file and privacy mode. Paths are absolute, so the command works from any folder.
 *
 * A hint is printed once, as its own line, never wrapped: `commandHint()` puts the command on a
 * line of its own under a short label, and commands print these lines themselves rather than
 * through a wrapping error renderer.
 */
import { resolve } from 'node:path';
import type { PrivacyMode } from '../privacy/modes.js';

/** What the printed commands must carry over from the invocation that prints them. */
export interface HintContext {
  /** The results server, when it is not the public default (flag, LLM_SPEED_API_URL or config). */
  apiUrl?: string;
  /** The config folder, when it was set (flag, LLM_SPEED_CONFIG_DIR or config): consent and key live there. */
  configDir?: string;
  /** The config file that was read (--config, LLM_SPEED_CONFIG, or found in the working folder). */
  configFile?: string;
  /** --api-key was given on the command line: the hint says to give it again, never echoes it. */
  apiKeyFromFlag?: boolean;
}

const SAFE = /^[\w@%+=:,./-]+$/;

/** Quotes one argument for a POSIX shell only when it needs it. */
export function shellArg(value: string): string {
  return SAFE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `llm-speed <args>`, each argument quoted for pasting into a shell. */
export function llmSpeedCommand(args: string[]): string {
  return ['llm-speed', ...args.map(shellArg)].join(' ');
}

/** The flag that selects `mode` on the command line (none for default). */
export function modeFlag(mode: PrivacyMode | undefined): string {
  return mode === 'anon' ? '--anon' : mode === 'strict-anon' ? '--strict-anon' : '';
}

/** The flags every printed command carries, in a fixed order. */
export function contextArgs(context: HintContext = {}): string[] {
  const args: string[] = [];
  if (context.apiUrl) args.push('--api-url', context.apiUrl);
  if (context.configDir) args.push('--config-dir', resolve(context.configDir));
  if (context.configFile) args.push('--config', resolve(context.configFile));
  return args;
}

/**
 * The command that uploads a saved run. It names the run's mode: the recorded mode would apply
 * anyway, but a copied file may have lost its sidecar, and the user should see how it will go out.
 */
export function resumeCommand(path: string, mode?: PrivacyMode, context: HintContext = {}, extra: string[] = []): string {
  const flag = modeFlag(mode);
  return llmSpeedCommand(['bench', '--resume', resolve(path), ...(flag ? [flag] : []), ...contextArgs(context), ...extra]);
}

/** The command that checks a published run's signature against the server that stores it. */
export function verifyCommand(id: string, context: HintContext = {}): string {
  return llmSpeedCommand(['verify-run', id, ...(context.apiUrl ? ['--api-url', context.apiUrl] : [])]);
}

/**
 * A label and the command under it, on a line of its own (two spaces in, nothing after it), so a
 * terminal's line selection copies exactly the command. An API key given as a flag is not
 * repeated: the line after the command says to add it.
 */
export function commandHint(label: string, command: string, context: HintContext = {}): string {
  const key = context.apiKeyFromFlag && !command.startsWith('llm-speed verify-run') ? '\n  (add --api-key again: it is not printed)' : '';
  return `${label}:\n  ${command}${key}`;
}

/** The hint context of an invocation, from its resolved settings: only what was set explicitly. */
export function hintContextFrom(settings: { api_url?: string; config_dir?: string }, configFile: string | null | undefined, options: { defaultApiUrl: string; apiKeyFromFlag?: boolean }): HintContext {
  return {
    apiUrl: settings.api_url && settings.api_url.replace(/\/+$/, '') !== options.defaultApiUrl.replace(/\/+$/, '') ? settings.api_url : undefined,
    configDir: settings.config_dir || undefined,
    configFile: configFile ?? undefined,
    apiKeyFromFlag: options.apiKeyFromFlag || undefined,
  };
}
