/**
 * Hosted providers as data: adding an OpenAI-compatible provider is one row, no code.
 * Base URLs are the providers' documented API roots; `protocol` picks the streaming adapter.
 */
export interface HostedProvider {
  /** Name used in model refs ("groq:llama-3.1-8b-instant") and as backend_version. */
  name: string;
  /** Environment variable holding the API key. */
  keyEnv: string;
  baseUrl: string;
  protocol: 'openai' | 'anthropic';
  /** Request field for the output cap (OpenAI's newer models reject max_tokens). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** The provider reports cached prompt tokens in usage. */
  reportsCachedTokens?: boolean;
  /**
   * Sampling fields the provider accepts: 'openai' (temperature, top_p, seed, penalties; the API
   * rejects the others) or 'extended' (also top_k, min_p, repetition_penalty).
   */
  sampling: 'openai' | 'extended';
  /** Extra request headers the provider documents (never secrets). */
  headers?: Record<string, string>;
}

export const PROVIDERS: readonly HostedProvider[] = [
  { name: 'openai', keyEnv: 'OPENAI_API_KEY', baseUrl: 'https://api.openai.com/v1', protocol: 'openai', maxTokensField: 'max_completion_tokens', reportsCachedTokens: true, sampling: 'openai' },
  {
    name: 'openrouter',
    keyEnv: 'OPENROUTER_API_KEY',
    baseUrl: 'https://openrouter.ai/api/v1',
    protocol: 'openai',
    reportsCachedTokens: true,
    headers: { 'X-Title': 'llm-speed' },
    sampling: 'extended',
  },
  { name: 'together', keyEnv: 'TOGETHER_API_KEY', baseUrl: 'https://api.together.xyz/v1', protocol: 'openai', sampling: 'extended' },
  { name: 'fireworks', keyEnv: 'FIREWORKS_API_KEY', baseUrl: 'https://api.fireworks.ai/inference/v1', protocol: 'openai', sampling: 'extended' },
  { name: 'groq', keyEnv: 'GROQ_API_KEY', baseUrl: 'https://api.groq.com/openai/v1', protocol: 'openai', sampling: 'openai' },
  // Anthropic's own fields: temperature and top_k (anthropic.ts); it has no seed and no penalties.
  { name: 'anthropic', keyEnv: 'ANTHROPIC_API_KEY', baseUrl: 'https://api.anthropic.com', protocol: 'anthropic', reportsCachedTokens: true, sampling: 'openai' },
];

/** Env var that points a provider at another base URL (a proxy, or a replay server in tests). */
export function baseUrlOverrideEnv(provider: HostedProvider): string {
  return `LLM_SPEED_HOSTED_BASE_URL_${provider.name.toUpperCase()}`;
}

export function providerBaseUrl(provider: HostedProvider, env: NodeJS.ProcessEnv): string {
  return env[baseUrlOverrideEnv(provider)] || provider.baseUrl;
}

export function providerKey(provider: HostedProvider, env: NodeJS.ProcessEnv): string | undefined {
  const key = env[provider.keyEnv]?.trim();
  return key ? key : undefined;
}

export function findProvider(name: string): HostedProvider | undefined {
  return PROVIDERS.find((p) => p.name === name.toLowerCase());
}
