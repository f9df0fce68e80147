/**
 * The board: the cheatsheet and its JSON twin /v1/leaderboard (groups ranked by their best run),
 * and the listings of one model (/m, /v1/models) or one hardware class (/hw, /v1/hardware).
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http-error.js';
import { CHEATSHEET_LIMIT, LISTING_LIMIT } from '../http/limits.js';
import { param, sendHtml, sendJson, SLUG } from '../http/reply.js';
import { cheatsheetPage, listingPage, needsFacets, parseBoardQuery, parseBoardView, plottedGroups } from '../pages/pages.js';
import type { ClusterRow, RunRow } from '../repository.js';
import type { ServerContext } from './context.js';

export async function boardRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { get, page } = ctx.routes.on(app);
  const { repo, facets } = ctx;

  /** A listing's page or JSON twin: groups, latest runs and (pages only) every plotted run's figure. */
  const listing = async (kind: 'model' | 'hardware', slug: string) => {
    const [clusters, runs] = await Promise.all(
      kind === 'model' ? [repo.clustersByModel(slug), repo.listByModel(slug, { limit: LISTING_LIMIT })] : [repo.clustersByHardware(slug), repo.listByHardware(slug, { limit: LISTING_LIMIT })],
    );
    const title = kind === 'model' ? (clusters[0]?.modelName ?? runs[0]?.modelName) : (clusters[0]?.acceleratorSummary ?? runs[0]?.acceleratorSummary);
    return { clusters, runs, title };
  };
  for (const [kind, prefix] of [
    ['model', 'm'],
    ['hardware', 'hw'],
  ] as const) {
    page(`/${prefix}/:slug`, async (request, reply) => {
      const slug = param(request, 'slug', SLUG);
      const { clusters, runs, title } = await listing(kind, slug);
      if (title === undefined) throw new HttpError(404, `No results for ${kind} ${slug}.`);
      const spread = await repo.spread(plottedGroups(clusters));
      return sendHtml(reply, 200, listingPage({ kind, slug, title, clusters, runs, spread, limit: LISTING_LIMIT }, ctx.site()));
    });
    get(`/v1/${kind === 'model' ? 'models' : 'hardware'}/:slug`, async (request, reply) => {
      const slug = param(request, 'slug', SLUG);
      const { clusters, runs, title } = await listing(kind, slug);
      if (title === undefined) throw new HttpError(404, `no results for ${kind} ${slug}`);
      return sendJson(reply, 200, { kind, slug, name: title, groups: clusters.map(groupJson), latest_runs: runs.map(runJson), latest_limit: LISTING_LIMIT });
    });
  }

  /** The board's filters, validated against what the board holds (facets cached briefly, dropped on each new result). */
  const board = async (query: Record<string, unknown>) => {
    const wanted = needsFacets(query);
    const [known, total] = await Promise.all([wanted ? facets.get() : Promise.resolve(undefined), repo.count()]);
    const filters = parseBoardQuery(query, known ?? { suites: [], backends: [], builds: [] });
    const view = parseBoardView(query);
    const [sections, efficiency] = view === 'efficiency' ? [[], await repo.efficiencyBoard(filters, CHEATSHEET_LIMIT)] : [await repo.leaderboard(filters, CHEATSHEET_LIMIT), []];
    return { filters, view, sections, efficiency, total };
  };
  page('/cheatsheet', async (request, reply) => {
    const data = await board(request.query as Record<string, unknown>);
    return sendHtml(reply, 200, cheatsheetPage({ ...data, facets: await facets.get(), limit: CHEATSHEET_LIMIT }, ctx.site()));
  });
  get('/v1/leaderboard', async (request, reply) => {
    const { filters, view, sections, efficiency, total } = await board(request.query as Record<string, unknown>);
    return sendJson(reply, 200, {
      filters,
      view,
      stored_runs: total,
      limit: CHEATSHEET_LIMIT,
      ...(view === 'efficiency'
        ? { efficiency: efficiency.map((s) => ({ workload: s.workload, meter: s.meter, groups: s.groups.map(groupJson) })) }
        : { workloads: sections.map((s) => ({ workload: s.workload, local: s.local.map(groupJson), hosted: s.hosted.map(groupJson) })) }),
    });
  });
}

/** A group as the JSON listings give it (snake_case, like the stored runs). */
function groupJson(c: ClusterRow) {
  return {
    group: c.clusterKey,
    setup: c.setupKey,
    workload: c.workload,
    suite_version: c.suiteVersion,
    model: { name: c.modelName, identifier: c.modelIdentifier, quant: c.modelQuant, digest: c.modelDigest, slug: c.modelSlug },
    backend: c.backend,
    engine: c.engine,
    build: c.build,
    hardware: { class: c.hardwareClass, summary: c.acceleratorSummary, label: c.hardwareLabel, slug: c.hardwareSlug, accelerator_unused: c.acceleratorUnused },
    runs: c.n,
    decode_tps: { min: c.min, median: c.median, max: c.max, mean: c.mean },
    flagged: c.flaggedCount,
    keys: c.keys,
    ranked: c.ranked,
    ...(c.notRanked ? { not_ranked: c.notRanked } : {}),
    best_run: c.bestResultId,
    best_decode_tps: c.bestDecodeTps,
    tokens_per_s_per_w: c.tpsPerW === null ? null : { median: c.tpsPerW, meter: c.energyMeter, runs: c.energyRuns },
    bandwidth_share: c.bandwidthShare,
  };
}

function runJson(r: RunRow) {
  return {
    id: r.resultId,
    received_at: r.receivedAt,
    workload: r.workload,
    group: r.clusterKey,
    model: r.modelName,
    backend: r.backend,
    backend_version: r.backendVersion,
    hardware: r.acceleratorSummary,
    hardware_label: r.hardwareLabel,
    decode_tps: r.decodeTps,
    decode_interval: r.decodeCiLow === null ? null : [r.decodeCiLow, r.decodeCiHigh],
    repetitions: r.decodeN,
    flags: r.flags,
    flagged_z: r.flaggedZ,
    comparable: r.comparable,
    not_comparable: r.notComparable,
    group_ranked: r.groupRanked,
  };
}
