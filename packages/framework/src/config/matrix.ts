/**
 * A config file's run matrix (backends × models × workloads) as a list of invocations. Each one
 * is a whole `bench` run with its own signed submission, so the METHODOLOGY §6 rule (one run per
 * (workload, model, backend) per invocation, all results of an invocation travel together) holds.
 * Flags on the command line override the matrix: `--backend` runs that backend only.
 */
import type { LlmSpeedConfig } from '../contract/generated/config.js';

export interface Invocation {
  backend?: string;
  model?: string;
  workloads?: string[];
}

export function matrixInvocations(file: LlmSpeedConfig, settings: LlmSpeedConfig, flags: { backendFlag?: string; modelFlag?: string; workloadFlag?: string[] }): Invocation[] {
  const runs = file.matrix?.runs;
  if (!runs || flags.backendFlag) return [{ backend: settings.backend, model: settings.model, workloads: settings.workloads }];
  const out: Invocation[] = [];
  for (const run of runs) {
    const models = flags.modelFlag ? [flags.modelFlag] : run.models?.length ? run.models : [undefined];
    for (const model of models) {
      out.push({ backend: run.backend, model, workloads: flags.workloadFlag ?? run.workloads ?? settings.workloads });
    }
  }
  return out;
}
