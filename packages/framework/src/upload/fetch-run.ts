/**
 * Where `llm-speed verify-run` reads a run from: a local file, a run id (r_…), a permalink page
 * (…/r/<id>), or the stored-JSON URL itself. Published runs come from <api>/v1/results/<id>,
 * the exact JSON the server stores (METHODOLOGY §7.3).
 */
import { existsSync } from 'node:fs';
import { request } from 'undici';
import { LlmSpeedError, errorMessage } from '../errors.js';
import { loadLocalRun } from './local.js';

export const PUBLIC_API_URL = 'https://api.llm-speed.com';

/**
 * The project's documents as an installed CLI can point at them: its own files are not on the
 * user's disk (docs/, schemas/ and scripts/ exist only in a source checkout).
 */
export const REPO_URL = 'https://github.com/llm-speed/llm-speed';
export const DOCS_URL = `${REPO_URL}/blob/main/docs`;

export type RunSource = { kind: 'file'; path: string } | { kind: 'url'; url: string; id?: string };

/** The source could not be read or parsed: verify-run exits 2 ("could not check"). */
export class RunFetchError extends LlmSpeedError {
  constructor(message: string, suggestions: string[] = []) {
    super('run-fetch', message, { suggestions, exitCode: 2 });
    this.name = 'RunFetchError';
  }
}

const RUN_ID = /^r_[A-Za-z0-9_-]+$/;

function storedJsonUrl(apiUrl: string, id: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/v1/results/${id}`;
}

/**
 * A page URL `/r/<id>` maps to `<api>/v1/results/<id>`: the API given explicitly, else the public
 * API for the public site, else the page's own origin (a self-hosted server serves both).
 */
export function resolveRunSource(ref: string, options: { apiUrl?: string } = {}): RunSource {
  if (/^https?:\/\//i.test(ref)) {
    let url: URL;
    try {
      url = new URL(ref);
    } catch {
      throw new RunFetchError(`"${ref}" is not a valid URL`);
    }
    const page = /^\/r\/(r_[A-Za-z0-9_-]+)\/?$/.exec(url.pathname);
    if (page) {
      const id = page[1]!;
      const publicSite = /(^|\.)llm-speed\.com$/i.test(url.hostname);
      const api = options.apiUrl ?? (publicSite ? PUBLIC_API_URL : url.origin);
      return { kind: 'url', url: storedJsonUrl(api, id), id };
    }
    const stored = /\/v1\/results\/(r_[A-Za-z0-9_-]+)\/?$/.exec(url.pathname);
    return { kind: 'url', url: url.toString(), id: stored?.[1] };
  }
  if (RUN_ID.test(ref) && !existsSync(ref)) return { kind: 'url', url: storedJsonUrl(options.apiUrl ?? PUBLIC_API_URL, ref), id: ref };
  return { kind: 'file', path: ref };
}

/** Reads the run JSON from the source; any failure is a RunFetchError. */
export async function readRunSource(source: RunSource, options: { timeoutMs?: number } = {}): Promise<unknown> {
  if (source.kind === 'file') {
    try {
      return await loadLocalRun(source.path);
    } catch (error) {
      throw new RunFetchError(errorMessage(error), (error as LlmSpeedError).suggestions ?? []);
    }
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  let status: number;
  let text: string;
  try {
    const response = await request(source.url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (error) {
    throw new RunFetchError(`cannot fetch ${source.url}: ${errorMessage(error)}`, ['check the network and the --api-url']);
  }
  if (status === 404) throw new RunFetchError(`no run at ${source.url} (HTTP 404)`, ['check the run id; withdrawn runs may be gone']);
  if (status < 200 || status >= 300) throw new RunFetchError(`${source.url} answered HTTP ${status}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RunFetchError(`${source.url} did not return JSON`, ['is --api-url the API, not the web site?']);
  }
}
