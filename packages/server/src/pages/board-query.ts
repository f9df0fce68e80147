/**
 * The board's filters from a query string (/cheatsheet, /v1/leaderboard): `workload` (W1…W5 or
 * its name), `suite`, `backend`, `build`. An empty value means "any" (what the filter form sends);
 * a value the board does not know is refused with a 400 that names the values it does know.
 * Parameters with other names are ignored: link shorteners and social sites append their own.
 */
import { schemas } from '@llm-speed/schemas';
import type { BoardFacets, LeaderboardFilters } from '../repository.js';
import { HttpError } from '../http-error.js';
import { WORKLOADS } from './format.js';

type Definitions = { $defs: { BackendBuild: { properties: { kind: { enum: string[] } } } } };
/** backend_build.kind as the result schema lists it (`unknown` is what a result without one is grouped as). */
export const BUILD_KINDS: readonly string[] = (schemas['workload-result'] as unknown as Definitions).$defs.BackendBuild.properties.kind.enum;
export const BOARD_PARAMETERS = ['workload', 'suite', 'backend', 'build', 'view'] as const;

/** The board's views: the fastest groups, or the most efficient (tokens per second per watt, issue 23). */
export type BoardView = 'fastest' | 'efficiency';

/** `view` from the query: empty or `fastest` for the fastest groups, `efficiency` for tokens per second per watt. */
export function parseBoardView(query: Record<string, unknown>): BoardView {
  const view = single(query, 'view');
  if (view === undefined || view === 'fastest') return 'fastest';
  if (view === 'efficiency') return 'efficiency';
  throw new HttpError(400, `unknown view ${shown(view)}: use fastest or efficiency`, { known: ['fastest', 'efficiency'] });
}

const shown = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `give ${name} once: ?${name}=<value>`);
  return value.trim() === '' ? undefined : value.trim();
}

function known(name: string, value: string, values: readonly string[]): string {
  if (values.includes(value)) return value;
  throw new HttpError(400, `unknown ${name} ${shown(value)}: the board has ${values.length ? values.join(', ') : `no ranked runs yet`}`, { known: values });
}

/** Whether the filters need the board's facets (suite and backend are checked against them). */
export function needsFacets(query: Record<string, unknown>): boolean {
  return single(query, 'suite') !== undefined || single(query, 'backend') !== undefined;
}

export function parseBoardQuery(query: Record<string, unknown>, facets: BoardFacets): LeaderboardFilters {
  const filters: LeaderboardFilters = {};
  const workload = single(query, 'workload');
  if (workload !== undefined) {
    const w = WORKLOADS.find((x) => x.name === workload || x.id.toLowerCase() === workload.toLowerCase());
    if (!w) throw new HttpError(400, `unknown workload ${shown(workload)}: use one of ${WORKLOADS.map((x) => `${x.id} (${x.name})`).join(', ')}`, { known: WORKLOADS.map((x) => x.name) });
    filters.workload = w.name;
  }
  const suite = single(query, 'suite');
  if (suite !== undefined) filters.suite = known('suite', suite, facets.suites);
  const backend = single(query, 'backend');
  if (backend !== undefined) filters.backend = known('backend', backend, facets.backends);
  const build = single(query, 'build');
  if (build !== undefined) filters.build = known('build', build, BUILD_KINDS);
  return filters;
}
