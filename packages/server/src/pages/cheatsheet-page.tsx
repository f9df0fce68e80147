/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** /cheatsheet: the board — per workload the fastest comparable runs, local hardware and hosted APIs apart, filterable. */
import type { BoardFacets, LeaderboardFilters, LeaderboardSection } from '../repository.js';
import { BUILD_KINDS } from './board-query.js';
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

export function queryString(filters: LeaderboardFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ workload: filters.workload, suite: filters.suite, backend: filters.backend, build: filters.build })) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface BoardData {
  sections: LeaderboardSection[];
  filters: LeaderboardFilters;
  facets: BoardFacets;
  total: number;
  limit: number;
}

export function CheatsheetPage({ data, site }: { data: BoardData; site: Site }) {
  const { filters, facets } = data;
  const active = Object.entries(filters).filter(([, v]) => v);
  const lead = data.sections[0];
  const top = lead?.local[0] ?? lead?.hosted[0];
  const description = top
    ? `Fastest signed ${workloadLabel(lead!.workload)} run: ${num(top.bestDecodeTps)} tok/s decode, ${top.modelName} on ${top.acceleratorSummary} (${top.backend}). Local hardware and hosted APIs ranked apart.`
    : 'The fastest signed, comparable runs per workload: local hardware and hosted APIs ranked apart.';
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
      <p>
        {data.total} stored runs. Per workload, the fastest comparable run of each group — a group is one model, backend and build on one hardware class — ranked by decode tok/s, recomputed from the
        database on every request. Hosted APIs are ranked apart from local hardware: their figures include the network and the provider's queue. Each row links its signed run. JSON:{' '}
        <a href={`/v1/leaderboard${queryString(filters)}`}>/v1/leaderboard{queryString(filters)}</a>.
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

export function cheatsheetPage(data: BoardData, site: Site): string {
  return renderPage(<CheatsheetPage data={data} site={site} />);
}
