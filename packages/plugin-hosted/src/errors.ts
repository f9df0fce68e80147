/**
 * Errors from hosted APIs, with the API key scrubbed. A 429 or 5xx is a property of the provider
 * at that moment: it carries the status so the harness records a result `error`, not a crash.
 */
import { DriverError, HttpStatusError, LlmSpeedError, errorMessage, providerErrorMessage } from '@llm-speed/framework';

export class HostedApiError extends DriverError {
  readonly status?: number;
  constructor(provider: string, message: string, options: { status?: number; suggestions?: string[] } = {}) {
    super(`hosted-api/${provider}`, message, { suggestions: options.suggestions });
    this.name = 'HostedApiError';
    this.status = options.status;
  }
}

/** Replaces every occurrence of the key (and of its longer fragments, which some providers echo). */
export function scrub(text: string, key: string | undefined): string {
  if (!key) return text;
  let out = text.split(key).join('***');
  // "Incorrect API key provided: sk-abc...xyz": providers may echo a prefix of the key.
  if (key.length >= 12) {
    for (let len = key.length - 1; len >= 8; len--) out = out.split(key.slice(0, len)).join('***');
  }
  return out;
}

function suggestionsFor(status: number | undefined): string[] {
  if (status === 429) return ['The provider is rate-limiting this key: wait, or run fewer parallel streams.'];
  if (status === 401 || status === 403) return ['Check the API key in the environment.'];
  if (status !== undefined && status >= 500) return ['The provider had a server error; try again later.'];
  return [];
}

/** Turns any error of a hosted request into a HostedApiError whose text never contains the key. */
export function toHostedError(provider: string, error: unknown, key: string | undefined): HostedApiError {
  if (error instanceof HttpStatusError) {
    const detail = providerErrorMessage(error);
    return new HostedApiError(provider, scrub(`answered HTTP ${error.status}${detail ? `: ${detail}` : ''}`, key), {
      status: error.status,
      suggestions: suggestionsFor(error.status),
    });
  }
  const message = errorMessage(error).replace(/^hosted-api\/[^:]+: /, '');
  const suggestions = error instanceof LlmSpeedError ? error.suggestions.map((s) => scrub(s, key)) : [];
  return new HostedApiError(provider, scrub(message, key), { suggestions });
}
