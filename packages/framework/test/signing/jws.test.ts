import assert from 'node:assert/strict';
import { canonicalize, canonicalPayloadBytes, generateKeyPair, signRun, SignatureError, toCompactJws, verifyCompactJws, verifyRun } from '../../src/signing/index.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

describe('signRun / verifyRun / compact JWS', () => {
  it('signs with a detached EdDSA JWS whose header embeds the public key', async () => {
    const keys = await generateKeyPair();
    const signed = await signRun(sampleRun(), keys);
    assert.equal(signed.public_key, Buffer.from(keys.publicKey).toString('base64'));
    assert.match(signed.public_key!, /^[A-Za-z0-9+/]{43}=$/);
    const [header, empty, sig] = signed.signature!.split('.');
    assert.equal(empty, '');
    assert.equal(Buffer.from(sig!, 'base64url').length, 64);
    assert.deepEqual(decodeSegment(header!), {
      alg: 'EdDSA',
      typ: 'llm-speed-run+jws',
      jwk: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(keys.publicKey).toString('base64url') },
    });
    assert.deepEqual(await verifyRun(signed), { valid: true });
  });

  it('round-trips through the attached compact JWS, whose payload is the canonical bytes', async () => {
    const signed = await signRun(sampleRun(), await generateKeyPair());
    const token = toCompactJws(signed);
    const [, payload] = token.split('.');
    assert.deepEqual(new Uint8Array(Buffer.from(payload!, 'base64url')), canonicalPayloadBytes(signed));
    const { payload: back, publicKey } = await verifyCompactJws(token);
    assert.equal(publicKey, signed.public_key);
    assert.equal(canonicalize(back), canonicalize(signed));
    assert.deepEqual(await verifyRun(back), { valid: true });
  });

  it('signing twice replaces, not nests, an earlier signature', async () => {
    const once = await signRun(sampleRun(), await generateKeyPair());
    const other = await generateKeyPair();
    const twice = await signRun(once, other);
    assert.equal(twice.public_key, Buffer.from(other.publicKey).toString('base64'));
    assert.deepEqual(await verifyRun(twice), { valid: true });
  });

  it('flipping any single byte of the stored JSON makes verification fail (numbers, strings, nested, signature, key)', async () => {
    const signed = await signRun(sampleRun([sampleResult({ extras: { kv_cache: 'f16', n_gpu_layers: 99 } })]), await generateKeyPair());
    const text = JSON.stringify(signed, null, 2);
    const original = canonicalize(signed);
    const touched = new Set<string>();
    let mutations = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      let replacement: string;
      if (/[0-9]/.test(c)) replacement = c === '9' ? '8' : String(Number(c) + 1);
      else if (/[a-zA-Z]/.test(c)) replacement = c === 'z' ? 'y' : c === 'Z' ? 'Y' : String.fromCharCode(c.charCodeAt(0) + 1);
      else if (c === '+' || c === '/' || c === '_' || c === '-') replacement = 'A';
      else continue;
      const mutated = text.slice(0, i) + replacement + text.slice(i + 1);
      let parsed: unknown;
      try {
        parsed = JSON.parse(mutated);
      } catch {
        continue; // not JSON any more: nothing to verify
      }
      if (canonicalize(parsed) === original) continue; // same value spelled differently (none expected here)
      mutations++;
      const verdict = await verifyRun(parsed);
      assert.equal(verdict.valid, false, `byte ${i} (${JSON.stringify(c)} -> ${JSON.stringify(replacement)}) still verifies: ${text.slice(Math.max(0, i - 30), i + 10)}`);
      const field = /"([a-z_0-9]+)": (?:"[^"]*|[-0-9.e+]*)$/.exec(text.slice(0, i))?.[1];
      if (field) touched.add(field);
    }
    assert.ok(mutations > 500, `only ${mutations} mutations tried`);
    for (const field of ['cpu_cores', 'ram_gb', 'memory_gb', 'decode_tps', 'ttft_ms', 'cpu_model', 'name', 'kv_cache', 'n_gpu_layers', 'started_at', 'signature', 'public_key']) {
      assert.ok(touched.has(field), `no mutation inside ${field}`);
    }
  });

  it('rejects a run whose public_key is not the key in the signature header', async () => {
    const signed = await signRun(sampleRun(), await generateKeyPair());
    const other = await generateKeyPair();
    const verdict = await verifyRun({ ...signed, public_key: Buffer.from(other.publicKey).toString('base64') });
    assert.equal(verdict.valid, false);
    assert.match(verdict.reason!, /public_key does not match/);
  });

  it('rejects unsigned runs, non-objects, and a signature over another payload', async () => {
    assert.equal((await verifyRun(sampleRun())).valid, false);
    assert.equal((await verifyRun(null)).valid, false);
    assert.equal((await verifyRun('{}')).valid, false);
    const a = await signRun(sampleRun(), await generateKeyPair());
    const b = await signRun({ ...sampleRun(), cli_version: '0.2.0' }, await generateKeyPair());
    assert.equal((await verifyRun({ ...a, signature: b.signature, public_key: b.public_key })).valid, false);
  });

  describe('verifyCompactJws refuses', () => {
    let token: string;
    let parts: [string, string, string];
    before(async () => {
      token = toCompactJws(await signRun(sampleRun(), await generateKeyPair()));
      parts = token.split('.') as [string, string, string];
    });
    const reencode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

    it('a changed payload', async () => {
      const payload = decodeSegment(parts[1]) as { cli_version: string };
      payload.cli_version = '9.9.9';
      await assert.rejects(verifyCompactJws(`${parts[0]}.${Buffer.from(canonicalize(payload)).toString('base64url')}.${parts[2]}`), SignatureError);
    });
    it('an alg other than EdDSA (and alg "none")', async () => {
      for (const alg of ['HS256', 'none']) {
        const header = { ...(decodeSegment(parts[0]) as object), alg };
        await assert.rejects(verifyCompactJws(`${reencode(header)}.${parts[1]}.${parts[2]}`), /alg/);
      }
    });
    it('a header key swapped for another one', async () => {
      const other = await generateKeyPair();
      const header = decodeSegment(parts[0]) as { jwk: { x: string } };
      header.jwk.x = Buffer.from(other.publicKey).toString('base64url');
      await assert.rejects(verifyCompactJws(`${reencode(header)}.${parts[1]}.${parts[2]}`), SignatureError);
    });
    it('a detached or malformed token, and a non-canonical payload', async () => {
      await assert.rejects(verifyCompactJws(`${parts[0]}..${parts[2]}`), SignatureError);
      await assert.rejects(verifyCompactJws('abc'), SignatureError);
      await assert.rejects(verifyCompactJws(`${parts[0]}.${parts[1]}.${parts[2]}x`), SignatureError);
    });
  });
});
