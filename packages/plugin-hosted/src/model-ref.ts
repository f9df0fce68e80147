/**
 * Model refs for hosted APIs: `<provider>:<model id as the provider spells it>`, e.g.
 * "openrouter:meta-llama/llama-4-scout", "groq:llama-3.1-8b-instant", "anthropic:claude-sonnet-4-5".
 * A colon separates the provider because provider model ids themselves contain slashes.
 */
import { UsageError } from '@llm-speed/framework';
import { PROVIDERS, findProvider, type HostedProvider } from './providers.js';

export interface HostedModelRef {
  provider: HostedProvider;
  model: string;
}

export function parseHostedModelRef(ref: string | undefined): HostedModelRef {
  const names = PROVIDERS.map((p) => p.name).join(', ');
  const example = 'e.g. --model openrouter:meta-llama/llama-4-scout';
  if (!ref) throw new UsageError(`hosted-api needs a model as <provider>:<model>, ${example}`, [`Providers: ${names}.`]);
  const colon = ref.indexOf(':');
  if (colon <= 0 || colon === ref.length - 1) throw new UsageError(`"${ref}" is not <provider>:<model> (${example})`, [`Providers: ${names}.`]);
  const provider = findProvider(ref.slice(0, colon));
  if (!provider) throw new UsageError(`unknown hosted provider "${ref.slice(0, colon)}"`, [`Providers: ${names}.`]);
  return { provider, model: ref.slice(colon + 1) };
}
