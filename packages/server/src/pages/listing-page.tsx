/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** /m/<slug> and /hw/<slug>: every comparable run of a model (per hardware class) or of a machine (per model), then the tables. */
import type { ClusterRow, RunRow, SpreadPoint } from '../repository.js';
import { MIN_CLUSTER_SIZE, SIGMA_THRESHOLD } from '../outliers.js';
import { SpreadPlot, type SpreadRow } from './components/charts.js';
import { Layout } from './components/layout.js';
import { GroupsTable, RunsTable } from './components/tables.js';
import { WORKLOADS, num, workloadLabel } from './format.js';
import { renderPage } from './render.js';
import type { Site } from './site.js';

/** Rows per spread plot: the groups with the highest medians (the table below lists them all). */
export const SPREAD_ROWS = 20;

export function GroupNote() {
  return (
    <p>
      <small>
        A group is (suite version × workload × model digest × backend × engine × build × hardware class); only comparable runs count — quick, interrupted, short-output, warm-cache and failed runs, and
        W4 with serial streams, are listed but never ranked or pooled (METHODOLOGY §6.1). Flags: a run more than {SIGMA_THRESHOLD}σ from the other runs of its group, computed once a group has{' '}
        {MIN_CLUSTER_SIZE} runs; flagged runs stay listed and are never a group's best run.
      </small>
    </p>
  );
}

/** The groups a listing plots: per workload, the SPREAD_ROWS with the highest medians (clusters come sorted by workload, median). */
export function plottedGroups(clusters: ClusterRow[]): ClusterRow[] {
  const perWorkload = new Map<string, ClusterRow[]>();
  for (const c of clusters) {
    const list = perWorkload.get(c.workload) ?? [];
    if (list.length < SPREAD_ROWS) list.push(c);
    perWorkload.set(c.workload, list);
  }
  const order = (w: string) => {
    const i = WORKLOADS.findIndex((x) => x.name === w);
    return i < 0 ? WORKLOADS.length : i;
  };
  return [...perWorkload.entries()].sort(([a], [b]) => order(a) - order(b)).flatMap(([, list]) => list);
}

export interface ListingData {
  kind: 'model' | 'hardware';
  slug: string;
  title: string;
  clusters: ClusterRow[];
  runs: RunRow[];
  spread: SpreadPoint[];
  limit: number;
}

export function ListingPage({ data, site }: { data: ListingData; site: Site }) {
  const { kind, clusters } = data;
  const plotted = plottedGroups(clusters);
  const pointsOf = new Map<string, SpreadPoint[]>();
  for (const p of data.spread) {
    const key = `${p.clusterKey}\u0000${p.workload}`;
    pointsOf.set(key, [...(pointsOf.get(key) ?? []), p]);
  }
  const workloads = [...new Set(plotted.map((c) => c.workload))];
  const label = kind === 'model' ? 'Model' : 'Hardware';
  const path = `/${kind === 'model' ? 'm' : 'hw'}/${data.slug}`;
  const best = clusters.filter((c) => c.workload === 'chat-short' && c.bestDecodeTps !== null).sort((a, b) => b.bestDecodeTps! - a.bestDecodeTps!)[0];
  const description =
    `${clusters.reduce((n, c) => n + c.n, 0)} comparable runs in ${clusters.length} groups` +
    (best ? `; fastest W1 decode ${num(best.bestDecodeTps)} tok/s (${kind === 'model' ? best.acceleratorSummary : best.modelName}, ${best.backend})` : '') +
    '. Every run shown, not averaged: signed llm-speed results.';
  return (
    <Layout site={site} meta={{ title: `${label}: ${data.title}`, description, path }}>
      <h1>
        {label}: {data.title}
      </h1>
      <p>{description}</p>
      <GroupNote />
      {workloads.map((w) => {
        const groups = plotted.filter((c) => c.workload === w);
        const total = clusters.filter((c) => c.workload === w).length;
        const rows: SpreadRow[] = groups.map((c) => ({
          label: kind === 'model' ? c.acceleratorSummary : `${c.modelName}${c.modelQuant ? ` ${c.modelQuant}` : ''}`,
          href: kind === 'model' ? `/hw/${c.hardwareSlug}` : `/m/${c.modelSlug}`,
          detail: `${c.backend} ${c.engine === c.backend ? '' : `${c.engine} `}${c.build} · ${c.n} run${c.n === 1 ? '' : 's'} · median ${num(c.median)}`,
          median: c.median,
          points: (pointsOf.get(`${c.clusterKey}\u0000${c.workload}`) ?? []).map((p) => ({ value: p.decodeTps, flagged: p.flagged, resultId: p.resultId })),
        }));
        return (
          <section class="spread" id={`spread-${w}`}>
            <h2>{workloadLabel(w)}</h2>
            <SpreadPlot id={`spread-chart-${w}`} title={`${workloadLabel(w)}: decode tok/s of every run, one row per ${kind === 'model' ? 'hardware class' : 'model'}`} rows={rows} />
            {total > groups.length ? (
              <p>
                <small>
                  Showing the {groups.length} groups with the highest medians of {total}; the table below lists them all.
                </small>
              </p>
            ) : null}
          </section>
        );
      })}
      <h2>Groups</h2>
      <GroupsTable clusters={clusters} />
      <h2>Latest runs</h2>
      <RunsTable runs={data.runs} />
      {data.runs.length >= data.limit ? <p>Showing the latest {data.limit}.</p> : null}
    </Layout>
  );
}

export function listingPage(data: ListingData, site: Site): string {
  return renderPage(<ListingPage data={data} site={site} />);
}
