/**
 * "Did you mean …?" for things people type: config keys, flags, command names. One distance for
 * all of them, counting a swap of neighbours as one edit ("mdoe" → "mode", "qucik" → "quick").
 */

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `word` (case-insensitive), when it is close enough to be a typo: at most
 * one edit per five characters (at least one). Far guesses are worse than none — a refused
 * "hostname" must not be answered with "os_name".
 */
export function nearest(word: string, candidates: Iterable<string>, maxDistance = Math.max(1, Math.floor(word.length / 5))): string | undefined {
  let best: { candidate: string; d: number } | undefined;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d <= maxDistance && (!best || d < best.d)) best = { candidate, d };
  }
  return best?.candidate;
}
