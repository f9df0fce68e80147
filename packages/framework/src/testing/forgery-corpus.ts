/**
 * The forgery corpus (issue 12): from one genuine signed run, thousands of deterministic mutations
 * an attacker without the private key would try: bit flips in header, payload and signature,
 * content re-signed under another key while the header keeps the original key, swapped keys,
 * other algorithms and odd spellings of EdDSA, duplicate keys and non-canonical JSON, truncations,
 * small-order keys with zero signatures, malleable S, and protected headers other than the one
 * canonical header (issue 24: extra members, private key parts, duplicates, suite prompt text,
 * deep nesting, typ variants, re-spacing), each validly signed by the key it names. A results
 * server must store none of them (or, at most, the genuine content again). Used by the server's
 * test and by bench/forgery.mjs.
 */
import { createHash, createHmac, createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import { Pool } from 'undici';
import type { RunPayload } from '../contract/generated/run.js';
import { canonicalize, canonicalPayloadBytes } from '../signing/jcs.js';
import { signRun, toCompactJws } from '../signing/jws.js';
import { SUITES_ROOT } from '../suite/load.js';
import { sampleResult, sampleRun } from './sample-run.js';

export interface Mutation {
  kind: string;
  body: string;
  contentType: string;
}

export interface ForgeryCorpus {
  genuineToken: string;
  genuineRun: RunPayload;
  /** The JCS bytes of the genuine run without signature and public_key: what an accepted body must carry. */
  genuineContent: string;
  publicKey: string;
  mutations: Mutation[];
}

/** mulberry32: a small seeded PRNG, so the corpus is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const b64 = (bytes: Uint8Array | string) => Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes).toString('base64url');
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'));
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

function seededSecret(label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`llm-speed forgery corpus ${label}`).digest());
}

/** The eight small-order points plus non-canonical spellings of some (y ≥ p, sign bit on x = 0). */
function smallOrderKeys(): Uint8Array[] {
  const canonical = [
    '0100000000000000000000000000000000000000000000000000000000000000',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0000000000000000000000000000000000000000000000000000000000000080',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  ].map((h) => new Uint8Array(Buffer.from(h, 'hex')));
  const nonCanonical = [le32(P), le32(P + 1n), le32(P + 1n), le32(1n), le32(P - 1n)].map((k, i) => {
    if (i >= 2) k[31]! |= 0x80;
    return k;
  });
  return [...canonical, ...nonCanonical];
}

function headerOf(fields: Record<string, unknown>): string {
  return b64(canonicalize(fields));
}

/** The canonical header's text for a key (members in RFC 8785 order), from which the variants below are spelled. */
function canonicalHeaderText(x: string): string {
  return canonicalize({ alg: 'EdDSA', jwk: { crv: 'Ed25519', kty: 'OKP', x }, typ: 'llm-speed-run+jws' });
}

/** Prompt text of the shipped suite-v1 fixtures (W2's paragraphs), so the smuggled text is real. */
function suiteProse(length: number): string {
  const text = readFileSync(join(SUITES_ROOT, 'suite-v1', 'fixtures', 'w2-paragraphs.txt'), 'utf8').replace(/\s+/g, ' ');
  return text.repeat(Math.ceil(length / text.length)).slice(0, length);
}

/**
 * Protected headers other than the canonical one, as the text that is base64url-encoded and
 * signed, for the key `x` (another key's `y` where a header names two). Each class is one the
 * issue-24 probe got stored and served with a run; every one must be refused however validly it
 * is signed.
 */
export function headerForgeries(x: string, y: string): Array<{ kind: string; text: string }> {
  const c = canonicalHeaderText(x);
  const jwk = `{"crv":"Ed25519","kty":"OKP","x":"${x}"}`;
  /** The canonical header with `extra` members added at the end (`,"kid":"…"`). */
  const plus = (extra: string) => c.slice(0, -1) + extra + '}';
  /** The canonical header with members added to its jwk. */
  const jwkPlus = (extra: string) => c.replace(`"x":"${x}"}`, `"x":"${x}"${extra}}`);
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const out: Array<{ kind: string; text: string }> = [];
  const add = (kind: string, ...texts: string[]) => texts.forEach((text) => out.push({ kind: `header: ${kind}`, text }));
  add(
    'extra member (kid, x5u, jku, …)',
    plus(',"kid":"alice.smith@example.com"'),
    plus(',"kid":"alice-desktop.local"'),
    plus(',"kid":""'),
    plus(',"x5u":"https://attacker.example/cert.pem"'),
    plus(',"jku":"https://attacker.example/jwks.json"'),
    plus(',"x5c":["MIIB"]'),
    plus(',"x5t":"AAAA"'),
    plus(',"cty":"json"'),
    plus(',"b64":false'),
    plus(',"zip":"DEF"'),
    plus(',"url":"https://llm-speed.com/v1/results"'),
    plus(',"nonce":"1"'),
    plus(',"iat":1764806400'),
    plus(',"__proto__":{"alg":"none"}'),
    plus(',"crit":["b64"],"b64":false'),
    `{"alg":"EdDSA","jwk":${jwk},"kid":"alice","typ":"llm-speed-run+jws"}`,
  );
  add(
    'jwk with a private key part or other members',
    jwkPlus(`,"d":"${Buffer.alloc(32, 7).toString('base64url')}"`),
    jwkPlus(',"kid":"alice.smith@example.com"'),
    jwkPlus(',"use":"sig"'),
    jwkPlus(',"alg":"EdDSA"'),
    jwkPlus(',"key_ops":["verify"]'),
    jwkPlus(`,"x5u":"https://attacker.example/cert.pem"`),
  );
  add(
    'duplicate members',
    c.replace('{"alg":"EdDSA"', '{"alg":"EdDSA","alg":"EdDSA"'),
    c.replace('{"alg":"EdDSA"', '{"alg":"none","alg":"EdDSA"'),
    c.replace('{"alg":"EdDSA"', '{"alg":"EdDSA","\\u0061lg":"EdDSA"'),
    c.replace('{"alg":"EdDSA",', `{"alg":"EdDSA","jwk":{"crv":"Ed25519","kty":"OKP","x":"${y}"},`),
    c.replace('"typ":"llm-speed-run+jws"', '"typ":"JWT","typ":"llm-speed-run+jws"'),
    c.replace('"typ":"llm-speed-run+jws"', '"typ":"llm-speed-run+jws","typ":"llm-speed-run+jws"'),
    c.replace(`"x":"${x}"`, `"x":"${y}","x":"${x}"`),
    c.replace('"kty":"OKP"', '"kty":"EC","kty":"OKP"'),
  );
  add(
    "the suite's prompt text",
    plus(`,"kid":${JSON.stringify(suiteProse(10_000))}`),
    plus(`,"note":${JSON.stringify(suiteProse(2_000))}`),
    plus(`,"p":${JSON.stringify(suiteProse(120))}`),
    c.replace('"typ":"llm-speed-run+jws"', `"typ":${JSON.stringify(suiteProse(10_000))}`),
    jwkPlus(`,"kid":${JSON.stringify(suiteProse(10_000))}`),
  );
  add('deep nesting', ...[2_000, 5_000, 10_000].map((d) => plus(`,"n":${nested(d)}`)), plus(`,"n":${nested(40)}`), jwkPlus(`,"n":${nested(3_000)}`));
  add(
    'typ variants',
    c.replace(',"typ":"llm-speed-run+jws"', ''),
    ...['JWT', 'JOSE', 'jose+json', 'LLM-SPEED-RUN+JWS', 'application/llm-speed-run+jws', 'llm-speed-run+jws ', 'llm-speed-run', 'llm-speed-run+jwt', ''].map((typ) =>
      c.replace('"typ":"llm-speed-run+jws"', `"typ":${JSON.stringify(typ)}`),
    ),
    ...['null', '1', '["llm-speed-run+jws"]', '{"typ":"llm-speed-run+jws"}'].map((typ) => c.replace('"typ":"llm-speed-run+jws"', `"typ":${typ}`)),
  );
  add(
    're-spaced or re-ordered',
    c.replace('{', '{ '),
    c.replace(/,/g, ', '),
    c.replace(/:/g, ': '),
    JSON.stringify(JSON.parse(c), null, 2),
    c + '\n',
    ' ' + c,
    `{"typ":"llm-speed-run+jws","alg":"EdDSA","jwk":${jwk}}`,
    c.replace(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`, `{"x":"${x}","kty":"OKP","crv":"Ed25519"}`),
    c.replace('"EdDSA"', '"\\u0045dDSA"'),
    c.replace('"llm-speed-run+jws"', '"llm-speed-run\\u002bjws"'),
    '\ufeff' + c,
  );
  return out;
}

export async function buildForgeryCorpus(options: { seed?: number; perKind?: number } = {}): Promise<ForgeryCorpus> {
  const random = prng(options.seed ?? 12);
  const n = options.perKind ?? 1000;
  const int = (max: number) => Math.floor(random() * max);

  const secretKey = seededSecret('genuine');
  const keys = { secretKey, publicKey: await ed.getPublicKeyAsync(secretKey) };
  const genuineRun = await signRun(sampleRun([sampleResult(), sampleResult({ workload: 'chat-long', decode_tps: 101.25 })]), keys);
  const genuineToken = toCompactJws(genuineRun);
  const [header, payload, signature] = genuineToken.split('.') as [string, string, string];
  const headerJson = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
  const x = (headerJson.jwk as { x: string }).x;
  const genuineContent = new TextDecoder().decode(canonicalPayloadBytes(genuineRun));
  const others = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const sk = seededSecret(`attacker ${i}`);
      return { secretKey: sk, publicKey: await ed.getPublicKeyAsync(sk) };
    }),
  );

  const out: Mutation[] = [];
  const seen = new Set<string>([genuineToken]);
  const add = (kind: string, body: string, contentType = 'application/jose') => {
    if (seen.has(body)) return;
    seen.add(body);
    out.push({ kind, body, contentType });
  };
  const flipBit = (bytes: Uint8Array) => {
    const copy = Uint8Array.from(bytes);
    const bit = int(copy.length * 8);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    return copy;
  };
  /** A payload whose content differs from the genuine one: one figure changed. */
  const editedRun = (i: number): RunPayload => {
    const run = structuredClone(genuineRun);
    delete run.signature;
    delete run.public_key;
    run.results[0]!.decode_tps = [123456.78, 9999, 187.5, 0, 1e6][i % 5]! + Math.floor(i / 5);
    if (i % 7 === 0) run.results[0]!.model.name = `Qwen2.5-7B-Instruct-${i}`;
    return run;
  };
  // node:crypto signs some 20x faster than pure JS, and the corpus needs thousands of signatures.
  const privateKeys = new Map<Uint8Array, KeyObject>();
  const signWith = async (input: string, sk: Uint8Array) => {
    let key = privateKeys.get(sk);
    if (!key) {
      key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), sk]), format: 'der', type: 'pkcs8' });
      privateKeys.set(sk, key);
    }
    return b64(cryptoSign(null, Buffer.from(input, 'utf8'), key));
  };
  const zeroSignature = (r: Uint8Array, s: bigint) => {
    const sig = new Uint8Array(64);
    sig.set(r, 0);
    sig.set(le32(s), 32);
    return b64(sig);
  };

  // 1–3: bit flips in the decoded header, payload and signature.
  const headerBytes = unb64(header);
  const payloadBytes = unb64(payload);
  const sigBytes = unb64(signature);
  for (let i = 0; i < n; i++) add('bit flip: header', `${b64(flipBit(headerBytes))}.${payload}.${signature}`);
  for (let i = 0; i < 7 * n; i++) add('bit flip: payload', `${header}.${b64(flipBit(payloadBytes))}.${signature}`);
  for (let i = 0; i < n; i++) add('bit flip: signature', `${header}.${payload}.${b64(flipBit(sigBytes))}`);
  // 4: one character of the compact token replaced (base64url alphabet, and a few outside it).
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=. ';
  for (let i = 0; i < 2 * n; i++) {
    const at = int(genuineToken.length);
    add('character substituted', genuineToken.slice(0, at) + alphabet[int(alphabet.length)] + genuineToken.slice(at + 1));
  }
  // 5: new content signed by another key, the header still naming the genuine key.
  for (let i = 0; i < n; i++) {
    const edited = b64(canonicalPayloadBytes(editedRun(i)));
    add('re-signed under another key, original key kept', `${header}.${edited}.${await signWith(`${header}.${edited}`, others[i % others.length]!.secretKey)}`);
  }
  // 6: keys swapped: the header names another key (the genuine signature, or one by the genuine key over edited content).
  for (let i = 0; i < n; i++) {
    const other = others[i % others.length]!;
    const swapped = headerOf({ ...headerJson, jwk: { crv: 'Ed25519', kty: 'OKP', x: b64(other.publicKey) } });
    if (i % 2 === 0) add('key swapped', `${swapped}.${payload}.${signature}`);
    else {
      const edited = b64(canonicalPayloadBytes(editedRun(i)));
      add('key swapped', `${swapped}.${edited}.${await signWith(`${header}.${edited}`, secretKey)}`);
    }
  }
  // 7: other algorithms and spellings; HS256 keyed with the public key (the classic confusion).
  const algs: unknown[] = [
    'none',
    'None',
    'NONE',
    'HS256',
    'HS512',
    'ES256',
    'RS256',
    'PS256',
    'eddsa',
    'EDDSA',
    'EdDsa',
    'Ed25519',
    'ED25519',
    'EdDSA ',
    ' EdDSA',
    'EdDSA\u0000',
    'Ed\u0044SA\u200b',
    null,
    0,
    true,
    ['EdDSA'],
    { alg: 'EdDSA' },
    '',
  ];
  for (let i = 0; i < n; i++) {
    const alg = algs[i % algs.length];
    const fields: Record<string, unknown> = { ...headerJson, alg };
    if (i % algs.length === algs.length - 1) delete fields.alg;
    const h = headerOf(fields);
    const edited = i % 3 === 0 ? payload : b64(canonicalPayloadBytes(editedRun(i)));
    const input = `${h}.${edited}`;
    const sigs = [
      '',
      signature,
      createHmac('sha256', Buffer.from(x, 'base64url')).update(input).digest('base64url'),
      createHmac('sha256', x).update(input).digest('base64url'),
      await signWith(input, others[i % others.length]!.secretKey),
    ];
    add('alg none/HS256/ES256/odd spellings', `${input}.${sigs[i % sigs.length]}`);
  }
  // 8: duplicate members and non-canonical JSON, in the header and in the payload.
  const headerText = Buffer.from(header, 'base64url').toString('utf8');
  const payloadText = Buffer.from(payload, 'base64url').toString('utf8');
  const nonCanonical = [
    (t: string) => t.replace('{', '{"alg":"none",'),
    (t: string) => t.replace(/}$/, ',"alg":"none"}'),
    (t: string) => t.replace('{', '{ '),
    (t: string) => JSON.stringify(JSON.parse(t), null, 2),
    (t: string) => t.replace(/"decode_tps":187\.4/, '"decode_tps":187.40'),
    (t: string) => t.replace(/"decode_tps":187\.4/, '"decode_tps":1.874e2'),
    (t: string) => t.replace(/"decode_tps":187\.4/, '"decode_tps":123456.78,"decode_tps":187.4'),
    (t: string) => t.replace(/"decode_tps":187\.4/, '"decode_tps":187.4,"decode_tps":123456.78'),
    (t: string) => t.replace('"workload"', '"\\u0077orkload"'),
    (t: string) => t + ' ',
    (t: string) => '\ufeff' + t,
    (t: string) => t.replace(/"cli_version":"[^"]*"/, (m) => `${m},"cli_version":"9.9.9"`),
  ];
  for (let i = 0; i < n; i++) {
    const change = nonCanonical[i % nonCanonical.length]!;
    const inHeader = i % 2 === 0;
    const content = i % 4 < 2 ? payloadText : canonicalize(editedRun(i));
    const h = inHeader ? b64(change(headerText)) : header;
    const p = inHeader ? b64(content) : b64(change(content));
    // The genuine signature, or one by another key (the header still names the genuine key), or
    // by the genuine key over the genuine input (so only the changed part differs).
    const sigs = [signature, await signWith(`${h}.${p}`, others[i % others.length]!.secretKey)];
    add('duplicate keys / non-canonical JSON', `${h}.${p}.${sigs[(i >> 1) % sigs.length]}`);
  }
  // 9: truncations, missing or extra segments, whitespace.
  for (let i = 0; i < n; i++) {
    const cut = 1 + int(genuineToken.length - 2);
    const forms = [
      genuineToken.slice(0, cut),
      genuineToken.slice(cut),
      `${header}.${payload}`,
      `${header}..${signature}`,
      `${header}.${payload}.${signature}.${signature}`,
      `${header}.${payload}.${signature.slice(0, 1 + int(signature.length - 1))}`,
      `${header}.${payload.slice(0, cut % payload.length)}.${signature}`,
      `${header}.${payload}.${signature}${'A'.repeat(1 + (i % 4))}`,
      `${header}.${payload}.${signature}`.replace('.', ' .'),
    ];
    add('truncation / segments', forms[i % forms.length]!);
  }
  // 10: small-order keys (all eight torsion points and non-canonical spellings) with zero-ish signatures.
  const small = smallOrderKeys();
  const identityR = le32(1n);
  for (let i = 0; i < n; i++) {
    const key = small[i % small.length]!;
    const h = headerOf({ ...headerJson, jwk: { crv: 'Ed25519', kty: 'OKP', x: b64(key) } });
    const p = i % 4 === 0 ? payload : b64(canonicalPayloadBytes(editedRun(i)));
    const r = [identityR, small[(i >> 2) % small.length]!, le32(P + 1n)][i % 3]!;
    const s = [0n, L, 1n, L - 1n][(i >> 3) % 4]!;
    add('small-order key, zero signature', `${h}.${p}.${zeroSignature(r, s)}`);
    if (i % 5 === 0) {
      // the same forgery as a stored run JSON (the detached form the server also accepts)
      const run = { ...editedRun(i), public_key: Buffer.from(key).toString('base64'), signature: `${h}..${zeroSignature(r, s)}` };
      add('small-order key, zero signature', JSON.stringify(run), 'application/json');
    }
  }
  // 11: malleability: S + kL for the genuine signature (same content, a second spelling of the signature).
  const s0 = BigInt('0x' + Buffer.from(sigBytes.subarray(32)).reverse().toString('hex'));
  for (let k = 1n; s0 + k * L < 2n ** 256n; k++) add('S + kL (malleable signature)', `${header}.${payload}.${zeroSignature(sigBytes.subarray(0, 32), s0 + k * L)}`);
  // 12: the stored-run JSON form with fields edited, keys swapped or signatures moved.
  for (let i = 0; i < n / 2; i++) {
    const run = structuredClone(genuineRun) as RunPayload & Record<string, unknown>;
    const other = others[i % others.length]!;
    switch (i % 5) {
      case 0:
        run.results[0]!.decode_tps = 123456.78 + i;
        break;
      case 1:
        run.public_key = Buffer.from(other.publicKey).toString('base64');
        break;
      case 2: {
        const edited = editedRun(i);
        const resigned = await signRun(edited, other);
        run.results = edited.results;
        run.signature = resigned.signature; // another key's signature, the genuine public_key kept
        break;
      }
      case 3:
        run.signature = `${b64(flipBit(headerBytes))}..${signature}`;
        break;
      default:
        run.extra_field = i;
    }
    add('stored-run JSON edited', JSON.stringify(run), 'application/json');
  }
  // 13: protected headers other than the canonical one, each signed by the key it names: the
  // genuine key over the genuine content (its owner adding a kid or re-spacing), another key over
  // the genuine content (a re-signed copy) and over edited content; some as stored-run JSON.
  const unsigned = structuredClone(genuineRun);
  delete unsigned.signature;
  delete unsigned.public_key;
  for (const [k, signer] of [{ secretKey, publicKey: keys.publicKey }, ...others.slice(0, 2)].entries()) {
    const forged = headerForgeries(b64(signer.publicKey), b64(others[(k + 3) % others.length]!.publicKey));
    for (const [i, { kind, text }] of forged.entries()) {
      const h = b64(text);
      const p = k > 0 && i % 2 === 1 ? b64(canonicalPayloadBytes(editedRun(i))) : payload;
      const sig = await signWith(`${h}.${p}`, signer.secretKey);
      add(kind, `${h}.${p}.${sig}`);
      if (i % 3 === 0) {
        const run = { ...(p === payload ? unsigned : editedRun(i)), public_key: Buffer.from(signer.publicKey).toString('base64'), signature: `${h}..${sig}` };
        add(kind, JSON.stringify(run), 'application/json');
      }
    }
  }
  return { genuineToken, genuineRun, genuineContent, publicKey: genuineRun.public_key!, mutations: out };
}

export interface PostOutcome {
  mutation: Mutation;
  status: number;
  body: string;
}

/** POSTs every mutation to `<url>/v1/results` over a keep-alive pool; answers in corpus order. */
export async function postCorpus(url: string, mutations: Mutation[], options: { connections?: number } = {}): Promise<PostOutcome[]> {
  const connections = options.connections ?? 8;
  const pool = new Pool(url, { connections, pipelining: 1 });
  const outcomes = new Array<PostOutcome>(mutations.length);
  let next = 0;
  const worker = async () => {
    while (next < mutations.length) {
      const index = next++;
      const mutation = mutations[index]!;
      const res = await pool.request({ path: '/v1/results', method: 'POST', headers: { 'content-type': mutation.contentType }, body: mutation.body });
      outcomes[index] = { mutation, status: res.statusCode, body: await res.body.text() };
    }
  };
  try {
    await Promise.all(Array.from({ length: connections * 2 }, worker));
  } finally {
    await pool.close();
  }
  return outcomes;
}
