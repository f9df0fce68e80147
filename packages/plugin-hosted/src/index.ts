export { hostedDriver, HOSTED_NOTE } from './driver.js';
export { PROVIDERS, baseUrlOverrideEnv, type HostedProvider } from './providers.js';
export { parseHostedModelRef, type HostedModelRef } from './model-ref.js';
export { streamAnthropicMessages, ANTHROPIC_VERSION } from './anthropic.js';
export { HostedApiError, scrub } from './errors.js';
