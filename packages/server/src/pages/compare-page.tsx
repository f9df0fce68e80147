/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * /compare?runs=<id>,<id>[,…]: runs side by side with the % difference of each against the first,
 * per workload and metric — computed by the framework's compareRuns, the code behind
 * `llm-speed compare`, with its comparability warnings.
 */
import {
  describeDifference,
  hasInterval,
  METRIC_WORDS,
  relativeHalfWidth,
  type CellVerdict,
  type Comparison,
  type Difference,
  type MeasuredResult,
  type MetricSpread,
  type RunPayload,
} from '@llm-speed/framework';
import { slugify } from '../slug.js';
import { Layout } from './components/layout.js';
import { MARK_WORDS, backendLine, modelDetails, num, workloadLabel } from './format.js';
import { measuredOn } from './hardware-label.js';
import { renderPage } from './render.js';
import type { Site } from './site.js';

/** "+12.5 %", "−3.0 %". */
export function signedPercent(d: number): string {
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(1)} %`;
}

/** " ±1.2 %" for a figure with an interval; nothing for a single measurement. */
function plusMinus(s: MetricSpread | undefined): string {
  const half = s && hasInterval(s) ? relativeHalfWidth(s) : null;
  return half === null ? '' : ` ±${(half * 100).toFixed(1)} %`;
}

/**
 * A later run's figure against the first (METHODOLOGY §6.1), in words: "within noise (+1.2 %)"
 * when the two intervals overlap, else the Δ with its interval "+13.3 % (+7.1 % … +19.6 %)"; two
 * single measurements say the noise is unknown. Pairs that did not measure the same work get no Δ.
 */
function Delta({ verdict, difference, better }: { verdict: CellVerdict; difference: Difference | null; better: boolean | null }) {
  if (verdict === 'not-comparable') return <span class="diff not-comparable"> not comparable</span>;
  if (!difference) return null;
  const colour = verdict === 'within-noise' ? 'noise' : better === true ? 'better' : better === false ? 'worse' : '';
  return (
    <span class={`diff ${colour}`.trim()} data-diff={difference.pct.toFixed(4)} data-verdict={verdict}>
      {' '}
      {describeDifference(difference)}
    </span>
  );
}

export interface CompareData {
  ids: string[];
  runs: RunPayload[];
  comparison: Comparison;
}

export function ComparePage({ data, site }: { data: CompareData; site: Site }) {
  const { ids, runs, comparison } = data;
  const first = (i: number) => runs[i]!.results[0] as MeasuredResult;
  const title = `Compare ${ids.length} runs: ${[...new Set(runs.map((r, i) => `${first(i).model.name} on ${measuredOn(r.fingerprint, first(i))}`))].join(' vs ')}`;
  const workloads = [...new Set(comparison.rows.map((r) => r.workload))];
  return (
    <Layout site={site} meta={{ title, description: `Side by side, with the % difference of each run against ${ids[0]}, per workload and metric.`, path: `/compare?runs=${ids.join(',')}` }}>
      <h1>Compare runs</h1>
      <p>
        Each figure of a run against the first run's (<span class="mono">{ids[0]}</span>): the same arithmetic as <code>llm-speed compare {ids.join(' ')}</code>. Where the two 95 % intervals overlap
        the difference is <em>within noise</em>; otherwise the Δ is given with its interval, green better and red worse (lower is better for times). Two single measurements are compared as plain
        figures, and say so. <a href="/ranking#noise">How runs are compared</a>
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
            {runs.map((r, i) => (
              <td>
                <a href={`/hw/${slugify(r.fingerprint.accelerator_summary)}`}>{measuredOn(r.fingerprint, first(i))}</a>
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
                      <th>{METRIC_WORDS[row.metric] ?? row.metric}</th>
                      {row.values.map((v, i) => (
                        <td class="n" data-run={ids[i]}>
                          {num(v, row.metric.endsWith('_latency_ms') ? 2 : 1)}
                          <small class="ci">{plusMinus(row.spreads[i])}</small>
                          {i > 0 ? <Delta verdict={row.verdicts[i]!} difference={row.differences[i] ?? null} better={row.better[i] ?? null} /> : null}
                        </td>
                      ))}
                    </tr>
                  ))}
                {standing?.runs.some((r) => r?.marks.length) ? (
                  <tr data-metric="marks">
                    <th>read with care</th>
                    {standing.runs.map((r, i) => (
                      <td data-run={ids[i]} class="marks">
                        {(r?.marks ?? []).map((m) => MARK_WORDS[m as keyof typeof MARK_WORDS] ?? m).join(', ')}
                      </td>
                    ))}
                  </tr>
                ) : null}
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
