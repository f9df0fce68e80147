/**
 * First-upload consent (PRIVACY §7). The answer is kept in <config>/consent.json (0600);
 * deleting that file revokes it and the next upload asks again.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { writeOwnerOnly } from '../owner-only-file.js';
import type { PrivacyMode } from '../privacy/modes.js';
import { resumeCommand } from './client.js';

/** The one copy of the consent text. */
export const CONSENT_TEXT = `llm-speed uploads this run's results to the public leaderboard.
Sent: the coarse hardware class (OS major version, CPU model and cores, RAM and VRAM rounded
to 8 GB, GPU names, a hardware-class hash), the benchmark numbers, backend and model names and
versions, the CLI version, timestamps, and an Ed25519 signature with its public key.
Never sent: prompts, model output, hostname, username, serial numbers, driver builds, or IP in
clear text (the server only keeps a daily-salted hash). Preview with --dry-run --print-payload.
Run fully anonymously with --strict-anon; keep results local with --no-upload.
Revoke at any time by deleting the consent file.`;

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

/** What to tell a non-interactive run that has no consent yet. */
export function noConsentMessage(savedPath?: string, mode?: PrivacyMode): string {
  const resume = savedPath ? ` then upload it with: ${resumeCommand(savedPath, mode)}` : '';
  return `not uploaded: no upload consent yet. Consent by running llm-speed bench interactively once, or pass --yes;${resume}`;
}

export interface ConsentIo {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/**
 * Prints the consent text and asks [Y/n] (empty answer = yes). Returns false without asking when
 * the input is not a terminal, and when the input ends before an answer.
 */
export async function promptConsent(io: ConsentIo = {}): Promise<boolean> {
  const input = io.input ?? process.stdin;
  const output = io.output ?? process.stderr;
  if ((input as { isTTY?: boolean }).isTTY !== true) return false;
  output.write(CONSENT_TEXT + '\n\n');
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
