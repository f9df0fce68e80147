/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * A workload's energy and its share of the memory-bandwidth limit, as a run page shows them
 * (issue 23, METHODOLOGY §13): joules per token and tokens per second per watt for prefill and
 * decode, average and peak power, what that costs at the board's stated reference tariff (never a
 * contributor's own price), and the provenance — which meter, how often it read, how many
 * readings, the idle power subtracted. A figure that could not be measured says why.
 */
import { REFERENCE_PRICE_PER_KWH, resultCostPerMillion, type MeasuredResult } from '@llm-speed/framework';

type Energy = NonNullable<MeasuredResult['energy']>;
type Phase = NonNullable<Energy['decode']>;
type Roofline = NonNullable<MeasuredResult['roofline']>;

/** Three significant figures, no exponent: 0.0123, 3.12, 412. */
export function sig(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return String(Number(v.toPrecision(3)));
}

/** 4800 GB/s → "4.8 TB/s", 936 → "936 GB/s". */
export function bandwidth(gbPerS: number): string {
  return gbPerS >= 1000 ? `${sig(gbPerS / 1000)} TB/s` : `${sig(gbPerS)} GB/s`;
}

const DOMAIN_WORDS: Record<string, string> = { gpu: 'GPU', 'cpu-package': 'CPU package', dram: 'DRAM', cpu: 'CPU', soc: 'whole chip' };

/** "nvidia-smi-power (GPU, every 100 ms, 153 readings)": each meter the figures come from. */
export function meterProvenance(energy: Energy): string {
  return (energy.meters ?? [])
    .map((m) => `${m.meter} (${DOMAIN_WORDS[m.domain] ?? m.domain}${m.devices && m.devices > 1 ? ` ×${m.devices}` : ''}, every ${sig(m.interval_ms)} ms, ${m.samples} readings)`)
    .join(' + ');
}

/** The table's rows: one figure of every phase each, so the three phases are the columns and the table fits a workload card (about 320 px). */
const FIGURES: ReadonlyArray<{ key: 'j_per_token' | 'tokens_per_s_per_w' | 'avg_w' | 'peak_w' | 'samples'; label: string }> = [
  { key: 'j_per_token', label: 'J/token' },
  { key: 'tokens_per_s_per_w', label: 'tok/s/W' },
  { key: 'avg_w', label: 'average W' },
  { key: 'peak_w', label: 'peak W' },
  { key: 'samples', label: 'readings' },
];

/** The phases as columns: prefill, decode and the whole timed part ("total"). */
function PhaseTable({ energy }: { energy: Energy }) {
  const phases: Array<[string, Phase | null | undefined]> = [
    ['prefill', energy.prefill],
    ['decode', energy.decode],
    ['total', energy.total],
  ];
  return (
    <table class="energy">
      <tr>
        <th></th>
        {phases.map(([name]) => (
          <th data-phase={name}>{name}</th>
        ))}
      </tr>
      {FIGURES.map((f) => (
        <tr data-figure={f.key}>
          <th>{f.label}</th>
          {phases.map(([name, phase]) => (
            <td class="n" data-phase={name}>
              {f.key === 'samples' ? (phase ? phase.samples : '—') : sig(phase?.[f.key])}
            </td>
          ))}
        </tr>
      ))}
    </table>
  );
}

/** "Decode used 11 % of the H200's 4.8 TB/s memory bandwidth (0.61 GB read per token). …" */
export function bandwidthSentence(roofline: Roofline): string | null {
  if (roofline.bandwidth_share === null || roofline.bandwidth_share === undefined || !roofline.peak_gb_s || !roofline.device) return null;
  const device = `${roofline.devices && roofline.devices > 1 ? `${roofline.devices}× ` : ''}${roofline.device}`;
  const bytes = typeof roofline.bytes_per_token === 'number' ? ` (${sig(roofline.bytes_per_token / 1e9)} GB read per token)` : '';
  const share = roofline.bandwidth_share * 100;
  // Far below the limit, the time goes to per-token work (kernel launches, sampling, the server loop), not to reading memory (METHODOLOGY §13.4).
  const why = roofline.bandwidth_share < 0.25 ? ': small models are bound by per-token overhead, not memory' : roofline.bandwidth_share >= 0.7 ? ': close to what the memory can deliver' : '';
  const cpu = roofline.device_kind === 'cpu' ? ' (every memory channel assumed populated at its rated speed, so this is a lower bound)' : '';
  return `Decode used ${share < 10 ? sig(share) : share.toFixed(0)} % of the ${device}'s ${bandwidth(roofline.peak_gb_s)} memory bandwidth${bytes}${why}${cpu}.`;
}

export function EnergyBlock({ result }: { result: MeasuredResult }) {
  const energy = result.energy;
  const roofline = result.roofline;
  if (!energy && !roofline) return null;
  const measured = energy && energy.meter !== 'none';
  const cost = measured ? resultCostPerMillion(energy, REFERENCE_PRICE_PER_KWH) : null;
  const reasons = measured ? [...new Set([energy.decode, energy.prefill, energy.total].map((p) => p?.reason).filter((r): r is string => typeof r === 'string' && r !== ''))] : [];
  const share = roofline ? bandwidthSentence(roofline) : null;
  return (
    <div class="energy" data-energy>
      <h4>Energy and the hardware's limit</h4>
      {energy && !measured ? <p data-energy-missing>Energy: not measured ({energy.reason ?? 'no meter'}).</p> : null}
      {measured ? (
        <>
          <div class="scroll">
            <PhaseTable energy={energy} />
          </div>
          {reasons.length ? (
            <p class="muted" data-energy-reasons>
              <small>Not measured: {reasons.join('; ')}.</small>
            </p>
          ) : null}
          <p data-energy-provenance>
            <small>
              Measured by {meterProvenance(energy) || energy.meter}
              {typeof energy.idle_w === 'number'
                ? `; ${sig(energy.idle_w)} W idle${typeof energy.idle_ms === 'number' ? ` over ${sig(energy.idle_ms / 1000)} s` : ''} subtracted from the J/token and tok/s/W figures`
                : ''}
              . Energy is compared only with runs measured by the same kind of meter ({energy.meter}) (METHODOLOGY §13).
            </small>
          </p>
          {cost !== null ? (
            <p data-cost>
              Electricity: {sig(cost)} per million output tokens at the board's reference tariff of {REFERENCE_PRICE_PER_KWH} per kWh{' '}
              <small>(all the energy the meters counted, idle draw included; a stated reference, not the contributor's price)</small>.
            </p>
          ) : null}
        </>
      ) : null}
      {share ? <p data-roofline>{share}</p> : roofline ? <p data-roofline-missing>Memory bandwidth share: not known ({roofline.reason ?? 'no shape or device'}).</p> : null}
    </div>
  );
}
