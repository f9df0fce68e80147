import assert from 'node:assert/strict';
import { assertPrivacyInvariant, buildUploadPayload, PrivacyInvariantError, uploadHeaders } from '../../src/privacy/index.js';
import { ValidationError } from '../../src/errors.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { uploadBackends } from '../../src/privacy/payload.js';
import type { RunPayload } from '../../src/contract/generated/run.js';
import { sampleResult, sampleRun } from '../helpers/sample-run.js';

const long = 'Once upon a time, in a prompt that should never leave the machine. '.repeat(5); // > 256

function refusalAt(path: string) {
  return (error: unknown) => {
    assert.ok(error instanceof PrivacyInvariantError);
    assert.equal(error.message, `upload payload contains unexpected long string at ${path}; refusing to upload (privacy invariant).`);
    return true;
  };
}

describe('privacy invariant', () => {
  it('refuses a long string planted in extras, naming its path exactly', () => {
    assert.ok(long.length > 256);
    const run = sampleRun([sampleResult(), sampleResult({ extras: { note: long } })]);
    assert.throws(() => assertPrivacyInvariant(run), refusalAt('results[1].extras.note'));
  });

  it('checks nested arrays and fingerprint extras too', () => {
    const run = sampleRun();
    run.fingerprint.extras.backends['llama.cpp'] = long;
    assert.throws(() => assertPrivacyInvariant(run), refusalAt('fingerprint.extras.backends.llama.cpp'));
    const flagged = sampleRun([sampleResult({ flags: ['ok', long] })]);
    assert.throws(() => assertPrivacyInvariant(flagged), refusalAt('results[0].flags[1]'));
  });

  it('allows exactly 256 characters, refuses 257', () => {
    assertPrivacyInvariant(sampleRun([sampleResult({ extras: { note: 'x'.repeat(256) } })]));
    assert.throws(() => assertPrivacyInvariant(sampleRun([sampleResult({ extras: { note: 'x'.repeat(257) } })])), PrivacyInvariantError);
  });

  it('lets long strings through at the whitelisted positions only: the list PRIVACY.md gives', () => {
    const privacy = readFileSync(fileURLToPath(new URL('../../../../docs/PRIVACY.md', import.meta.url)), 'utf8').replace(/\s+/g, ' ');
    assert.ok(
      privacy.includes(
        '(`accelerator_summary`, `error`, `fingerprint_hash`, `public_key`, `signature`, `suite_version`, `cli_version`, `model.{identifier,name,size,quant,digest}`, `workload`, `backend`, `backend_version`)',
      ),
      'PRIVACY.md lists the whitelist this test holds',
    );
    const run = sampleRun([
      sampleResult({
        error: long,
        suite_version: long,
        workload: long as never,
        backend: long,
        backend_version: long,
        model: { identifier: long, name: long, size: long, quant: long, digest: long },
      }),
    ]);
    run.fingerprint.accelerator_summary = long;
    run.fingerprint.fingerprint_hash = long;
    run.signature = long;
    run.public_key = long;
    run.cli_version = long;
    assertPrivacyInvariant(run);
    // The same names inside extras are not whitelisted: a driver cannot smuggle text by naming it "error".
    for (const key of ['error', 'backend', 'signature', 'accelerator_summary']) {
      assert.throws(() => assertPrivacyInvariant(sampleRun([sampleResult({ extras: { [key]: long } })])), refusalAt(`results[0].extras.${key}`));
    }
  });
});

describe('privacy invariant: keys and the error', () => {
  it('refuses a key longer than 256 characters, naming where it is', () => {
    assertPrivacyInvariant(sampleRun([sampleResult({ extras: { ['k'.repeat(256)]: 1 } })]));
    const key = 'k'.repeat(257);
    assert.throws(() => assertPrivacyInvariant(sampleRun([sampleResult({ extras: { [key]: 1 } })])), refusalAt(`results[0].extras.${key}`));
  });

  it('is a typed error that says nothing was sent', () => {
    assert.throws(
      () => assertPrivacyInvariant(long),
      (e: unknown) =>
        e instanceof PrivacyInvariantError && e.path === '(root)' && e.code === 'privacy-invariant' && e.name === 'PrivacyInvariantError' && /nothing was sent/.test(e.suggestions.join(' ')),
    );
  });
});

