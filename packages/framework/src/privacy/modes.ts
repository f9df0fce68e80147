/**
 * The three privacy modes (PRIVACY §3) and what each sends over HTTP. This table is the one place
 * that decides which identifying headers leave the machine.
 */
export type PrivacyMode = 'default' | 'anon' | 'strict-anon';

export const PRIVACY_MODES: readonly PrivacyMode[] = ['default', 'anon', 'strict-anon'];

export function isPrivacyMode(value: unknown): value is PrivacyMode {
  return typeof value === 'string' && (PRIVACY_MODES as readonly string[]).includes(value);
}

export function userAgent(cliVersion: string): string {
  return `llm-speed-cli/${cliVersion}`;
}

/**
 * Request headers for an upload in `mode`. In --strict-anon nothing of ours identifies the client:
 * no User-Agent (the HTTP client's default goes out), no Authorization, and no anon header either,
 * since a header saying "I am anonymous" would itself be a beacon.
 */
export function uploadHeaders(mode: PrivacyMode, options: { cliVersion: string; apiKey?: string }): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/jose', accept: 'application/json' };
  if (mode === 'strict-anon') return headers;
  headers['user-agent'] = userAgent(options.cliVersion);
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  if (mode === 'anon') headers['x-llm-speed-anon'] = '1';
  return headers;
}
