/**
 * The CLI proves it holds the private half of the key being linked: an Ed25519 signature over
 * the framework's login challenge (`llm-speed-login:<device_code>`, one definition shared with the
 * CLI). Binding the device code stops a replayed proof from linking a key to someone else's login.
 * Verified with the framework's strict Ed25519 (the same check as run signatures): a small-order
 * key with a zero signature would otherwise "prove" any device code.
 */
import { loginChallenge, verifyEd25519 } from '@llm-speed/framework';

export { loginChallenge };

/** True when `proofB64url` is a valid signature by `publicKeyB64` (standard base64, 32 bytes) over the challenge. */
export function verifyLoginProof(publicKeyB64: string, deviceCode: string, proofB64url: string): boolean {
  const raw = Buffer.from(publicKeyB64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== publicKeyB64) return false;
  const signature = Buffer.from(proofB64url, 'base64url');
  if (signature.length !== 64) return false;
  if (signature.toString('base64url') !== proofB64url) return false;
  return verifyEd25519(new Uint8Array(signature), new TextEncoder().encode(loginChallenge(deviceCode)), new Uint8Array(raw));
}
