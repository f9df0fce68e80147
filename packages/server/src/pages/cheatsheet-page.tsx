/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** /cheatsheet: the board — per workload the fastest comparable runs, local hardware and hosted APIs apart, filterable. */
import type { BoardFacets, EfficiencySection, LeaderboardFilters, LeaderboardSection } from '../repository.js';
import { BUILD_KINDS, type BoardView } from './board-query.js';
import { Layout } from './components/layout.js';
import { BoardTable } from './components/tables.js';
import { WORKLOADS, num, workloadLabel } from './format.js';
import { GroupNote } from './listing-page.js';
import { renderPage } from './render.js';
import type { Site } from './site.js';

function Select({ name, label, options, value }: { name: string; label: string; options: Array<[string, string]>; value?: string }) {
  return (
    <label>
      {label}
      <select name={name}>
        <option value="">any</option>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

export function queryString(filters: LeaderboardFilters, view: BoardView = 'fastest'): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ workload: filters.workload, suite: filters.suite, backend: filters.backend, build: filters.build })) if (v) params.set(k, v);
  if (view === 'efficiency') params.set('view', view);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface BoardData {
  view: BoardView;
  sections: LeaderboardSection[];
  /** The most efficient view's sections (view = efficiency). */
  efficiency: EfficiencySection[];
  filters: LeaderboardFilters;
  facets: BoardFacets;
  total: number;
  limit: number;
}

export function CheatsheetPage({ data, site }: { data: BoardData; site: Site }) {
  const { filters, facets, view } = data;
  const active = Object.entries(filters).filter(([, v]) => v);
  if (view === 'efficiency') return <EfficiencyPage data={data} site={site} active={active} />;
  const lead = data.sections[0];
  const top = lead?.local[0] ?? lead?.hosted[0];
  const description = top
    ? `Fastest ${workloadLabel(lead!.workload)}: ${top.modelName} on ${top.hardwareLabel} (${top.backend}), median ${num(top.median)} tok/s decode over ${top.n} signed runs. Local hardware and hosted APIs ranked apart.`
    : 'The fastest setups per workload by the median of their signed, comparable runs: local hardware and hosted APIs ranked apart.';
  return (
    <Layout
      site={site}
      meta={{
        title: active.length ? `Cheatsheet (${active.map(([k, v]) => `${k} ${v}`).join(', ')})` : 'Cheatsheet: the fastest signed runs',
        description,
        path: `/cheatsheet${queryString(filters)}`,
      }}
    >
      <h1>Cheatsheet: the fastest signed runs</h1>
      <Views filters={filters} view={view} />
      <p>
        {data.total} stored runs. Per workload, each group — one model, backend and build on one hardware class — ranked by the median decode tok/s of its comparable runs (never by its single best
        run), recomputed from the database on every request. Hosted APIs are ranked apart from local hardware: their figures include the network and the provider's queue. Each row links the group's
        best signed run. JSON: <a href={`/v1/leaderboard${queryString(filters)}`}>/v1/leaderboard{queryString(filters)}</a>.
      </p>
      <form class="filters" method="get" action="/cheatsheet">
        <Select name="workload" label="workload" value={filters.workload} options={WORKLOADS.map((w) => [w.name, `${w.id} ${w.name}`])} />
        <Select name="suite" label="suite" value={filters.suite} options={facets.suites.map((s) => [s, s])} />
        <Select name="backend" label="backend" value={filters.backend} options={facets.backends.map((b) => [b, b])} />
        <Select name="build" label="build" value={filters.build} options={BUILD_KINDS.map((b) => [b, b])} />
        <button type="submit">Filter</button>
        {active.length ? <a href="/cheatsheet">clear</a> : null}
      </form>
      {active.length ? <p id="active-filters">Filtered: {active.map(([k, v]) => `${k} = ${v}`).join(', ')}.</p> : null}
      <GroupNote />
      {data.sections.length === 0 ? <p id="no-runs">No ranked runs match.</p> : null}
      {data.sections.map((s) => (
        <section class="board-section" id={s.workload}>
          <h2>{workloadLabel(s.workload)}</h2>
          <h3>On local hardware</h3>
          {s.local.length ? <BoardTable rows={s.local} hosted={false} id={`board-${s.workload}-local`} /> : <p>No runs on local hardware.</p>}
          <h3>Hosted APIs</h3>
          {s.hosted.length ? <BoardTable rows={s.hosted} hosted id={`board-${s.workload}-hosted`} /> : <p>No hosted-API runs.</p>}
          {s.local.length >= data.limit || s.hosted.length >= data.limit ? (
            <p>
              <small>The first {data.limit} of each.</small>
            </p>
          ) : null}
        </section>
      ))}
    </Layout>
  );
}

