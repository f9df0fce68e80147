/**
 * Decode against the memory-bandwidth limit (METHODOLOGY §13.4). Decoding one token reads every
 * weight the token passes through and the KV cache of the context so far; a device cannot read
 * faster than its memory bandwidth, so decode_tps × bytes per token, divided by the device's peak
 * bandwidth, is the share of the hardware's limit a run reached. Small models sit far below it
 * (per-token overhead dominates), large ones close to it.
 */
import type { ModelShape } from '../contract/driver.js';
import type { Fingerprint } from '../contract/generated/run.js';
import type { Roofline, RooflineTier, WorkloadResult } from '../contract/generated/workload-result.js';
import { bandwidthEntry, type BandwidthEntry, type DeviceKind } from './bandwidth-table.js';

/** Builds whose work runs on an accelerator's memory (backend_build.kind). */
export const ACCELERATOR_BUILDS = ['cuda', 'rocm', 'metal', 'vulkan', 'sycl', 'opencl', 'musa', 'cann'] as const;

/** The memory decode read from: one table entry, `count` devices of it (their bandwidths add up). */
export interface DeviceLimit {
  name: string;
  kind: DeviceKind;
  count: number;
  gbps: number;
  /** The figure is a hard limit (memory on the device); false for CPU platform maxima. */
  fixed: boolean;
}

type FingerprintDevices = Pick<Fingerprint, 'cpu_model' | 'gpus'>;
type Located = { limit: DeviceLimit } | { reason: string };

function limitOf(entries: BandwidthEntry[]): DeviceLimit {
  const names = [...new Set(entries.map((e) => e.name))];
  return {
    name: names.join(' + ').slice(0, 64),
    kind: entries[0]!.kind,
    count: entries.length,
    gbps: entries.reduce((sum, e) => sum + e.gbps, 0),
    fixed: entries.every((e) => e.fixed),
  };
}

/**
 * The device whose memory bandwidth limits this result's decode, as its backend names it:
 * `backend_build.devices` for accelerator builds (several devices add up: a model split over two
 * GPUs reads from both), the CPU of the fingerprint for CPU builds, the Apple chip for Metal.
 */
export function deviceLimitOf(result: Pick<WorkloadResult, 'backend_build'>, fingerprint?: FingerprintDevices): Located {
  const kind = result.backend_build?.kind ?? 'unknown';
  if (kind === 'remote') return { reason: 'a hosted API: the device it ran on is not known' };
  if (kind === 'cpu') {
    const cpu = fingerprint?.cpu_model;
    if (!cpu) return { reason: 'the CPU model is not known' };
    const entry = bandwidthEntry(cpu, 'cpu');
    return entry ? { limit: limitOf([entry]) } : { reason: `no memory bandwidth figure for the CPU ${cpu} (the bandwidth table lists common platforms)` };
  }
  if (!(ACCELERATOR_BUILDS as readonly string[]).includes(kind)) return { reason: 'the backend does not say which device it ran on' };
  let names = (result.backend_build?.devices ?? []).filter((d) => !/^cpu$/i.test(d));
  if (names.length === 0 && kind === 'metal') {
    const chip = fingerprint?.gpus.find((g) => g.kind === 'apple')?.name ?? (fingerprint?.cpu_model.startsWith('Apple') ? fingerprint.cpu_model : undefined);
    if (chip) names = [chip];
  }
  if (names.length === 0) return { reason: `the ${kind} build does not name its devices` };
  const entries: BandwidthEntry[] = [];
  for (const name of names) {
    const entry = bandwidthEntry(name, 'gpu');
    if (!entry) return { reason: `no memory bandwidth figure for ${name} (the bandwidth table lists known accelerators)` };
    entries.push(entry);
  }
  return { limit: limitOf(entries) };
}

/**
 * Bytes read from memory to decode one token at `depth` tokens of context: the weights (once per
 * decode step, shared by the `batch` tokens a batched step produces) and the KV cache of the context.
 */
export function bytesPerToken(shape: Pick<ModelShape, 'weightBytesPerToken' | 'kvBytesPerContextToken'>, depth: number, batch = 1): number {
  return shape.weightBytesPerToken / Math.max(1, batch) + shape.kvBytesPerContextToken * Math.max(0, depth);
}

type RooflineInput = Pick<WorkloadResult, 'workload' | 'decode_tps' | 'prompt_tokens' | 'output_tokens' | 'batch_size' | 'context_tokens' | 'tiers' | 'turns' | 'backend_build'>;

const round = (v: number, digits: number) => Number(v.toPrecision(digits));

