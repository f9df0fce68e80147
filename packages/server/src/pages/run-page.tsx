/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** /r/<id>: a result read top-down — headline, workloads, how to reproduce and verify, disputes, provenance last. */
import { comparability, type MeasuredResult } from '@llm-speed/framework';
import { SIGMA_THRESHOLD } from '../outliers.js';
import { cardStateOf } from './card.js';
import { SpreadPlot } from './components/charts.js';
import { Commands } from './components/commands.js';
import { RunDisputes, Time } from './components/disputes.js';
import { Headline } from './components/headline.js';
import { Layout } from './components/layout.js';
import { WorkloadCard } from './components/workload-card.js';
import { duration, headlineMetric, modelDetails, num, sentenceCase, unrankedWords, workloadLabel } from './format.js';
import { hardwareLabel, measuredOn } from './hardware-label.js';
import { standingSentence, unrankedLabel } from './standing-words.js';
import { renderPage } from './render.js';
import { STANDING_ROWS, type RunView, type Standing } from './run-view.js';
import type { Site } from './site.js';

/** The run's headline workload (or its first), whose figures and flags the title and preview speak of. */
function leadOf(view: Pick<RunView, 'run' | 'headline'>): MeasuredResult {
  return (view.headline.index === null ? view.run.results[0] : view.run.results[view.headline.index]) as MeasuredResult;
}

/**
 * The link preview's sentence: the figures, the standing (or why it is not ranked: a quick or
 * warm-cache run never reads like a ranked one, issue 26.4), then what ran where.
 */
export function runDescription(view: Pick<RunView, 'run' | 'headline' | 'standing'>): string {
  const r = leadOf(view);
  const h = view.headline;
  const what = h.workload === 'concurrent-decode' ? 'throughput of all streams' : 'decode';
  const figures = h.decodeTps === null ? 'No decode figure' : `${num(h.decodeTps)} tok/s ${what}, ${duration(h.ttftMs)} to first token (${workloadLabel(h.workload ?? '')})`;
  const unranked = unrankedLabel(view.standing, r);
  const standing = view.standing.kind === 'ranked' ? standingSentence(view.standing) : `${sentenceCase(unranked ?? 'not ranked')}.`;
  const where = `${r.model.name}${modelDetails(r.model) ? ` ${modelDetails(r.model)}` : ''} on ${measuredOn(view.run.fingerprint, r)} with ${r.backend} ${r.backend_version}`;
  return `${figures}. ${standing} ${where}. A signed llm-speed run.`;
}

/**
 * "Qwen2.5-7B-Instruct: 140.0 tok/s (not ranked: quick run) on RTX 4090 24 GB + …, 32 cores, 64 GB
 * RAM". Without a standing (a page that does not load the board), only what the run itself says.
 */
export function runTitle(view: Pick<RunView, 'run' | 'headline'> & { standing?: Standing }): string {
  const r = leadOf(view);
  const h = view.headline;
  const verdict = comparability(r);
  const unranked = view.standing ? unrankedLabel(view.standing, r) : verdict.comparable ? null : unrankedWords(verdict.codes);
  return `${r.model.name}: ${h.decodeTps === null ? 'no decode figure' : `${num(h.decodeTps)} tok/s`}${unranked ? ` (${unranked})` : ''} on ${measuredOn(view.run.fingerprint, r)}`;
}

function Setup({ view }: { view: RunView }) {
  const results = view.run.results as MeasuredResult[];
  const models = [...new Map(results.map((r) => [`${r.model.identifier}\u0000${r.model.digest ?? ''}`, r.model])).values()];
  const suites = [...new Map(results.map((r) => [`${r.suite_version}\u0000${r.suite_digest}`, r])).values()];
  return (
    <div class="scroll">
      <table class="setup">
        {models.map((m) => (
          <>
            <tr>
              <th>Model</th>
              <td>
                {m.name} <span class="mono">{m.identifier}</span>
                {modelDetails(m) ? ` · ${modelDetails(m)}` : ''}
              </td>
            </tr>
            <tr>
              <th>Weights digest</th>
              <td class="mono">{m.digest ?? '— (the backend reports none: grouped by identifier and quant)'}</td>
            </tr>
          </>
        ))}
        {suites.map((s) => (
          <tr>
            <th>Suite</th>
            <td>
              {s.suite_version ?? '—'} <span class="mono">{s.suite_digest ?? ''}</span>
            </td>
          </tr>
        ))}
      </table>
    </div>
  );
}

