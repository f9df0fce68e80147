/**
 * First-upload consent (PRIVACY §7). The answer is kept in <config>/consent.json (0600);
 * deleting that file revokes it and the next upload asks again.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { writeOwnerOnly } from '../owner-only-file.js';
import type { PrivacyMode } from '../privacy/modes.js';
import { commandHint, resumeCommand, type HintContext } from './hints.js';

/** The one copy of the consent text. */
export const CONSENT_TEXT = `llm-speed uploads this run's results to the public leaderboard.
Sent: the coarse hardware class (OS major version, CPU model and cores, RAM and VRAM rounded
to 8 GB, GPU names, a hardware-class hash), the benchmark numbers, backend and model names and
versions, the CLI version, timestamps, and an Ed25519 signature with its public key.
Never sent: prompts, model output, hostname, username, serial numbers, driver builds, or IP in
clear text (the server only keeps a daily-salted hash). Preview with --dry-run --print-payload.
Run fully anonymously with --strict-anon; keep results local with --no-upload.`;

/** The consent text with the real path of the file that records a yes (deleting it revokes consent). */
export function consentText(configDir?: string): string {
  return `${CONSENT_TEXT}\nRevoke at any time by deleting ${configDir ? consentFilePath(configDir) : 'the consent file (consent.json in the llm-speed config folder)'}.`;
}

export interface ConsentRecord {
  consented_at: string;
  cli_version: string;
  fingerprint_hash: string | null;
}

export interface ConsentFlags {
  upload?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * Whether this invocation must have consent before it uploads: not for offline modes (nothing is
 * sent), and not for --strict-anon, which is the most private option and counts as consent.
 */
export function consentRequired(mode: PrivacyMode, flags: ConsentFlags = {}): boolean {
  if (mode === 'strict-anon') return false;
  if (flags.upload === false || flags.dryRun || flags.json) return false;
  return true;
}

export function consentFilePath(configDir: string): string {
  return join(configDir, 'consent.json');
}

/** The saved consent, or undefined when there is none (or it is unreadable: then we ask again). */
export async function readConsent(configDir: string): Promise<ConsentRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(consentFilePath(configDir), 'utf8')) as Partial<ConsentRecord>;
    if (typeof record?.consented_at !== 'string') return undefined;
    return record as ConsentRecord;
  } catch {
    return undefined;
  }
}

export async function recordConsent(configDir: string, details: { cliVersion: string; fingerprintHash?: string | null }): Promise<ConsentRecord> {
  const record: ConsentRecord = {
    consented_at: new Date().toISOString(),
    cli_version: details.cliVersion,
    fingerprint_hash: details.fingerprintHash ? details.fingerprintHash.trim().slice(0, 16) : null,
  };
  await writeOwnerOnly(consentFilePath(configDir), JSON.stringify(record, null, 2) + '\n');
  return record;
}

/** Why a run went without consent: the user said no at the prompt, or there was no terminal to ask on. */
export type NoConsent = 'declined' | 'no-terminal';

/**
 * What to tell the user when a run was not uploaded for want of consent: what happened, where the
 * run is and where consent is kept, then the exact command that uploads it now (with --yes, which
 * records consent), built from this invocation so it goes to the same server with the same config
 * folder.
 */
export function noConsentMessage(why: NoConsent, savedPath: string, mode: PrivacyMode | undefined, hints: HintContext = {}, configDir?: string): { message: string; suggestions: string[] } {
  const what = why === 'declined' ? 'you answered no to the upload prompt' : 'no upload consent yet, and no terminal to ask on';
  const kept = configDir ? ` Consent, once given, is kept in ${consentFilePath(configDir)}; deleting that file revokes it.` : '';
  return {
    message: `not uploaded: ${what}. Nothing was sent; the signed run is kept at ${savedPath}.${kept}`,
    suggestions: [
      commandHint('to upload it now (--yes records your consent)', resumeCommand(savedPath, mode, hints, ['--yes']), hints),
      why === 'declined' ? 'or leave it: it stays on this machine.' : 'or run that command without --yes on a terminal, to read what is sent and answer the prompt.',
    ],
  };
}

export interface ConsentIo {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/**
 * Prints the consent text and asks [Y/n] (empty answer = yes). Returns false without asking when
 * the input is not a terminal, and when the input ends before an answer.
 */
export async function promptConsent(io: ConsentIo = {}, configDir?: string): Promise<boolean> {
  const input = io.input ?? process.stdin;
  const output = io.output ?? process.stderr;
  if ((input as { isTTY?: boolean }).isTTY !== true) return false;
  output.write(consentText(configDir) + '\n\n');
  // Lines are read through the async iterator, which buffers: an answer typed ahead of the
  // prompt (or piped in all at once) is not lost, unlike readline's question().
  const rl = createInterface({ input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      output.write('Upload this run? [Y/n] ');
      const next = await lines.next();
      if (next.done) return false;
      const a = String(next.value).trim().toLowerCase();
      if (a === '' || a === 'y' || a === 'yes') return true;
      if (a === 'n' || a === 'no') return false;
      output.write('Please answer y or n.\n');
    }
    return false;
  } finally {
    rl.close();
  }
}
