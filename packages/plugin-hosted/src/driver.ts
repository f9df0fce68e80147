/**
 * The hosted-api driver: OpenAI-compatible providers through the framework's shared streaming
 * code, Anthropic through its Messages adapter. It measures the provider's service over the
 * network, not local hardware, and every result says so (flag + extras).
 */
import {
  listOpenAiModels,
  streamOpenAiCompletion,
  type Driver,
  type DriverCapabilities,
  type DriverContext,
  type DriverDetection,
  type DriverSession,
  type GenerationEvent,
  type GenerationRequest,
  type ModelInfo,
} from '@llm-speed/framework';
import { streamAnthropicMessages } from './anthropic.js';
import { HostedApiError, toHostedError } from './errors.js';
import { parseHostedModelRef } from './model-ref.js';
import { PROVIDERS, providerBaseUrl, providerKey, type HostedProvider } from './providers.js';

const NAME = 'hosted-api';
export const HOSTED_NOTE = 'measures the provider API over the network, not local hardware';

function capabilitiesOf(provider?: HostedProvider): DriverCapabilities {
  // Output length cannot be forced (no ignore_eos): the harness flags short outputs.
  return { streaming: true, true_concurrency: true, prefix_cache_stats: provider?.reportsCachedTokens ?? false, exact_output_length: false };
}

function configured(env: NodeJS.ProcessEnv): HostedProvider[] {
  return PROVIDERS.filter((p) => providerKey(p, env) !== undefined);
}

function messagesOf(request: GenerationRequest) {
  return request.messages ?? [{ role: 'user' as const, content: request.prompt ?? '' }];
}

/** Re-throws every failure of a stream as a HostedApiError with the key scrubbed. */
async function* guarded(provider: string, key: string, start: () => AsyncIterable<GenerationEvent>): AsyncGenerator<GenerationEvent> {
  try {
    yield* start();
  } catch (error) {
    throw toHostedError(provider, error, key);
  }
}

function streamFor(provider: HostedProvider, key: string, baseUrl: string, model: string, request: GenerationRequest): AsyncIterable<GenerationEvent> {
  const messages = messagesOf(request);
  if (provider.protocol === 'anthropic') {
    return streamAnthropicMessages({ baseUrl, apiKey: key, model, messages, maxTokens: request.maxTokens, sampling: request.sampling, signal: request.signal, source: provider.name });
  }
  const body = {
    model,
    messages: messages.map((m) => ({ role: m.role, content: m.content, ...(m.name ? { name: m.name } : {}) })),
    [provider.maxTokensField ?? 'max_tokens']: request.maxTokens,
  };
  return streamOpenAiCompletion({
    baseUrl,
    path: '/v1/chat/completions',
    body,
    sampling: request.sampling,
    samplingDialect: provider.sampling,
    headers: { authorization: `Bearer ${key}`, ...provider.headers },
    signal: request.signal,
    source: provider.name,
  });
}

export const hostedDriver: Driver = {
  name: NAME,

  async detect(ctx: DriverContext): Promise<DriverDetection> {
    // No network call here: detection must be instant and must not spend the user's quota.
    const providers = configured(ctx.env);
    if (providers.length === 0) {
      return { name: NAME, available: false, reason: `no API key set (${PROVIDERS.map((p) => p.keyEnv).join(', ')})` };
    }
    const names = providers.map((p) => p.name).join(', ');
    return {
      name: NAME,
      available: true,
      version: `providers: ${names}`,
      reason: `API keys found for ${names}; use --model <provider>:<model>`,
      build: { kind: 'remote' },
      capabilities: capabilitiesOf(),
    };
  },

  async listModels(ctx: DriverContext): Promise<ModelInfo[]> {
    const lists = await Promise.all(
      configured(ctx.env).map(async (provider) => {
        const key = providerKey(provider, ctx.env)!;
        const headers: Record<string, string> = provider.protocol === 'anthropic' ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${key}` };
        try {
          const models = await listOpenAiModels(providerBaseUrl(provider, ctx.env), headers, { signal: ctx.signal, timeoutMs: 10_000 });
          return models.map((m) => ({ identifier: `${provider.name}:${m.id}`, name: m.id }));
        } catch (error) {
          ctx.log(toHostedError(provider.name, error, key).message);
          return [];
        }
      }),
    );
    return lists.flat();
  },

  async open(modelRef: string | undefined, _options, ctx: DriverContext): Promise<DriverSession> {
    const { provider, model } = parseHostedModelRef(modelRef);
    const key = providerKey(provider, ctx.env);
    if (!key) throw new HostedApiError(provider.name, `${provider.keyEnv} is not set`, { suggestions: [`Export ${provider.keyEnv} to benchmark ${provider.name}.`] });
    const baseUrl = providerBaseUrl(provider, ctx.env);
    return {
      model: { identifier: `${provider.name}:${model}`, name: model },
      backendVersion: provider.name,
      capabilities: capabilitiesOf(provider),
      // The provider's hardware is not ours to see: said as remote, with no device names.
      backendBuild: { kind: 'remote' },
      extras: { provider: provider.name, protocol: provider.protocol, note: HOSTED_NOTE },
      flags: ['hosted-provider'],
      generate: (request) => guarded(provider.name, key, () => streamFor(provider, key, baseUrl, model, request)),
      async close() {
        // Stateless HTTP: nothing to release.
      },
    };
  },
};