/**
 * The mean context a decode step reads (prompt + half the output: the KV cache grows by one
 * token a step) and the bytes per token there, for the result's headline decode_tps. W4 divides
 * the weights by the batch (one read serves every stream of a step); W5 weights each turn's bytes
 * by the tokens it decoded, as its pooled decode_tps does.
 */
export function decodeTraffic(result: RooflineInput, shape: Pick<ModelShape, 'weightBytesPerToken' | 'kvBytesPerContextToken'>): { depth: number; bytes: number } | { reason: string } {
  if (result.turns && result.turns.length > 0) {
    let tokens = 0;
    let bytes = 0;
    let depth = 0;
    for (const turn of result.turns) {
      if (turn.prompt_tokens == null || turn.output_tokens == null) return { reason: 'a turn has no prompt token count' };
      const d = turn.prompt_tokens + turn.output_tokens / 2;
      tokens += turn.output_tokens;
      bytes += turn.output_tokens * bytesPerToken(shape, d);
      depth += turn.output_tokens * d;
    }
    return tokens > 0 ? { depth: depth / tokens, bytes: bytes / tokens } : { reason: 'no tokens were decoded' };
  }
  const batch = result.batch_size ?? 1;
  if (result.prompt_tokens == null || result.output_tokens == null) return { reason: 'the prompt token count is not known' };
  const depth = result.prompt_tokens / batch + result.output_tokens / batch / 2;
  return { depth, bytes: bytesPerToken(shape, depth, batch) };
}

/**
 * W3's tiers: each tier's prompt is its context minus the same headroom the headline tier left
 * (the suite sizes every tier's prompt with the same margin for the output and the template).
 */
function tierRooflines(result: RooflineInput, shape: ModelShape, gbps: number | null): RooflineTier[] {
  const ran = (result.tiers ?? []).filter((t) => !t.skipped);
  const headline = ran[ran.length - 1];
  const gap = headline && result.prompt_tokens != null ? headline.context_tokens - result.prompt_tokens : null;
  return ran.map((tier) => {
    const out = tier.output_tokens ?? 0;
    const prompt = gap !== null ? tier.context_tokens - gap : tier.context_tokens - out;
    const depth = Math.max(0, prompt + out / 2);
    const bytes = bytesPerToken(shape, depth);
    const implied = tier.decode_tps == null ? null : (tier.decode_tps * bytes) / 1e9;
    return {
      context_tokens: tier.context_tokens,
      depth_tokens: round(depth, 6),
      bytes_per_token: round(bytes, 6),
      implied_gb_s: implied === null ? null : round(implied, 5),
      bandwidth_share: implied === null || gbps === null ? null : round(implied / gbps, 4),
    };
  });
}

/** The roofline object of a result (schema `Roofline`): null figures carry the reason. */
export function rooflineOf(result: RooflineInput, shape: ModelShape | undefined, fingerprint?: FingerprintDevices): Roofline {
  const located = deviceLimitOf(result, fingerprint);
  const limit = 'limit' in located ? located.limit : null;
  const device = {
    device: limit?.name ?? null,
    devices: limit?.count ?? null,
    device_kind: limit?.kind ?? null,
    peak_gb_s: limit?.gbps ?? null,
    bandwidth_source: limit ? ('table' as const) : null,
  };
  if (!shape) {
    return { shape_source: null, ...device, bandwidth_share: null, reason: "the model's shape is not known: its driver does not report it (llama.cpp reads it from the GGUF)" };
  }
  const base = {
    shape_source: shape.source,
    weight_bytes_per_token: Math.round(shape.weightBytesPerToken),
    kv_bytes_per_context_token: Math.round(shape.kvBytesPerContextToken),
    kv_element_bytes: shape.kvElementBytes,
    ...device,
  };
  const traffic = decodeTraffic(result, shape);
  const tiers = result.tiers?.length ? { tiers: tierRooflines(result, shape, limit?.gbps ?? null) } : {};
  if ('reason' in traffic) return { ...base, bandwidth_share: null, reason: traffic.reason, ...tiers };
  const implied = result.decode_tps == null ? null : (result.decode_tps * traffic.bytes) / 1e9;
  const reasons = [implied === null ? 'no decode rate' : null, 'reason' in located ? located.reason : null].filter((r): r is string => r !== null);
  return {
    ...base,
    depth_tokens: round(traffic.depth, 6),
    bytes_per_token: round(traffic.bytes, 6),
    implied_gb_s: implied === null ? null : round(implied, 5),
    bandwidth_share: implied === null || !limit ? null : round(implied / limit.gbps, 4),
    reason: reasons.length ? reasons.join('; ') : null,
    ...tiers,
  };
}
