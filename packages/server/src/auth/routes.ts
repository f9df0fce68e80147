/**
 * POST /v1/auth/device and POST /v1/auth/token: the results server runs GitHub's device flow for
 * the CLI, so the OAuth client id lives here and the CLI never sees a GitHub token. On success it
 * stores one link public_key → GitHub login (the token itself is dropped).
 */
import type { ResultsRepository } from '../repository.js';
import { GitHubDeviceFlow, GitHubError, type DeviceCode, type PendingStatus } from './github.js';
import { verifyLoginProof } from './proof.js';

export class AuthError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type TokenAnswer = { status: PendingStatus } | { login: string; public_key: string; linked_at: string };

export class DeviceLogin {
  constructor(
    private readonly github: GitHubDeviceFlow,
    private readonly repo: ResultsRepository,
    private readonly isoNow: () => string,
  ) {}

  async start(): Promise<DeviceCode> {
    try {
      return await this.github.requestDeviceCode();
    } catch (error) {
      throw asAuthError(error);
    }
  }

  async token(body: unknown): Promise<TokenAnswer> {
    const { device_code, public_key, proof } = (body ?? {}) as Record<string, unknown>;
    if (typeof device_code !== 'string' || !device_code || device_code.length > 200) throw new AuthError(400, '"device_code" (string) is required');
    if (typeof public_key !== 'string' || typeof proof !== 'string') throw new AuthError(400, '"public_key" and "proof" (strings) are required');
    // Checked before GitHub is asked anything: a bad proof never costs a poll.
    if (!verifyLoginProof(public_key, device_code, proof)) {
      throw new AuthError(400, 'the proof is not a valid Ed25519 signature of "llm-speed-login:<device_code>" by public_key');
    }
    let login: string;
    try {
      const polled = await this.github.pollAccessToken(device_code);
      if ('status' in polled) return { status: polled.status };
      login = await this.github.userLogin(polled.accessToken);
    } catch (error) {
      throw asAuthError(error);
    }
    const link = await this.repo.linkContributor(public_key, login, this.isoNow(), { deviceCode: device_code, proof });
    if (link.login !== login) {
      throw new AuthError(409, `this key is already linked to GitHub user ${link.login}; links are permanent`);
    }
    return { login, public_key, linked_at: link.linkedAt };
  }
}

function asAuthError(error: unknown): unknown {
  return error instanceof GitHubError ? new AuthError(error.status, error.message) : error;
}