function Provenance({ view }: { view: RunView }) {
  const { run, stored } = view;
  const fp = run.fingerprint;
  return (
    <details id="provenance">
      <summary>Provenance: fingerprint, key, signature, timestamps</summary>
      <div class="scroll">
        <table>
          <tr>
            <th>OS</th>
            <td>
              {fp.os_name} {fp.os_version}
            </td>
          </tr>
          <tr>
            <th>CPU</th>
            <td>
              {fp.cpu_model}, {fp.cpu_cores} cores
            </td>
          </tr>
          <tr>
            <th>RAM</th>
            <td>{fp.ram_gb} GB</td>
          </tr>
          <tr>
            <th>GPUs</th>
            <td>{fp.gpus.map((g) => `${g.name} (${g.kind}, ${g.memory_gb} GB)`).join('; ') || '—'}</td>
          </tr>
          <tr>
            <th>Accelerator</th>
            <td>{fp.accelerator_summary}</td>
          </tr>
          <tr>
            <th>Hardware label</th>
            <td>{hardwareLabel(fp)}</td>
          </tr>
          <tr>
            <th>Fingerprint hash</th>
            <td class="mono">{fp.fingerprint_hash ?? '— (strict-anon)'}</td>
          </tr>
          <tr>
            <th>Backends found</th>
            <td>
              {Object.entries(fp.extras.backends)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')}
            </td>
          </tr>
          <tr>
            <th>CLI</th>
            <td>{run.cli_version}</td>
          </tr>
          <tr>
            <th>Started</th>
            <td>
              <Time iso={run.started_at} />
            </td>
          </tr>
          <tr>
            <th>Finished</th>
            <td>
              <Time iso={run.finished_at} />
            </td>
          </tr>
          <tr>
            <th>Received</th>
            <td>
              <Time iso={stored.receivedAt} />
            </td>
          </tr>
          {view.contributor ? (
            <tr>
              <th>Contributor</th>
              <td id="contributor">contributed by {view.contributor}</td>
            </tr>
          ) : null}
          <tr>
            <th>Public key</th>
            <td class="mono" id="public-key">
              {run.public_key ?? ''}
            </td>
          </tr>
          <tr>
            <th>Signature</th>
            <td class="mono" id="signature">
              {run.signature ?? ''}
            </td>
          </tr>
        </table>
      </div>
    </details>
  );
}

/**
 * Where the run stands (issue 22): every comparable run of its setup — this model, backend and
 * build on each hardware class — as a dot with its 95 % interval, this run highlighted; the rows
 * are the hardware classes by median, as the sentence above counts them.
 */
function StandingChart({ view }: { view: RunView }) {
  if (view.standing.kind !== 'ranked' || view.setupGroups.length === 0) return null;
  const workload = view.standing.workload;
  const rows = view.setupGroups.slice(0, STANDING_ROWS).map((g) => ({
    label: g.hardwareLabel,
    href: `/hw/${g.hardwareSlug}`,
    detail: `${g.n} run${g.n === 1 ? '' : 's'} · median ${num(g.median)}`,
    median: g.median,
    points: view.setupSpread
      .filter((p) => p.clusterKey === g.clusterKey)
      .map((p) => ({ value: p.decodeTps, ciLow: p.ciLow, ciHigh: p.ciHigh, flagged: p.flagged, resultId: p.resultId, highlight: p.resultId === view.stored.id })),
  }));
  return (
    <section id="standing-chart">
      <SpreadPlot
        id="chart-standing"
        title={`Where it stands: ${headlineMetric(workload).long} of every comparable run of this model, backend and build, one row per hardware class (${workloadLabel(workload)}); this run in orange`}
        rows={rows}
        axis={headlineMetric(workload).short}
      />
    </section>
  );
}

export function RunPage({ view, site }: { view: RunView; site: Site }) {
  const { stored, run } = view;
  const results = run.results as MeasuredResult[];
  const lead = view.headline.index === null ? results[0]! : results[view.headline.index]!;
  const flagged = stored.flagged.size;
  return (
    <Layout
      site={site}
      meta={{
        title: runTitle(view),
        description: runDescription(view),
        path: `/r/${stored.id}`,
        type: 'article',
        // The state in the URL: a preview cached under one state is not shown for another.
        image: { path: `/r/${stored.id}/card.png?state=${cardStateOf(stored, run, view.headline).kind}`, alt: runDescription(view) },
      }}
    >
      <h1>
        Run <span class="mono">{stored.id}</span>
      </h1>
      <Headline result={lead} run={run} headline={view.headline} standing={view.standing} compareWith={view.compareWith} id={stored.id} contributor={view.contributor} />
      <StandingChart view={view} />
      {flagged ? (
        <p class="flag">
          This run is flagged for review: {flagged} workload{flagged > 1 ? 's are' : ' is'} more than {SIGMA_THRESHOLD}σ from its group (see below).
        </p>
      ) : null}
      {view.disputes.length ? (
        <p class="notice">
          <a href="#dispute">
            {view.disputes.length} dispute thread{view.disputes.length > 1 ? 's' : ''}
          </a>{' '}
          open on this result.
        </p>
      ) : null}
      <h2>Setup</h2>
      <Setup view={view} />
      <h2>Workloads</h2>
      <div class="cards">
        {results.map((r, i) => (
          <WorkloadCard result={r} index={i} flaggedZ={stored.flagged.get(i)} cluster={stored.clusters.get(i)} fingerprint={run.fingerprint} />
        ))}
      </div>
      <Commands run={run} id={stored.id} site={site} />
      <RunDisputes id={stored.id} disputes={view.disputes} />
      <h2>Provenance</h2>
      <Provenance view={view} />
    </Layout>
  );
}

export function runPage(view: RunView, site: Site): string {
  return renderPage(<RunPage view={view} site={site} />);
}
