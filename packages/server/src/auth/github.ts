/**
 * The two GitHub device-flow calls and the one user lookup the results server makes on the CLI's
 * behalf (RFC 8628; GitHub docs "Authorizing OAuth apps" → device flow). Base URLs are options so
 * tests point them at a loopback replay server. The access token lives only in this call chain.
 */

export interface GitHubOptions {
  /** OAuth app client id (default: env LLM_SPEED_GITHUB_CLIENT_ID; unset = login disabled). */
  clientId?: string;
  /** Where /login/device/code and /login/oauth/access_token live (default https://github.com). */
  oauthBaseUrl?: string;
  /** Where /user lives (default https://api.github.com). */
  apiBaseUrl?: string;
}

export interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_uri: string;
  interval: number;
  expires_in: number;
}

/** What one poll of the token endpoint can say; the CLI keeps polling on the first two. */
export type PendingStatus = 'authorization_pending' | 'slow_down' | 'expired_token' | 'access_denied';
export const PENDING_STATUSES: readonly PendingStatus[] = ['authorization_pending', 'slow_down', 'expired_token', 'access_denied'];

export class GitHubError extends Error {
  constructor(
    message: string,
    readonly status = 502,
  ) {
    super(message);
  }
}

const USER_AGENT = 'llm-speed-server';

/** GitHub's own words for a refusal; its fields are text, anything else is not quoted back. */
function refusal(body: Record<string, unknown>): string {
  return [body.error_description, body.error].find((v): v is string => typeof v === 'string' && v !== '') ?? 'unexpected answer';
}

async function postForm(url: string, fields: Record<string, string>): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      // Without Accept: application/json GitHub answers form-encoded text.
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT },
      body: new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new GitHubError(`GitHub could not be reached: ${(error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new GitHubError(`GitHub answered HTTP ${response.status} with a non-JSON body`);
  }
  if (!body || typeof body !== 'object') throw new GitHubError(`GitHub answered HTTP ${response.status} with an unexpected body`);
  // GitHub reports device-flow states (authorization_pending, …) as HTTP 200 with an "error" field.
  if (!response.ok && typeof (body as { error?: unknown }).error !== 'string') throw new GitHubError(`GitHub answered HTTP ${response.status}`);
  return body as Record<string, unknown>;
}

export class GitHubDeviceFlow {
  readonly clientId: string | undefined;
  private readonly oauthBase: string;
  private readonly apiBase: string;

  constructor(options: GitHubOptions = {}) {
    this.clientId = options.clientId ?? (process.env.LLM_SPEED_GITHUB_CLIENT_ID || undefined);
    this.oauthBase = (options.oauthBaseUrl ?? 'https://github.com').replace(/\/$/, '');
    this.apiBase = (options.apiBaseUrl ?? 'https://api.github.com').replace(/\/$/, '');
  }

  private requireClientId(): string {
    if (!this.clientId) throw new GitHubError('login is disabled on this server: start it with LLM_SPEED_GITHUB_CLIENT_ID set', 503);
    return this.clientId;
  }

  async requestDeviceCode(): Promise<DeviceCode> {
    const body = await postForm(`${this.oauthBase}/login/device/code`, { client_id: this.requireClientId(), scope: 'read:user' });
    const { device_code, user_code, verification_uri, interval, expires_in } = body;
    if (typeof device_code !== 'string' || typeof user_code !== 'string' || typeof verification_uri !== 'string') {
      throw new GitHubError(`GitHub refused the device code request: ${refusal(body)}`);
    }
    return {
      device_code,
      user_code,
      verification_uri,
      interval: typeof interval === 'number' && interval > 0 ? interval : 5,
      expires_in: typeof expires_in === 'number' && expires_in > 0 ? expires_in : 900,
    };
  }

  /** One poll: a pending state, or the access token once the user has entered the code. */
  async pollAccessToken(deviceCode: string): Promise<{ status: PendingStatus } | { accessToken: string }> {
    const body = await postForm(`${this.oauthBase}/login/oauth/access_token`, {
      client_id: this.requireClientId(),
      device_code: deviceCode,
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    });
    if (typeof body.access_token === 'string' && body.access_token) return { accessToken: body.access_token };
    if (PENDING_STATUSES.includes(body.error as PendingStatus)) return { status: body.error as PendingStatus };
    throw new GitHubError(`GitHub refused the token request: ${refusal(body)}`, 400);
  }

  async userLogin(accessToken: string): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${this.apiBase}/user`, {
        headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${accessToken}`, 'user-agent': USER_AGENT },
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new GitHubError(`GitHub could not be reached: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as { login?: unknown } | undefined;
    if (!response.ok || typeof body?.login !== 'string' || !/^[A-Za-z0-9-]{1,39}$/.test(body.login)) {
      throw new GitHubError(`GitHub /user answered HTTP ${response.status} without a valid login`);
    }
    return body.login;
  }
}
