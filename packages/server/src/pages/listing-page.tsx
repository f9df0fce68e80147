/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * /m/<slug> and /hw/<slug>, each answering its own question (issue 26.8):
 * - a model's page: which hardware runs this model fastest — hardware classes ranked by their
 *   group's median, one chart row per machine;
 * - a machine's page: which models and backends run fastest on it — models and backends ranked by
 *   median, one chart row per model; runs on its CPU with its GPU unused apart (issue 25).
 */
import type { ClusterRow, RunRow, SpreadPoint } from '../repository.js';
import { SpreadPlot, type SpreadRow } from './components/charts.js';
import { Layout } from './components/layout.js';
import { RankTable, RunsTable } from './components/tables.js';
import { WORKLOADS, headlineMetric, num, workloadLabel } from './format.js';
import { renderPage } from './render.js';
import type { Site } from './site.js';

/** Rows per spread plot: the groups with the highest medians (the table below lists them all). */
export const SPREAD_ROWS = 20;

/** One line under a listing's title: what a group is, with the rule behind a link. */
export function GroupNote() {
  return (
    <p class="group-note">
      <small>
        A group is one model, backend, engine and build on one hardware class; only comparable runs count, and a group is ranked by its median once it has enough runs.{' '}
        <a href="/ranking">How runs are ranked</a>
      </small>
    </p>
  );
}

const workloadOrder = (w: string) => {
  const i = WORKLOADS.findIndex((x) => x.name === w);
  return i < 0 ? WORKLOADS.length : i;
};

/** The groups a listing plots: per workload, the SPREAD_ROWS with the highest medians (clusters come sorted by workload, median). */
export function plottedGroups(clusters: ClusterRow[]): ClusterRow[] {
  const perWorkload = new Map<string, ClusterRow[]>();
  for (const c of clusters) {
    const list = perWorkload.get(c.workload) ?? [];
    if (list.length < SPREAD_ROWS) list.push(c);
    perWorkload.set(c.workload, list);
  }
  return [...perWorkload.entries()].sort(([a], [b]) => workloadOrder(a) - workloadOrder(b)).flatMap(([, list]) => list);
}

