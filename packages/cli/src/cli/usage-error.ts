/**
 * A usage error (an unknown flag, a missing argument, a bad value) said in one or two lines — what
 * is wrong, the nearest flag when it is a likely typo, and where help is — instead of oclif's page
 * of help. Used by every llm-speed command (cli/base-command.ts) and, for commands that come from
 * other plugins (`models synth`, `plugins install`), by bin/run.js.
 */
import { Errors } from '@oclif/core';
import { nearest } from '@llm-speed/framework';

interface FlagDefinition {
  char?: string;
  allowNo?: boolean;
}

/** An oclif parse error: what the parser refused, with the flags the command takes. */
export type ParseError = Errors.CLIError & { parse?: { input?: { flags?: Record<string, FlagDefinition>; enableJsonFlag?: boolean } }; flags?: string[] };

export function isParseError(error: unknown): error is ParseError {
  return error instanceof Errors.CLIError && 'parse' in error;
}

/** "unknown flag --quik (did you mean --quick?)". */
export function unknownFlagLine(flag: string, known: Record<string, FlagDefinition>): string {
  const names = Object.entries(known).flatMap(([name, def]) => [name, ...(def.allowNo ? [`no-${name}`] : [])]);
  const guess = flag.startsWith('--') ? nearest(flag.slice(2), [...names, 'help'], Math.max(2, Math.floor(flag.length / 4))) : undefined;
  return `unknown flag ${flag}${guess ? ` (did you mean --${guess}?)` : ''}`;
}

/** The lines to print for a parse error of `command` (its words, e.g. ["models", "synth"]). */
export function usageErrorLines(error: ParseError, bin: string, command: string[]): string[] {
  const message = error.message.replace(/\nSee more help with --help\s*$/, '');
  const known = { ...(error.parse?.input?.flags ?? {}), ...(error.parse?.input?.enableJsonFlag ? { json: {} } : {}) };
  const unknown = Array.isArray(error.flags) ? error.flags : [];
  const what = unknown.length > 0 ? unknown.map((flag) => unknownFlagLine(flag, known)) : [message];
  return [`Error: ${what.join('\n')}`, `See: ${[bin, ...command, '--help'].join(' ')}`];
}

/** The command words of an argv: everything before the first flag or argument that is not a word of the command id. */
export function commandWords(argv: string[], commandIds: string[]): string[] {
  let best: string[] = [];
  for (const id of commandIds) {
    const words = id.split(':');
    if (words.every((w, i) => argv[i] === w) && words.length > best.length) best = words;
  }
  return best;
}