/** The two views of the board, as links that keep the filters. */
function Views({ filters, view }: { filters: LeaderboardFilters; view: BoardView }) {
  return (
    <p class="views" id="views">
      {view === 'fastest' ? <strong>Fastest</strong> : <a href={`/cheatsheet${queryString(filters)}`}>Fastest</a>} ·{' '}
      {view === 'efficiency' ? <strong>Most efficient (tok/s per watt)</strong> : <a href={`/cheatsheet${queryString(filters, 'efficiency')}`}>Most efficient (tok/s per watt)</a>}
    </p>
  );
}

/**
 * The most efficient view (issue 23): per workload and per kind of meter, the ranked groups by the
 * median decode tokens per second per watt of their runs. Energy is compared only between runs
 * measured with the same kind of meter (METHODOLOGY §13.1), so each meter has its own table.
 */
function EfficiencyPage({ data, site, active }: { data: BoardData; site: Site; active: Array<[string, string | undefined]> }) {
  const { filters, facets } = data;
  const top = data.efficiency[0]?.groups[0];
  return (
    <Layout
      site={site}
      meta={{
        title: 'Cheatsheet: the most efficient signed runs',
        description: top
          ? `Most tokens per second per watt (${workloadLabel(data.efficiency[0]!.workload)}, ${data.efficiency[0]!.meter}): ${num(top.tpsPerW, 2)} tok/s/W, ${top.modelName} on ${top.hardwareLabel} (${top.backend}).`
          : 'The most efficient signed, comparable runs per workload, by tokens per second per watt, each kind of meter apart.',
        path: `/cheatsheet${queryString(filters, 'efficiency')}`,
      }}
    >
      <h1>Cheatsheet: the most efficient signed runs</h1>
      <Views filters={filters} view="efficiency" />
      <p>
        Per workload, the ranked groups on local hardware by the median decode tokens per second per watt of their runs (net of the machine's idle power). Energy is compared only between runs measured
        by the same kind of meter — a GPU board's power and a whole chip's are different quantities — so each meter has its own table. JSON:{' '}
        <a href={`/v1/leaderboard${queryString(filters, 'efficiency')}`}>/v1/leaderboard{queryString(filters, 'efficiency')}</a>.
      </p>
      <form class="filters" method="get" action="/cheatsheet">
        <Select name="workload" label="workload" value={filters.workload} options={WORKLOADS.map((w) => [w.name, `${w.id} ${w.name}`])} />
        <Select name="suite" label="suite" value={filters.suite} options={facets.suites.map((s) => [s, s])} />
        <Select name="backend" label="backend" value={filters.backend} options={facets.backends.map((b) => [b, b])} />
        <Select name="build" label="build" value={filters.build} options={BUILD_KINDS.map((b) => [b, b])} />
        <input type="hidden" name="view" value="efficiency" />
        <button type="submit">Filter</button>
        {active.length ? <a href="/cheatsheet?view=efficiency">clear</a> : null}
      </form>
      <GroupNote />
      {data.efficiency.length === 0 ? <p id="no-runs">No ranked runs with an energy figure match.</p> : null}
      {[...new Set(data.efficiency.map((s) => s.workload))].map((w) => (
        <section class="board-section" id={`efficiency-${w}`}>
          <h2>{workloadLabel(w)}</h2>
          {data.efficiency
            .filter((s) => s.workload === w)
            .map((s) => (
              <>
                <h3>Measured by {s.meter}</h3>
                <BoardTable rows={s.groups} hosted={false} id={`efficiency-${w}-${s.meter}`} metric="efficiency" />
              </>
            ))}
        </section>
      ))}
    </Layout>
  );
}

export function cheatsheetPage(data: BoardData, site: Site): string {
  return renderPage(<CheatsheetPage data={data} site={site} />);
}
