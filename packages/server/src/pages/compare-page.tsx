/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * /compare?runs=<id>,<id>[,…]: runs side by side with the % difference of each against the first,
 * per workload and metric — computed by the framework's compareRuns, the code behind
 * `llm-speed compare`, with its comparability warnings.
 */
import type { Comparison, MeasuredResult, RunPayload } from '@llm-speed/framework';
import { slugify } from '../slug.js';
import { Layout } from './components/layout.js';
import { backendLine, modelDetails, num, workloadLabel } from './format.js';
import { renderPage } from './render.js';
import type { Site } from './site.js';

const METRIC_LABELS: Record<string, string> = {
  ttft_ms: 'TTFT (ms)',
  prefill_tps: 'prefill tok/s',
  decode_tps: 'decode tok/s',
  decode_p50_latency_ms: 'decode p50 (ms/token)',
  decode_p95_latency_ms: 'decode p95 (ms/token)',
  wall_ms: 'wall (ms)',
};

/** "+12.5 %", "−3.0 %". */
export function signedPercent(d: number): string {
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(1)} %`;
}

export interface CompareData {
  ids: string[];
  runs: RunPayload[];
  comparison: Comparison;
}

export function ComparePage({ data, site }: { data: CompareData; site: Site }) {
  const { ids, runs, comparison } = data;
  const first = (i: number) => runs[i]!.results[0] as MeasuredResult;
  const title = `Compare ${ids.length} runs: ${[...new Set(runs.map((r, i) => `${first(i).model.name} on ${r.fingerprint.accelerator_summary}`))].join(' vs ')}`;
  const workloads = [...new Set(comparison.rows.map((r) => r.workload))];
  return (
    <Layout site={site} meta={{ title, description: `Side by side, with the % difference of each run against ${ids[0]}, per workload and metric.`, path: `/compare?runs=${ids.join(',')}` }}>
      <h1>Compare runs</h1>
      <p>
        Each figure of a run against the first run's (<span class="mono">{ids[0]}</span>): the same arithmetic as <code>llm-speed compare {ids.join(' ')}</code>. Green is better, red worse (lower is
        better for times).
      </p>
      <div class="scroll">
        <table class="compare-runs">
          <tr>
            <th></th>
            {ids.map((id) => (
              <th>
                <a href={`/r/${id}`} class="mono">
                  {id}
                </a>
              </th>
            ))}
          </tr>
          <tr>
            <th>model</th>
            {runs.map((_, i) => (
              <td>
                <a href={`/m/${slugify(first(i).model.name)}`}>{first(i).model.name}</a> <small>{modelDetails(first(i).model)}</small>
              </td>
            ))}
          </tr>
          <tr>
            <th>hardware</th>
            {runs.map((r) => (
              <td>
                <a href={`/hw/${slugify(r.fingerprint.accelerator_summary)}`}>{r.fingerprint.accelerator_summary}</a>
              </td>
            ))}
          </tr>
          <tr>
            <th>backend</th>
            {runs.map((_, i) => (
              <td>{backendLine(first(i))}</td>
            ))}
          </tr>
        </table>
      </div>
      {comparison.warnings.length ? (
        <div class="notice" id="compare-warnings">
          <p>Read with care:</p>
          <ul>
            {comparison.warnings.map((w) => (
              <li>{w}</li>
            ))}
          </ul>
        </div>
      ) : (
        <p id="compare-comparable">Every workload is in one comparable group across these runs (METHODOLOGY §6.1).</p>
      )}
      {workloads.map((w) => {
        const standing = comparison.comparability.find((s) => s.workload === w);
        return (
          <section id={`compare-${w}`}>
            <h2>
              {workloadLabel(w)} {standing && !standing.comparable ? <small class="not-comparable">not one comparable group</small> : null}
            </h2>
            <div class="scroll">
              <table class="compare" data-workload={w}>
                <tr>
                  <th>metric</th>
                  {ids.map((id, i) => (
                    <th class="mono">{i === 0 ? id : `${id} (Δ)`}</th>
                  ))}
                </tr>
                {comparison.rows
                  .filter((row) => row.workload === w && row.values.some((v) => v !== null))
                  .map((row) => (
                    <tr data-metric={row.metric}>
                      <th>{METRIC_LABELS[row.metric] ?? row.metric}</th>
                      {row.values.map((v, i) => {
                        const d = row.diff_pct[i];
                        const better = row.better[i];
                        return (
                          <td class="n" data-run={ids[i]}>
                            {num(v, row.metric.endsWith('_latency_ms') ? 2 : 1)}
                            {i > 0 && d !== null && d !== undefined ? (
                              <span class={`diff ${better === true ? 'better' : better === false ? 'worse' : ''}`} data-diff={d.toFixed(4)}>
                                {' '}
                                ({signedPercent(d)})
                              </span>
                            ) : null}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
              </table>
            </div>
          </section>
        );
      })}
    </Layout>
  );
}

export function comparePage(data: CompareData, site: Site): string {
  return renderPage(<ComparePage data={data} site={site} />);
}
