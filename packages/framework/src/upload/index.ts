export { saveLocalRun, loadLocalRun, localRunFileName, timingsSidecarPath, localMetaPath, readLocalRunMode, readLocalRunInterrupted, LocalRunError, type SaveLocalRunOptions } from './local.js';
export { uploadRun, prepareResume, UploadFailedError, TamperedRunError, type UploadOptions, type ResumableRun, type UploadResult, type UploadTransport, type TransportResponse } from './client.js';
export {
  CONSENT_TEXT,
  consentText,
  consentRequired,
  consentFilePath,
  readConsent,
  recordConsent,
  promptConsent,
  noConsentMessage,
  type NoConsent,
  type ConsentRecord,
  type ConsentFlags,
  type ConsentIo,
} from './consent.js';
export { resolveRunSource, readRunSource, RunFetchError, PUBLIC_API_URL, DOCS_URL, REPO_URL, type RunSource } from './fetch-run.js';
export { commandHint, contextArgs, hintContextFrom, llmSpeedCommand, modeFlag, resumeCommand, shellArg, verifyCommand, type HintContext } from './hints.js';
