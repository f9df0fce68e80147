/**
 * What the server derives from each workload result of a stored run: its comparable group (the
 * cluster key) and whether it may be ranked, by the framework's one comparability rule — the
 * same code `llm-speed compare` warns with, never a copy. Used at ingest, and when a database
 * written under an older rule is re-derived on open (sqlite-repository.ts).
 */
import { comparability, groupKey, groupOf, hardwareClassOf as hardwareClassOfFingerprint, setupKey, spreadOf, type MeasuredResult, type RunPayload } from '@llm-speed/framework';
import { efficiencyOf } from './pages/format.js';
import { idleGpu, measuredOn } from './pages/hardware-label.js';
import type { NewWorkloadRow } from './repository.js';
import { slugify } from './slug.js';

/** The hardware class of a run: its fingerprint_hash, or (in --strict-anon) its accelerator summary. */
export function hardwareClassOf(run: RunPayload): string {
  return hardwareClassOfFingerprint(run.fingerprint);
}

export function workloadRowsOf(run: RunPayload): NewWorkloadRow[] {
  return run.results.map((r) => {
    const group = groupOf(r, run.fingerprint);
    const verdict = comparability(r);
    return {
      workload: r.workload,
      suiteVersion: group.suite_version,
      modelName: r.model.name,
      modelIdentifier: r.model.identifier,
      modelQuant: r.model.quant ?? null,
      modelDigest: r.model.digest ?? null,
      modelSlug: slugify(r.model.name),
      backend: r.backend,
      backendVersion: r.backend_version,
      engine: group.engine,
      build: group.build,
      hardwareClass: group.hardware_class,
      clusterKey: groupKey(group),
      setupKey: setupKey(group),
      decodeTps: r.decode_tps ?? null,
      comparable: verdict.comparable,
      notComparable: verdict.reasons,
      notComparableCodes: verdict.codes,
      ...decodeInterval(r),
      flags: [...(r.flags ?? [])],
      hardwareLabel: measuredOn(run.fingerprint, r),
      acceleratorUnused: idleGpu(run.fingerprint, r) !== undefined,
      ...efficiencyColumns(r),
    };
  });
}

/** decode tok/s's 95 % interval and repetitions (compare/spread.ts): a result without a spread is n = 1, no interval. */
function decodeInterval(r: MeasuredResult): Pick<NewWorkloadRow, 'decodeCiLow' | 'decodeCiHigh' | 'decodeN'> {
  const s = spreadOf(r, 'decode_tps');
  return { decodeCiLow: s.ci_low, decodeCiHigh: s.ci_high, decodeN: s.n };
}

/** Decode tok/s per watt with its meter, and the bandwidth share (pages/format.ts efficiencyOf). */
function efficiencyColumns(r: MeasuredResult): Pick<NewWorkloadRow, 'tpsPerW' | 'energyMeter' | 'bandwidthShare'> {
  const e = efficiencyOf(r);
  return { tpsPerW: e.tpsPerW, energyMeter: e.meter, bandwidthShare: e.bandwidthShare };
}
