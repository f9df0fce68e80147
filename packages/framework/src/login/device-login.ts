/**
 * `llm-speed login`: GitHub's device flow (RFC 8628) run through the results server, which holds
 * the OAuth client id and stores the link public key → GitHub login. The CLI proves it owns the
 * persistent key by signing `llm-speed-login:<device_code>`. Never in --strict-anon: a login
 * ties runs to a person, which is exactly what strict-anon promises not to do.
 */
import * as ed from '@noble/ed25519';
import { join } from 'node:path';
import { LlmSpeedError } from '../errors.js';
import { writeOwnerOnly } from '../owner-only-file.js';
import { HttpStatusError, postJson } from '../protocol/http.js';
import { loadOrCreateKeyPair, publicKeyToBase64, type KeyPair } from '../signing/index.js';

export interface DeviceCodeAnswer {
  device_code: string;
  user_code: string;
  verification_uri: string;
  interval: number;
  expires_in: number;
}

export interface LoginRecord {
  login: string;
  api_url: string;
  linked_at: string;
}

export interface LoginOptions {
  apiUrl: string;
  configDir: string;
  /** The resolved privacy mode; strict-anon is refused before anything is read or sent. */
  mode?: 'default' | 'anon' | 'strict-anon';
  /** Where the "Open … and enter …" line goes. */
  print?: (line: string) => void;
  /** Injectable for tests: waits between polls and the clock the deadline is measured on (ms). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  signal?: AbortSignal;
}

/** RFC 8628 §3.5: on slow_down the interval grows by 5 seconds for this and all later polls. */
const SLOW_DOWN_STEP_S = 5;

export function loginFilePath(configDir: string): string {
  return join(configDir, 'login.json');
}

export function loginChallenge(deviceCode: string): string {
  return `llm-speed-login:${deviceCode}`;
}

export function refuseStrictAnon(mode: LoginOptions['mode']): void {
  if (mode === 'strict-anon') {
    throw new LlmSpeedError('login-strict-anon', 'refusing to log in in --strict-anon mode: a login links your runs to your GitHub profile, which strict-anon promises never to do', {
      suggestions: ['run `llm-speed login` without --strict-anon (and set mode to default in your config) if you want runs linked to your profile'],
      exitCode: 2,
    });
  }
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

async function post<T>(url: string, payload: unknown, signal?: AbortSignal): Promise<T> {
  try {
    return await postJson<T>(url, payload, { signal });
  } catch (error) {
    if (error instanceof HttpStatusError) {
      let reason = error.body;
      try {
        const said = (JSON.parse(error.body) as { error?: unknown }).error;
        // The server's own words when it sends them as text; its whole answer otherwise.
        if (typeof said === 'string') reason = said;
      } catch {
        // not JSON: keep the text
      }
      throw new LlmSpeedError('login', `login failed: the results server answered HTTP ${error.status}: ${reason}`, { cause: error });
    }
    throw error;
  }
}

export async function loginWithDeviceFlow(options: LoginOptions): Promise<LoginRecord> {
  refuseStrictAnon(options.mode);
  const apiUrl = options.apiUrl.replace(/\/$/, '');
  const sleep = options.sleep ?? ((ms: number) => defaultSleep(ms, options.signal));
  const now = options.now ?? Date.now;
  const print = options.print ?? ((line: string) => process.stderr.write(line + '\n'));
  const keys: KeyPair = await loadOrCreateKeyPair(options.configDir);

  const code = await post<DeviceCodeAnswer>(`${apiUrl}/v1/auth/device`, {}, options.signal);
  print(`Open ${code.verification_uri} and enter ${code.user_code}`);
  const proof = Buffer.from(await ed.signAsync(new TextEncoder().encode(loginChallenge(code.device_code)), keys.secretKey)).toString('base64url');
  const body = { device_code: code.device_code, public_key: publicKeyToBase64(keys.publicKey), proof };

  const deadline = now() + code.expires_in * 1000;
  let intervalS = code.interval;
  for (;;) {
    await sleep(intervalS * 1000);
    if (now() > deadline) throw expired();
    const answer = await post<{ status?: string; login?: string; linked_at?: string }>(`${apiUrl}/v1/auth/token`, body, options.signal);
    if (typeof answer.login === 'string') {
      const record: LoginRecord = { login: answer.login, api_url: apiUrl, linked_at: answer.linked_at ?? new Date(now()).toISOString() };
      await saveLogin(options.configDir, record);
      return record;
    }
    if (answer.status === 'authorization_pending') continue;
    if (answer.status === 'slow_down') {
      intervalS += SLOW_DOWN_STEP_S;
      continue;
    }
    if (answer.status === 'expired_token') throw expired();
    if (answer.status === 'access_denied')
      throw new LlmSpeedError('login-denied', 'login cancelled: the authorization was denied on GitHub', { suggestions: ['run `llm-speed login` again and approve the request'] });
    throw new LlmSpeedError('login', `login failed: the results server answered an unknown status ${JSON.stringify(answer.status)}`);
  }
}

function expired(): LlmSpeedError {
  return new LlmSpeedError('login-expired', 'login expired: the code was not entered on GitHub in time', { suggestions: ['run `llm-speed login` again and enter the new code within its lifetime'] });
}

/** <configDir>/login.json, owner-only (it names the GitHub account this machine's key belongs to). */
export async function saveLogin(configDir: string, record: LoginRecord): Promise<string> {
  const path = loginFilePath(configDir);
  await writeOwnerOnly(path, JSON.stringify(record, null, 2) + '\n');
  return path;
}
