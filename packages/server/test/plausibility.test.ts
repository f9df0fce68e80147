/**
 * Ingest refuses a physically impossible result (METHODOLOGY §13.5): a decode rate whose weight
 * traffic exceeds 1.1 × its device's spec-sheet bandwidth, when the device is one whose memory is
 * a hard limit and the model's shape is known. At the edges: the H200's 4,800 GB/s × 1.1 = 5,280
 * GB/s; weights of 1,256,000,000 bytes less 256 MB that a GPU cache could hold leave 1 GB read from
 * memory per token, so 5,280 tok/s is the most an H200 can feed and 5,281 is refused. A CPU's
 * figure is a platform maximum: beyond it the run is stored, unranked, with the reason.
 */
import assert from 'node:assert/strict';
import type { MeasuredResult } from '@llm-speed/framework';
import { IngestError, toNewResult, verifyAndCheck } from '../src/index.js';
import { sampleResult, sampleRun, signedToken } from './helpers.js';

const roofline = { weight_bytes_per_token: 1_256_000_000, bandwidth_share: null, reason: null };
const onH200 = (decode: number, over: Partial<MeasuredResult> = {}) => sampleResult({ decode_tps: decode, backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] }, roofline, ...over });

async function verdict(results: MeasuredResult[], fingerprint?: Partial<ReturnType<typeof sampleRun>['fingerprint']>): Promise<IngestError | 'accepted'> {
  const run = sampleRun(results);
  Object.assign(run.fingerprint, fingerprint);
  try {
    await verifyAndCheck(await signedToken(run));
    return 'accepted';
  } catch (error) {
    assert.ok(error instanceof IngestError, String(error));
    return error;
  }
}

describe('ingest: physically impossible results', () => {
  it('accepts 5,280 tok/s on an H200 at 1 GB a token and refuses 5,281, naming the figure and the limit', async () => {
    assert.equal(await verdict([onH200(5280)]), 'accepted');
    const refused = await verdict([sampleResult(), onH200(5281)]);
    assert.ok(refused instanceof IngestError);
    assert.equal(refused.status, 422);
    assert.equal(
      refused.message,
      "physically impossible result refused: results[1] (chat-short) decode_tps 5281 tok/s reading at least 1.00 GB of weights per decode step implies 5281 GB/s, over 1.1 × the H200's 4800 GB/s memory bandwidth; nothing was stored",
    );
  });

  it('a result without the model shape, or on a device not in the table, is not judged', async () => {
    assert.equal(await verdict([sampleResult({ decode_tps: 1e6, backend_build: { kind: 'cuda', devices: ['NVIDIA H200'] } })]), 'accepted');
    assert.equal(await verdict([onH200(1e6, { backend_build: { kind: 'cuda', devices: ['NVIDIA GeForce GT 710'] } })], { gpus: [{ name: 'GT 710', kind: 'nvidia', memory_gb: 0 }] }), 'accepted');
  });

  it('beyond a CPU platform maximum: stored, and its row kept out of the ranking with the reason', async () => {
    // Ryzen 7000: 2 × DDR5-5200 = 83.2 GB/s, × 1.1 = 91.52; 10 GB of weights less 1.5 GB of cache
    // allowance = 8.5 GB a token → 10.77 tok/s is 91.545 GB/s, over. The roofline names the device, as the CLI writes it.
    const big = { weight_bytes_per_token: 10e9, device: 'AMD Ryzen 7000', devices: 1, bandwidth_share: null, reason: null };
    const results = [sampleResult({ decode_tps: 10.77, backend_build: { kind: 'cpu' }, roofline: big })];
    assert.equal(await verdict(results, { cpu_model: 'AMD Ryzen 9 7950X3D' }), 'accepted');
    const run = sampleRun(results);
    run.public_key = 'A'.repeat(43) + '=';
    const row = toNewResult(run, '2026-12-04T00:00:00.000Z').workloads[0]!;
    assert.equal(row.comparable, false);
    assert.match(row.notComparable.join(), /^physically implausible: decode_tps 10.77 tok\/s .* AMD Ryzen 7000's 83.2 GB\/s memory bandwidth$/);
    // 10.76 tok/s (91.46 GB/s) is within it.
    const fine = sampleRun([sampleResult({ decode_tps: 10.76, backend_build: { kind: 'cpu' }, roofline: big })]);
    fine.public_key = run.public_key;
    assert.equal(toNewResult(fine, '2026-12-04T00:00:00.000Z').workloads[0]!.comparable, true);
  });
});
