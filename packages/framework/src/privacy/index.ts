export { assertPrivacyInvariant, PrivacyInvariantError, PRIVACY_STRING_LIMIT } from './invariant.js';
export { uploadHeaders, userAgent, isPrivacyMode, PRIVACY_MODES, type PrivacyMode } from './modes.js';
export { buildUploadPayload, type UploadPayloadOptions } from './payload.js';
