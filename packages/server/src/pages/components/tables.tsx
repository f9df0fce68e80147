/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * The listing tables: a ranking of groups (hardware for a model, models for a machine), the latest
 * runs, and the board. On a phone (≤ 480 px) each row stacks into a small card of labelled lines
 * (class `stack`), so no table scrolls sideways past its run link (issue 26.8).
 */
import type { ComponentChildren } from 'preact';
import type { ClusterRow, RunRow } from '../../repository.js';
import { SIGMA_THRESHOLD } from '../../outliers.js';
import { FEW_RUNS_WORDS, headlineMetric, marksOf, num, unrankedWords, workloadLabel } from '../format.js';
import { Time } from './disputes.js';

export function FlagNote({ z }: { z: number | null | undefined }) {
  if (z === null || z === undefined) return null;
  return (
    <span class="flag" title={`more than ${SIGMA_THRESHOLD}σ from its group`}>
      {' '}
      ⚑ flagged (z = {num(z, 1)})
    </span>
  );
}

function Scroll({ children }: { children: ComponentChildren }) {
  return <div class="scroll">{children}</div>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const buildText = (c: Pick<ClusterRow, 'backend' | 'engine' | 'build'>) => `${c.engine === c.backend ? '' : `${c.engine} · `}${c.build}`;

/** "3.12 tok/s/W" with its meter in small type; "—" without one. */
export function Efficiency({ tpsPerW, meter }: { tpsPerW: number | null; meter: string | null }) {
  if (tpsPerW === null) return <>—</>;
  return (
    <>
      {num(tpsPerW, tpsPerW < 10 ? 2 : 1)} <small class="meter">{meter}</small>
    </>
  );
}

/** "11 %" of the memory bandwidth; "—" when the shape or the device is unknown. */
export function share(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(value < 0.1 ? 1 : 0)} %`;
}

/**
 * A listing's ranking of groups by median decode tok/s (issue 26.8): on a model's page each row is a
 * hardware class with its backend and build ("which hardware runs this model fastest"), on a
 * machine's page each row a model with its backend and build ("which models and backends run
 * fastest on it"). Ranked groups are numbered; a group with too few runs is listed after them, saying so.
 */
export function RankTable({ kind, clusters, id }: { kind: 'model' | 'hardware'; clusters: ClusterRow[]; id: string }) {
  const metric = `median ${headlineMetric(clusters[0]?.workload).short}`;
  const ranked = clusters.filter((c) => c.ranked && c.median !== null).sort((a, b) => b.median! - a.median!);
  const rest = clusters.filter((c) => !ranked.includes(c));
  const energy = clusters.some((c) => c.tpsPerW !== null);
  const bandwidth = clusters.some((c) => c.bandwidthShare !== null);
  return (
    <Scroll>
      <table class="rank stack" id={id}>
        <tr class="head">
          <th>#</th>
          <th>{kind === 'model' ? 'hardware' : 'model'}</th>
          <th>backend · build</th>
          <th>{metric}</th>
          <th class="opt">runs</th>
          {energy ? <th>tok/s/W</th> : null}
          {bandwidth ? <th>memory bandwidth used</th> : null}
          <th>best run</th>
        </tr>
        {[...ranked, ...rest].map((c, i) => (
          <tr data-group={c.clusterKey} data-ranked={c.ranked ? 'yes' : 'no'}>
            <td class="n" data-label="rank">
              {i < ranked.length ? i + 1 : '–'}
            </td>
            <td data-label={kind === 'model' ? 'hardware' : 'model'} class="subject">
              {kind === 'model' ? (
                <a href={`/hw/${c.hardwareSlug}`}>{c.hardwareLabel}</a>
              ) : (
                <>
                  <a href={`/m/${c.modelSlug}`}>{c.modelName}</a> <small>{c.modelQuant ?? ''}</small>
                </>
              )}
            </td>
            <td data-label="backend">
              {c.backend} <small>{buildText(c)}</small>
            </td>
            <td class="n" data-label={metric} data-col="median">
              {num(c.median)}{' '}
              <small title="the slowest and fastest comparable run">
                ({num(c.min)}–{num(c.max)})
              </small>
            </td>
            <td class="n opt" data-label="runs">
              {c.n}
              {c.flaggedCount ? <span class="flag"> ⚑ {c.flaggedCount}</span> : null}
            </td>
            {energy ? (
              <td class="n" data-label="tok/s/W" data-col="tps-per-w">
                <Efficiency tpsPerW={c.tpsPerW} meter={c.energyMeter} />
              </td>
            ) : null}
            {bandwidth ? (
              <td class="n" data-label="memory bandwidth used" data-col="bandwidth">
                {share(c.bandwidthShare)}
              </td>
            ) : null}
            <td data-label="best run" data-col="run">
              {c.bestResultId ? (
                <a class="permalink" href={`/r/${c.bestResultId}`}>
                  {c.bestResultId}
                </a>
              ) : (
                <small class="not-comparable">
                  {c.ranked ? (
                    'no unflagged run'
                  ) : (
                    <a href="/ranking#evidence" title={c.notRanked ?? undefined}>
                      not ranked yet: {plural(c.n, 'run')} from {plural(c.keys, 'key')}
                    </a>
                  )}
                </small>
              )}
            </td>
          </tr>
        ))}
      </table>
    </Scroll>
  );
}

/** Why a listed run is not ranked, or how to read it, in words: "not ranked: quick run", "noisy". */
export function runStatus(r: Pick<RunRow, 'comparable' | 'notComparableCodes' | 'groupRanked' | 'flags'>): string[] {
  const out: string[] = [];
  if (!r.comparable) out.push(unrankedWords(r.notComparableCodes));
  else if (!r.groupRanked) out.push(`not ranked: ${FEW_RUNS_WORDS}`);
  for (const mark of marksOf(r.flags)) if (!out.some((o) => o.includes(mark))) out.push(mark);
  return out;
}

export function RunsTable({ runs }: { runs: RunRow[] }) {
  return (
    <Scroll>
      <table class="runs stack">
        <tr class="head">
          <th>run</th>
          <th>workload</th>
          <th class="opt">model</th>
          <th class="opt">backend</th>
          <th>hardware</th>
          <th>decode tok/s (W4: throughput)</th>
          <th>ranked?</th>
          <th class="opt">received</th>
        </tr>
        {runs.map((r) => (
          <tr class={r.flaggedZ !== null ? 'flagged' : undefined} data-run={r.resultId}>
            <td data-label="run">
              <a href={`/r/${r.resultId}`}>{r.resultId}</a>
            </td>
            <td data-label="workload">{workloadLabel(r.workload)}</td>
            <td class="opt" data-label="model">
              {r.modelName}
            </td>
            <td class="opt" data-label="backend">
              {r.backend} {r.backendVersion}
            </td>
            <td data-label="hardware">{r.hardwareLabel}</td>
            <td class="n" data-label={headlineMetric(r.workload).short}>
              {num(r.decodeTps)}
              <FlagNote z={r.flaggedZ} />
            </td>
            <td data-label="ranked?" data-col="status" class={runStatus(r).length ? 'not-comparable' : undefined}>
              {runStatus(r).join(', ') || 'ranked'}
            </td>
            <td class="opt" data-label="received">
              <Time iso={r.receivedAt} />
            </td>
          </tr>
        ))}
      </table>
    </Scroll>
  );
}

/**
 * The board: one row per group, ranked by its median (issue 22: groups rank by median, never by
 * their best run), the group's best run (fastest comparable, unflagged) linked; the efficiency view
 * ranks by the group's median tok/s per watt.
 */
export function BoardTable({ rows, hosted, id, metric = 'decode' }: { rows: ClusterRow[]; hosted: boolean; id: string; metric?: 'decode' | 'efficiency' }) {
  const figure = metric === 'decode' ? `median ${headlineMetric(rows[0]?.workload).short}` : 'tok/s/W';
  const group = metric === 'decode' ? 'runs · best run' : 'runs · median decode';
  return (
    <Scroll>
      <table class="board stack" id={id}>
        <tr class="head">
          <th class="opt">#</th>
          <th>{figure}</th>
          <th>model</th>
          <th>{hosted ? 'client hardware' : 'hardware'}</th>
          <th>backend</th>
          <th class="opt">{group}</th>
          <th>run</th>
        </tr>
        {rows.map((c, i) => (
          <tr>
            <td class="n opt" data-label="#">
              {i + 1}
            </td>
            <td class="n best" data-label={figure}>
              {metric === 'decode' ? num(c.median) : <Efficiency tpsPerW={c.tpsPerW} meter={c.energyMeter} />}
            </td>
            <td data-label="model">
              <a href={`/m/${c.modelSlug}`}>{c.modelName}</a> <small>{c.modelQuant ?? ''}</small>
            </td>
            <td data-label="hardware">
              <a href={`/hw/${c.hardwareSlug}`}>{c.hardwareLabel}</a>
            </td>
            <td data-label="backend">
              {c.backend} <small>{buildText(c)}</small>
            </td>
            <td class="n opt" data-label={group}>
              {c.n} · {num(metric === 'decode' ? c.bestDecodeTps : c.median)}
            </td>
            <td data-label="run">
              <a class="permalink" href={`/r/${c.bestResultId}`}>
                {c.bestResultId}
              </a>
            </td>
          </tr>
        ))}
      </table>
    </Scroll>
  );
}
