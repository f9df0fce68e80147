export {
  saveLocalRun,
  loadLocalRun,
  localRunFileName,
  timingsSidecarPath,
  localMetaPath,
  readLocalRunMode,
  readLocalRunInterrupted,
  LocalRunError,
  type SaveLocalRunOptions,
} from './local.js';
export {
  uploadRun,
  prepareResume,
  resumeCommand,
  modeFlag,
  UploadFailedError,
  TamperedRunError,
  type UploadOptions,
  type ResumableRun,
  type UploadResult,
  type UploadTransport,
  type TransportResponse,
} from './client.js';
export {
  CONSENT_TEXT,
  consentRequired,
  consentFilePath,
  readConsent,
  recordConsent,
  promptConsent,
  noConsentMessage,
  type ConsentRecord,
  type ConsentFlags,
  type ConsentIo,
} from './consent.js';
export { resolveRunSource, readRunSource, RunFetchError, PUBLIC_API_URL, type RunSource } from './fetch-run.js';