describe('buildUploadPayload', () => {
  it('strips raw timings unless opted in, and never mutates the caller’s run', () => {
    const run = sampleRun([sampleResult({ raw_timings_ms: [5.1, 5.3, 5.2] })]);
    const payload = buildUploadPayload(run, { mode: 'default', includeRawTimings: false });
    assert.equal('raw_timings_ms' in payload.results[0]!, false);
    assert.deepEqual(run.results[0]!.raw_timings_ms, [5.1, 5.3, 5.2]);
    assert.deepEqual(buildUploadPayload(run, { mode: 'default', includeRawTimings: true }).results[0]!.raw_timings_ms, [5.1, 5.3, 5.2]);
  });

  it('keeps fingerprint_hash in default and --anon, drops it in --strict-anon', () => {
    assert.equal(buildUploadPayload(sampleRun(), { mode: 'default' }).fingerprint.fingerprint_hash, 'a1b2c3d4e5f60708');
    assert.equal(buildUploadPayload(sampleRun(), { mode: 'anon' }).fingerprint.fingerprint_hash, 'a1b2c3d4e5f60708');
    assert.equal('fingerprint_hash' in buildUploadPayload(sampleRun(), { mode: 'strict-anon' }).fingerprint, false);
  });

  it('refuses any field PRIVACY §1 does not list', () => {
    const run = sampleRun() as ReturnType<typeof sampleRun> & { hostname?: string };
    run.hostname = 'my-laptop';
    assert.throws(
      () => buildUploadPayload(run, { mode: 'default' }),
      (e: unknown) => e instanceof ValidationError && /hostname/.test(e.message),
    );
    const gpu = sampleRun();
    Object.assign(gpu.fingerprint.gpus[0], { pci_bus_id: '0000:01:00.0' }); // a field the Gpu type does not have, on purpose
    assert.throws(() => buildUploadPayload(gpu, { mode: 'default' }), /pci_bus_id/);
    assert.throws(
      () => buildUploadPayload(run, { mode: 'default' }),
      (e: unknown) => e instanceof ValidationError && /^upload payload is invalid: /.test(e.message) && /nothing was sent/.test(e.suggestions.join(' ')),
    );
  });

  it("names in fingerprint.extras.backends only the backends the results ran on: the first version seen, cut to the schema's lengths", () => {
    const results: RunPayload['results'] = [
      sampleResult({ backend: 'ollama', backend_version: '0.5.1' }),
      sampleResult({ backend: 'ollama', backend_version: '0.5.2' }),
      sampleResult({ backend: 'b'.repeat(50), backend_version: 'v'.repeat(130) }),
    ];
    assert.deepEqual(uploadBackends(results, false), { ollama: '0.5.1', ['b'.repeat(40)]: 'v'.repeat(120) });
    assert.deepEqual(uploadBackends(results, true), {});
    const run = sampleRun([sampleResult({ backend: 'vllm', backend_version: '0.11.0' })]);
    run.fingerprint.extras.backends = { vllm: '0.11.0', ollama: '0.5.1', 'hosted(openai,anthropic)': '1' };
    assert.deepEqual(buildUploadPayload(run, { mode: 'default' }).fingerprint.extras.backends, { vllm: '0.11.0' });
  });
});

describe('uploadHeaders (PRIVACY §3 table)', () => {
  const opts = { cliVersion: '1.2.3', apiKey: 'key-abc' };
  it('default: our User-Agent and the API key, no anon header', () => {
    assert.deepEqual(uploadHeaders('default', opts), {
      'content-type': 'application/jose',
      accept: 'application/json',
      'user-agent': 'llm-speed-cli/1.2.3',
      authorization: 'Bearer key-abc',
    });
  });
  it('--anon: the same plus X-LLM-Speed-Anon: 1', () => {
    assert.equal(uploadHeaders('anon', opts)['x-llm-speed-anon'], '1');
    assert.equal(uploadHeaders('anon', opts)['user-agent'], 'llm-speed-cli/1.2.3');
    assert.equal(uploadHeaders('anon', opts).authorization, 'Bearer key-abc');
  });
  it('--strict-anon: no User-Agent, no Authorization, no anon header', () => {
    assert.deepEqual(uploadHeaders('strict-anon', opts), { 'content-type': 'application/jose', accept: 'application/json' });
  });
  it('no Authorization when no key is given', () => {
    assert.equal('authorization' in uploadHeaders('default', { cliVersion: '1' }), false);
  });
});
