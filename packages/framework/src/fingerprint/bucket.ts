/**
 * Memory buckets. We bucket GiB (2^30 bytes), not decimal GB: the labels users compare on
 * ("32 GB RAM", "RTX 4090 24 GB", "H100 80GB") are binary sizes. A 4090 reports 24564 MiB =
 * 23.99 GiB → 24, an H100 81559 MiB = 79.6 GiB → 80; in decimal GB the H100 would be 85.5 → 88.
 *
 * Nearest multiple of 8, halves round up (Math.round): 3.9 → 0, 4 → 8, 36 → 40, 31.4 → 32.
 */
export function bucketGb(gib: number): number {
  if (!Number.isFinite(gib) || gib <= 0) return 0;
  return Math.round(gib / 8) * 8;
}

export const BYTES_PER_GIB = 1024 ** 3;
export const MIB_PER_GIB = 1024;