export interface ListingData {
  kind: 'model' | 'hardware';
  slug: string;
  /** The model's name, or the machine's accelerator summary (the slug's source). */
  title: string;
  clusters: ClusterRow[];
  runs: RunRow[];
  spread: SpreadPoint[];
  limit: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const setup = (c: ClusterRow) => `${c.backend}${c.engine === c.backend ? '' : ` ${c.engine}`}, ${c.build === 'cpu' ? 'CPU' : c.build.toUpperCase()} build`;

/** The ranked group with the highest median in the first workload that has one. */
function leader(clusters: ClusterRow[]): ClusterRow | undefined {
  return clusters.filter((c) => c.ranked && c.median !== null).sort((a, b) => workloadOrder(a.workload) - workloadOrder(b.workload) || b.median! - a.median!)[0];
}

/** The machine's name on its page: its most common label (with the core count) among the groups that used its accelerator. */
function machineLabel(data: ListingData): { label: string; others: string[] } {
  const counts = new Map<string, number>();
  for (const c of data.clusters.filter((c) => !c.acceleratorUnused)) counts.set(c.hardwareLabel, (counts.get(c.hardwareLabel) ?? 0) + c.n);
  for (const r of data.runs.filter((r) => !r.acceleratorUnused)) if (!counts.has(r.hardwareLabel)) counts.set(r.hardwareLabel, 0);
  const labels = [...counts.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([l]) => l);
  return { label: labels[0] ?? data.title, others: labels.slice(1) };
}

/** Energy compares only within one kind of meter (METHODOLOGY §13.1): said under a table that mixes them. */
function MetersNote({ groups }: { groups: ClusterRow[] }) {
  const meters = [...new Set(groups.flatMap((g) => (g.energyMeter ? [g.energyMeter] : [])))].sort();
  if (meters.length < 2) return null;
  return (
    <p data-meters-differ>
      <small>tok/s/W measured by different kinds of meter ({meters.join(', ')}) are not comparable with each other: a GPU board's power and a whole chip's are different quantities.</small>
    </p>
  );
}

function Sections({ data, groups, kind }: { data: ListingData; groups: ClusterRow[]; kind: 'model' | 'hardware' }) {
  const pointsOf = new Map<string, SpreadPoint[]>();
  for (const p of data.spread) {
    const key = `${p.clusterKey}\u0000${p.workload}`;
    pointsOf.set(key, [...(pointsOf.get(key) ?? []), p]);
  }
  const workloads = [...new Set(groups.map((c) => c.workload))].sort((a, b) => workloadOrder(a) - workloadOrder(b));
  return (
    <>
      {workloads.map((w) => {
        const all = groups.filter((c) => c.workload === w);
        const plotted = plottedGroups(all);
        const rows: SpreadRow[] = plotted.map((c) => ({
          label: kind === 'model' ? c.hardwareLabel : `${c.modelName}${c.modelQuant ? ` ${c.modelQuant}` : ''}`,
          href: kind === 'model' ? `/hw/${c.hardwareSlug}` : `/m/${c.modelSlug}`,
          detail: `${c.backend} ${c.engine === c.backend ? '' : `${c.engine} `}${c.build} · ${plural(c.n, 'run')} · median ${num(c.median)}${c.ranked ? '' : ' · not ranked yet'}`,
          median: c.median,
          points: (pointsOf.get(`${c.clusterKey}\u0000${c.workload}`) ?? []).map((p) => ({ value: p.decodeTps, ciLow: p.ciLow, ciHigh: p.ciHigh, flagged: p.flagged, resultId: p.resultId })),
        }));
        return (
          <section class="spread" id={`spread-${w}`} data-workload={w}>
            <h2>{workloadLabel(w)}</h2>
            <RankTable kind={kind} clusters={all} id={`rank-${w}`} />
            <MetersNote groups={all} />
            <SpreadPlot
              id={`spread-chart-${w}`}
              title={`${workloadLabel(w)}: ${headlineMetric(w).long} of every run, one row per ${kind === 'model' ? 'hardware class' : 'model and backend'}`}
              rows={rows}
              axis={headlineMetric(w).short}
            />
            {all.length > plotted.length ? (
              <p>
                <small>
                  The chart shows the {plotted.length} groups with the highest medians of {all.length}; the table lists them all.
                </small>
              </p>
            ) : null}
          </section>
        );
      })}
    </>
  );
}

export function ListingPage({ data, site }: { data: ListingData; site: Site }) {
  const model = data.kind === 'model';
  const path = `/${model ? 'm' : 'hw'}/${data.slug}`;
  const own = model ? data.clusters : data.clusters.filter((c) => !c.acceleratorUnused);
  const idle = model ? [] : data.clusters.filter((c) => c.acceleratorUnused);
  const machine = model ? null : machineLabel(data);
  const name = model ? data.title : machine!.label;
  const top = leader(own);
  const runs = own.reduce((n, c) => n + c.n, 0);
  const question = model ? `${name}: which hardware runs it fastest` : `What runs fastest on ${name}`;
  const answer = top
    ? model
      ? `Fastest for ${workloadLabel(top.workload)}: ${top.hardwareLabel} with ${setup(top)}, median ${num(top.median)} ${headlineMetric(top.workload).short} over ${plural(top.n, 'run')}.`
      : `Fastest on it for ${workloadLabel(top.workload)}: ${top.modelName}${top.modelQuant ? ` ${top.modelQuant}` : ''} with ${setup(top)}, median ${num(top.median)} ${headlineMetric(top.workload).short} over ${plural(top.n, 'run')}.`
    : `No ranked group yet: ${plural(runs, 'comparable run')} in ${plural(own.length, 'group')}, each listed below with what it lacks.`;
  return (
    <Layout site={site} meta={{ title: question, description: `${answer} Every run shown, not averaged: signed llm-speed results.`, path }}>
      <h1 id="question">{question}</h1>
      <p id="answer">
        <strong>{answer}</strong>
      </p>
      {machine?.others.length ? (
        <p id="machines">
          <small>Machines under this name: {[machine.label, ...machine.others].join('; ')}.</small>
        </p>
      ) : null}
      <GroupNote />
      <Sections data={data} groups={own} kind={data.kind} />
      {idle.length ? (
        <section id="accelerator-unused">
          <h2>On this machine's CPU, with its GPU unused</h2>
          <p>These runs computed on the CPU although the machine has a GPU: they are the CPU's figures, never the GPU's, and are ranked with CPU builds.</p>
          {[...new Set(idle.map((c) => c.workload))]
            .sort((a, b) => workloadOrder(a) - workloadOrder(b))
            .map((w) => (
              <>
                <h3>{workloadLabel(w)}</h3>
                <RankTable kind="hardware" clusters={idle.filter((c) => c.workload === w)} id={`rank-idle-${w}`} />
              </>
            ))}
        </section>
      ) : null}
      <h2>Latest runs</h2>
      <RunsTable runs={data.runs} />
      {data.runs.length >= data.limit ? <p>Showing the latest {data.limit}.</p> : null}
    </Layout>
  );
}

export function listingPage(data: ListingData, site: Site): string {
  return renderPage(<ListingPage data={data} site={site} />);
}
