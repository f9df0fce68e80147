/**
 * Parses `nvidia-smi --query-gpu=<fields> --format=csv[,noheader][,nounits]`.
 * Format (documented by `nvidia-smi --help-query-gpu`): one line per GPU, fields separated by
 * ", ", in the order queried; with a header line naming each field (plus " [MiB]" style units
 * unless `nounits`); memory.total in MiB ("24564 MiB", or "24564" with nounits); "[N/A]" or
 * "[Not Supported]" when a value is unavailable. GPU names never contain commas.
 */
import type { RawGpu } from '../types.js';

/** The fields the default probe asks for: only what the fingerprint keeps. */
export const NVIDIA_QUERY_FIELDS = ['name', 'memory.total'] as const;

export function parseNvidiaSmiCsv(text: string, noheaderFields: readonly string[] = NVIDIA_QUERY_FIELDS): RawGpu[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  let fields: string[] = [...noheaderFields];
  let rows = lines;
  const first = splitRow(lines[0]!);
  // A header names fields, e.g. "memory.total [MiB]"; a data row never starts with the word "name".
  if (first[0]?.toLowerCase() === 'name' || first.some((c) => /^[a-z_]+(\.[a-z_]+)+(\s*\[.*\])?$/i.test(c))) {
    fields = first.map((c) => c.replace(/\s*\[.*\]$/, '').toLowerCase());
    rows = lines.slice(1);
  }
  const col = (f: string) => fields.indexOf(f);
  const nameAt = col('name');
  if (nameAt < 0) return [];
  const gpus: RawGpu[] = [];
  for (const line of rows) {
    const cells = splitRow(line);
    const name = cells[nameAt];
    if (!name || isUnavailable(name)) continue;
    const gpu: RawGpu = { vendor: 'nvidia', name };
    const memory = mibOf(cells[col('memory.total')]);
    if (memory !== undefined) gpu.memoryMiB = memory;
    const driver = cells[col('driver_version')];
    if (driver && !isUnavailable(driver)) gpu.driverVersion = driver;
    const bus = cells[col('pci.bus_id')];
    if (bus && !isUnavailable(bus)) gpu.pciBusId = bus;
    const vbios = cells[col('vbios_version')];
    if (vbios && !isUnavailable(vbios)) gpu.vbiosVersion = vbios;
    gpus.push(gpu);
  }
  return gpus;
}

function splitRow(line: string): string[] {
  return line.split(',').map((c) => c.trim());
}

function isUnavailable(value: string): boolean {
  return /^\[.*\]$/.test(value) || value === 'N/A';
}

function mibOf(cell: string | undefined): number | undefined {
  if (!cell || isUnavailable(cell)) return undefined;
  const m = /^([0-9.]+)\s*(MiB|GiB)?$/i.exec(cell);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  return m[2]?.toLowerCase() === 'gib' ? n * 1024 : n;
}
