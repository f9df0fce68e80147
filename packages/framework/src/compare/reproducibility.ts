/**
 * What a result can be reproduced from (METHODOLOGY §7.2), in words a page can show beside it.
 *
 * A driver that loads the weights itself names them by the SHA-256 of the whole file (§11) and the
 * engine by its release: the result pins both. A server reached through an API owns its weights:
 * the result carries the model as the server names it, no digest of the file, a quant and a version
 * only where the server reports them — it can be re-run, not proved the same. The sentence is built
 * from the result's own fields, never from what the backend usually is.
 */
import type { BackendBuild, ModelRef } from '../contract/generated/workload-result.js';

export interface ReproducibilityInput {
  backend: string;
  backend_version: string;
  backend_build?: BackendBuild | null;
  model: ModelRef;
}

export interface Reproducibility {
  /** `pinned`: the weights file and the engine's release are named; `named`: only names the server gave. */
  level: 'pinned' | 'named';
  /** What the result lacks for a proof that a re-run used the same setup (empty when pinned). */
  missing: string[];
  /** One or two sentences for a page. */
  sentence: string;
}

/** The SHA-256 of a weights file, as §11 defines model.digest: 64 lowercase hex characters. */
const FILE_DIGEST = /^[0-9a-f]{64}$/;

const unknown = (v: string | null | undefined) => v === undefined || v === null || v.trim() === '' || v === 'unknown';

export function reproducibility(result: ReproducibilityInput): Reproducibility {
  const digest = result.model.digest ?? undefined;
  const fileDigest = digest !== undefined && FILE_DIGEST.test(digest);
  const missing: string[] = [];
  if (!fileDigest) {
    missing.push(digest ? `the model's digest (${digest.slice(0, 19)}…) is the server's own, not the weights file's SHA-256` : "the weights are the server's: no digest of the file");
  }
  if (unknown(result.model.quant)) missing.push('the quantization is not reported');
  if (unknown(result.backend_version)) missing.push("the server's version is unknown");
  const build = result.backend_build?.kind ?? 'unknown';
  if (build === 'unknown') missing.push('what it ran on (CPU or GPU build) is unknown');

  const engine = `${result.backend}${unknown(result.backend_version) ? '' : ` ${result.backend_version}`}`;
  if (fileDigest && !unknown(result.backend_version)) {
    return {
      level: 'pinned',
      missing: [],
      sentence: `Reproducible from this result: the weights file by its SHA-256 (${digest!.slice(0, 12)}…) and ${engine}${build === 'unknown' ? '' : `, ${build} build`}.`,
    };
  }
  return {
    level: 'named',
    missing,
    sentence: `Can be re-run against ${engine} serving "${result.model.identifier}", but not proved the same setup: ${missing.join('; ')}.`,
  };
}
