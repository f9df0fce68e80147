export { assertPrivacyInvariant, PrivacyInvariantError, PRIVACY_STRING_LIMIT } from './invariant.js';
export { uploadHeaders, userAgent, isPrivacyMode, PRIVACY_MODES, type PrivacyMode } from './modes.js';
export { buildUploadPayload, type UploadPayloadOptions } from './payload.js';
export {
  privacyViolations,
  assertPrivacyRules,
  scrubRun,
  publicModelRef,
  PrivacyRuleError,
  EXTRAS_STRING_LIMIT,
  EXTRAS_BYTES_LIMIT,
  EXTRAS_ENTRIES_LIMIT,
  EXTRAS_SAFE_STRING,
  FREE_TEXT_LIMIT,
  FREE_STRINGS_LIMIT,
  freeTextSize,
  type PrivacyViolation,
  type PrivacyRuleKind,
} from './rules.js';
export { findPersonalData, scrubText, ALLOWED_HOSTS, PLACEHOLDERS, type PersonalDataKind, type Finding } from './detect.js';
export { findFixtureText, fixtureIndex, FIXTURE_WINDOW } from './fixture-text.js';
export { normalizeText } from './normalize.js';
