/**
 * Physical plausibility (METHODOLOGY §13.5): a decode rate whose memory traffic exceeds what the
 * device can read is not a measurement, whatever produced it. The bound is deliberately loose, so
 * that it never refuses a real run:
 * - only the weights count (no KV cache, whose size depends on settings the result does not
 *   carry), minus what could sit in the largest on-chip cache of its device kind;
 * - W4 divides the weights by the batch (one read serves every stream of a step);
 * - the limit is 1.1 × the spec sheet's peak (memory overclocking stays under it).
 * Against a device whose bandwidth is fixed (GPU, Apple chip) it is `impossible` — the server
 * refuses the run; against a CPU platform maximum, or the fastest device of a machine whose backend
 * did not say which one it used, it is `implausible` — stored, shown with the reason, not ranked.
 */
import type { Fingerprint } from '../contract/generated/run.js';
import type { WorkloadResult } from '../contract/generated/workload-result.js';
import { bandwidthEntry, bandwidthEntryByName, type DeviceKind } from './bandwidth-table.js';
import { deviceLimitOf, type DeviceLimit } from './roofline.js';

export const PLAUSIBILITY_MARGIN = 1.1;

/**
 * Weight bytes that could be served from on-chip cache instead of memory, per device kind: 256 MB
 * covers the largest accelerator cache in the table (MI300X's Infinity Cache); 1.5 GB the largest
 * CPU L3 (AMD EPYC 9684X, 1,152 MB).
 */
export const CACHE_ALLOWANCE_BYTES: Readonly<Record<DeviceKind, number>> = { gpu: 256e6, apple: 256e6, cpu: 1.5e9 };

export type PlausibilityVerdict =
  { verdict: 'ok' | 'unchecked'; message: string } | { verdict: 'impossible' | 'implausible'; message: string; figure: string; value: number; impliedGbS: number; limitGbS: number; device: string };

type Judged = Partial<Pick<WorkloadResult, 'decode_tps' | 'batch_size' | 'backend_build' | 'roofline' | 'tiers' | 'batches' | 'extras'>>;

/** Every decode rate of a result with the batch one weight read serves. */
function decodeFigures(result: Judged): Array<{ figure: string; value: number; batch: number }> {
  const out: Array<{ figure: string; value: number; batch: number }> = [];
  if (typeof result.decode_tps === 'number') out.push({ figure: 'decode_tps', value: result.decode_tps, batch: result.batch_size ?? 1 });
  (result.tiers ?? []).forEach((t, i) => typeof t.decode_tps === 'number' && out.push({ figure: `tiers[${i}].decode_tps`, value: t.decode_tps, batch: 1 }));
  (result.batches ?? []).forEach((b, i) => typeof b.aggregate_tps === 'number' && out.push({ figure: `batches[${i}].aggregate_tps`, value: b.aggregate_tps, batch: b.batch }));
  return out;
}

/**
 * The machine's fastest memory, when the backend did not name the device: all its GPUs together
 * (a model split over them reads from each), or its CPU when it has no GPU. Undefined when any
 * device is missing from the table.
 */
function machineBound(fingerprint: Pick<Fingerprint, 'cpu_model' | 'gpus'>): DeviceLimit | undefined {
  const devices = fingerprint.gpus.length > 0 ? fingerprint.gpus.map((g) => bandwidthEntry(g.name, 'gpu')) : [bandwidthEntry(fingerprint.cpu_model, 'cpu')];
  if (devices.length === 0 || devices.some((d) => d === undefined)) return undefined;
  const entries = devices as NonNullable<(typeof devices)[number]>[];
  return {
    name: `this machine (${[...new Set(entries.map((e) => e.name))].join(' + ')})`.slice(0, 64),
    kind: entries[0]!.kind,
    count: entries.length,
    gbps: entries.reduce((s, e) => s + e.gbps, 0),
    fixed: false,
  };
}

/** Whether a result's decode rates fit the memory bandwidth of the device they were measured on. */
export function plausibility(result: Judged, fingerprint?: Pick<Fingerprint, 'cpu_model' | 'gpus'>): PlausibilityVerdict {
  const weights = result.roofline?.weight_bytes_per_token;
  if (typeof weights !== 'number' || weights <= 0) return { verdict: 'unchecked', message: "the model's shape is not known" };
  // Speculative decoding produces several tokens per pass over the weights: the single-token bound does not hold.
  const drafted = result.extras?.draft_n;
  if (typeof drafted === 'number' && drafted > 0) return { verdict: 'unchecked', message: 'speculative decoding (several tokens per pass over the weights)' };
  const located = deviceLimitOf(result, fingerprint);
  let limit: DeviceLimit | undefined;
  if ('limit' in located) limit = located.limit;
  else {
    // The client's own word for the device, checked against this table's figure, never its number.
    const named = result.roofline?.device ? bandwidthEntryByName(result.roofline.device) : undefined;
    const count = result.roofline?.devices ?? 1;
    if (named) limit = { name: named.name, kind: named.kind, count, gbps: named.gbps * count, fixed: named.fixed };
    else if (fingerprint) limit = machineBound(fingerprint);
  }
  if (!limit) return { verdict: 'unchecked', message: 'reason' in located ? located.reason : 'the device is not known' };
  const bytes = Math.max(0, weights - CACHE_ALLOWANCE_BYTES[limit.kind]);
  const ceiling = PLAUSIBILITY_MARGIN * limit.gbps;
  for (const { figure, value, batch } of decodeFigures(result)) {
    const implied = (value * bytes) / Math.max(1, batch) / 1e9;
    if (implied > ceiling) {
      const per = batch > 1 ? ` over a batch of ${batch}` : '';
      const message =
        `${figure} ${value} tok/s reading at least ${(bytes / 1e9).toPrecision(3)} GB of weights per decode step${per} implies ${implied.toPrecision(4)} GB/s, ` +
        `over ${PLAUSIBILITY_MARGIN} × the ${limit.count > 1 ? `${limit.count}× ` : ''}${limit.name}'s ${limit.gbps} GB/s memory bandwidth`;
      return { verdict: limit.fixed ? 'impossible' : 'implausible', message, figure, value, impliedGbS: implied, limitGbS: limit.gbps, device: limit.name };
    }
  }
  return { verdict: 'ok', message: `within the ${limit.name}'s memory bandwidth` };
}
