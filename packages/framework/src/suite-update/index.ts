/** Signed suite updates (`llm-speed self-update`) and the user suites folder they go to. */
export { DEFAULT_MANIFEST_URL, manifestUrlFrom, shippedTrustedKeys, updateSuites, type FetchLike, type UpdateOptions, type UpdateReport, type VersionOutcome } from './update.js';
export { parseManifest, signManifest, verifyManifestSignature, type ManifestFile, type ManifestSuite, type SuiteManifest, type TrustedKey } from './manifest.js';
export { userSuitesDir } from './user-dir.js';
