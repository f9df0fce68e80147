export { canonicalize, canonicalPayloadBytes, CanonicalizationError } from './jcs.js';
export {
  generateKeyPair,
  signRun,
  toCompactJws,
  verifyCompactJws,
  verifyRun,
  publicKeyToBase64,
  publicKeyFromBase64,
  SignatureError,
  JWS_TYPE,
  MAX_PROTECTED_HEADER_BYTES,
  canonicalHeaderSegment,
  duplicateMember,
  type KeyPair,
  type ProtectedHeader,
  type VerifyResult,
} from './jws.js';
export { verifyEd25519, verifyEd25519Strict, publicKeyProblem, signatureEncodingProblem, nonCanonicalPointReason, type Ed25519Verdict } from './ed25519.js';
export { loadOrCreateKeyPair, ephemeralKeyPair, keyFilePath, KeyFileError } from './keys.js';
export { provenance, installedDependencyLines, frameworkPackageDir, type Provenance } from './provenance.js';
export { standaloneBuild, standaloneRoot, type StandaloneBuild } from './standalone.js';
