/**
 * nvidia-smi as a meter. `nvidia-smi --help-query-gpu` lists every field the installed release can
 * query, each as a quoted name at the start of a line (older names follow as `or "..."`); asking
 * for a field it does not know makes nvidia-smi fail outright, so the query is built from that
 * list:
 * - energy: `total_energy_consumption` (NVML's nvmlDeviceGetTotalEnergyConsumption counter, Volta
 *   and newer) where the release offers it; otherwise power —
 * - `power.draw.instant` where offered: on Ampere and newer `power.draw` is an average over one
 *   second (its help text says so), which would smear a 100 ms phase over its neighbours;
 * - `clocks.sm` (the SM clock, MHz) and `clocks_event_reasons.active` (older releases:
 *   `clocks_throttle_reasons.active`), a bitmask of nvmlClocksEventReason* values.
 * With `--format=csv` (units kept) the first line names the fields and their units
 * (`power.draw.instant [W]`); each later line is one GPU's reading, cells separated by ", ", in
 * the order queried, `[N/A]` or `[Not Supported]` where a value is unavailable. `-lms 100` repeats
 * the query every 100 ms. `timestamp` is the local time of the query, "YYYY/MM/DD HH:MM:SS.mmm".
 */
export const NVIDIA_INTERVAL_MS = 100;

export const HELP_QUERY_ARGS = ['--help-query-gpu'] as const;

/** Every field name the help text lists (current and older spellings). */
export function parseHelpQueryGpu(text: string): Set<string> {
  const fields = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('"')) continue;
    for (const m of line.matchAll(/"([a-z0-9_.]+)"/gi)) fields.add(m[1]!.toLowerCase());
  }
  return fields;
}

export interface NvidiaQuery {
  fields: string[];
  /** Which field holds what, by position in `fields`. */
  energy?: number;
  power?: number;
  clock?: number;
  reasons?: number;
}

/** The fields to query, given what this nvidia-smi offers; undefined when it offers no power at all. */
export function nvidiaQuery(offered: Set<string>): NvidiaQuery | undefined {
  const fields = ['timestamp', 'index'];
  const q: NvidiaQuery = { fields };
  const add = (name: string) => fields.push(name) - 1;
  if (offered.has('total_energy_consumption')) q.energy = add('total_energy_consumption');
  const power = ['power.draw.instant', 'power.draw'].find((f) => offered.has(f));
  if (power) q.power = add(power);
  if (q.energy === undefined && q.power === undefined) return undefined;
  if (offered.has('clocks.sm') || offered.has('clocks.current.sm')) q.clock = add(offered.has('clocks.sm') ? 'clocks.sm' : 'clocks.current.sm');
  const reasons = ['clocks_event_reasons.active', 'clocks_throttle_reasons.active'].find((f) => offered.has(f));
  if (reasons) q.reasons = add(reasons);
  return q;
}

export function nvidiaArgs(query: NvidiaQuery, intervalMs = NVIDIA_INTERVAL_MS): string[] {
  return [`--query-gpu=${query.fields.join(',')}`, '--format=csv', '-lms', String(intervalMs)];
}

/** NVML's clock-event reason bits (nvml.h nvmlClocksEventReason*), by the names results use. */
export const CLOCK_EVENT_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x1, 'gpu_idle'],
  [0x2, 'applications_clocks_setting'],
  [0x4, 'sw_power_cap'],
  [0x8, 'hw_slowdown'],
  [0x10, 'sync_boost'],
  [0x20, 'sw_thermal_slowdown'],
  [0x40, 'hw_thermal_slowdown'],
  [0x80, 'hw_power_brake_slowdown'],
  [0x100, 'display_clock_setting'],
];

/** The reasons that mean the GPU slowed down for heat or power: they set the `throttled` flag. */
export const THROTTLE_EVENTS = ['sw_power_cap', 'hw_slowdown', 'sw_thermal_slowdown', 'hw_thermal_slowdown', 'hw_power_brake_slowdown'] as const;

export function clockEvents(mask: number): string[] {
  return CLOCK_EVENT_BITS.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name);
}

export interface NvidiaReading {
  /** Epoch ms of the query, from the timestamp column (local time). */
  epochMs?: number;
  index: number;
  joules?: number;
  watts?: number;
  smClockMhz?: number;
  events?: string[];
}

/** Units by column, from the header line: "power.draw.instant [W]" → "w". */
export function parseHeader(line: string): string[] {
  return line.split(',').map((cell) => (/\[([^\]]+)\]/.exec(cell)?.[1] ?? '').trim().toLowerCase());
}

const ENERGY_SCALE: Record<string, number> = { mj: 1e-3, j: 1, kj: 1e3 };

function numberCell(cell: string | undefined): number | undefined {
  if (!cell || /^\[.*\]$/.test(cell.trim()) || /n\/a/i.test(cell)) return undefined;
  const n = Number.parseFloat(cell);
  return Number.isFinite(n) ? n : undefined;
}

/** "2026/12/04 10:11:12.345" in local time → epoch ms. */
export function parseTimestamp(cell: string | undefined): number | undefined {
  const m = cell && /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(cell.trim());
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms).getTime();
}

/** One data line of the query, with the header's units; undefined for the header or a line that is not a reading. */
export function parseReading(line: string, query: NvidiaQuery, units: string[]): NvidiaReading | undefined {
  const cells = line.split(',').map((c) => c.trim());
  if (cells.length !== query.fields.length) return undefined;
  const index = numberCell(cells[1]);
  if (index === undefined || !Number.isInteger(index)) return undefined;
  const reading: NvidiaReading = { index };
  const epochMs = parseTimestamp(cells[0]);
  if (epochMs !== undefined) reading.epochMs = epochMs;
  if (query.energy !== undefined) {
    const value = numberCell(cells[query.energy]);
    const scale = ENERGY_SCALE[units[query.energy] ?? ''];
    // A counter in a unit we cannot read is no counter at all: power is used instead.
    if (value !== undefined && scale !== undefined) reading.joules = value * scale;
  }
  if (query.power !== undefined) {
    const watts = numberCell(cells[query.power]);
    if (watts !== undefined && (units[query.power] ?? 'w') === 'w') reading.watts = watts;
  }
  if (query.clock !== undefined) {
    const mhz = numberCell(cells[query.clock]);
    if (mhz !== undefined) reading.smClockMhz = mhz;
  }
  if (query.reasons !== undefined) {
    const cell = cells[query.reasons] ?? '';
    if (/^0x[0-9a-f]+$/i.test(cell)) reading.events = clockEvents(Number.parseInt(cell.slice(2).slice(-8), 16));
  }
  return reading;
}
