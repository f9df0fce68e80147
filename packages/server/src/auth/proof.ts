/**
 * The CLI proves it holds the private half of the key being linked: an Ed25519 signature over
 * the framework's login challenge (`llm-speed-login:<device_code>`, one definition shared with the
 * CLI). Binding the device code stops a replayed proof from linking a key to someone else's login.
 * Verified with node:crypto so the server needs no extra package.
 */
import { createPublicKey, verify } from 'node:crypto';
import { loginChallenge } from '@llm-speed/framework';

export { loginChallenge };

/** True when `proofB64url` is a valid signature by `publicKeyB64` (standard base64, 32 bytes) over the challenge. */
export function verifyLoginProof(publicKeyB64: string, deviceCode: string, proofB64url: string): boolean {
  const raw = Buffer.from(publicKeyB64, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== publicKeyB64) return false;
  const signature = Buffer.from(proofB64url, 'base64url');
  if (signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    return verify(null, Buffer.from(loginChallenge(deviceCode), 'utf8'), key, signature);
  } catch {
    return false;
  }
}
