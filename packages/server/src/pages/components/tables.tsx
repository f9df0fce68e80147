/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** The listing tables: groups with their spread, latest runs, and the board's ranking. */
import type { ComponentChildren } from 'preact';
import type { ClusterRow, RunRow } from '../../repository.js';
import { SIGMA_THRESHOLD } from '../../outliers.js';
import { num, workloadLabel } from '../format.js';
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

const buildText = (c: Pick<ClusterRow, 'backend' | 'engine' | 'build'>) => `${c.engine === c.backend ? '' : `${c.engine} · `}${c.build}`;

export function GroupsTable({ clusters }: { clusters: ClusterRow[] }) {
  if (clusters.length === 0) return <p>No comparable runs yet.</p>;
  return (
    <Scroll>
      <table class="groups">
        <tr>
          <th>workload</th>
          <th>model</th>
          <th>backend</th>
          <th>hardware</th>
          <th>runs</th>
          <th class="opt">decode tok/s min</th>
          <th>median</th>
          <th class="opt">max</th>
          <th class="opt">flagged</th>
          <th>best run</th>
        </tr>
        {clusters.map((c) => (
          <tr>
            <td>
              {workloadLabel(c.workload)} <small>{c.suiteVersion}</small>
            </td>
            <td>
              <a href={`/m/${c.modelSlug}`}>{c.modelName}</a> <small class="mono">{`${c.modelQuant ?? ''} ${c.modelDigest ? c.modelDigest.slice(0, 12) : ''}`}</small>
            </td>
            <td>
              {c.backend} <small>{buildText(c)}</small>
            </td>
            <td>
              <a href={`/hw/${c.hardwareSlug}`}>{c.acceleratorSummary}</a> <small class="mono">{c.hardwareClass.startsWith('summary:') ? '' : c.hardwareClass}</small>
            </td>
            <td class="n">{c.n}</td>
            <td class="n opt">{num(c.min)}</td>
            <td class="n">{num(c.median)}</td>
            <td class="n opt">{num(c.max)}</td>
            <td class="n opt">{c.flaggedCount ? <span class="flag">⚑ {c.flaggedCount}</span> : '0'}</td>
            <td>{c.bestResultId ? <a href={`/r/${c.bestResultId}`}>{c.bestResultId}</a> : c.ranked ? '' : <small class="not-comparable">not enough runs to rank</small>}</td>
          </tr>
        ))}
      </table>
    </Scroll>
  );
}

export function RunsTable({ runs }: { runs: RunRow[] }) {
  return (
    <Scroll>
      <table class="runs">
        <tr>
          <th>run</th>
          <th>workload</th>
          <th class="opt">model</th>
          <th class="opt">backend</th>
          <th>hardware</th>
          <th>decode tok/s</th>
          <th class="opt">received</th>
        </tr>
        {runs.map((r) => (
          <tr class={r.flaggedZ !== null ? 'flagged' : undefined}>
            <td>
              <a href={`/r/${r.resultId}`}>{r.resultId}</a>
            </td>
            <td>{workloadLabel(r.workload)}</td>
            <td class="opt">{r.modelName}</td>
            <td class="opt">
              {r.backend} {r.backendVersion}
            </td>
            <td>{r.acceleratorSummary}</td>
            <td class="n">
              {num(r.decodeTps)}
              <FlagNote z={r.flaggedZ} />
              {r.comparable ? null : (
                <small class="not-comparable" title={r.notComparable.join('; ')}>
                  {' '}
                  not ranked
                </small>
              )}
            </td>
            <td class="opt">
              <Time iso={r.receivedAt} />
            </td>
          </tr>
        ))}
      </table>
    </Scroll>
  );
}

/** The board: one row per group, its best run (fastest comparable, unflagged) leading. */
export function BoardTable({ rows, hosted, id }: { rows: ClusterRow[]; hosted: boolean; id: string }) {
  return (
    <Scroll>
      <table class="board" id={id}>
        <tr>
          <th class="opt">#</th>
          <th>decode tok/s</th>
          <th>model</th>
          <th>{hosted ? 'client hardware' : 'hardware'}</th>
          <th>backend</th>
          <th class="opt">group: runs · median</th>
          <th>run</th>
        </tr>
        {rows.map((c, i) => (
          <tr>
            <td class="n opt">{i + 1}</td>
            <td class="n best">{num(c.bestDecodeTps)}</td>
            <td>
              <a href={`/m/${c.modelSlug}`}>{c.modelName}</a> <small>{c.modelQuant ?? ''}</small>
            </td>
            <td>
              <a href={`/hw/${c.hardwareSlug}`}>{c.acceleratorSummary}</a>
            </td>
            <td>
              {c.backend} <small>{buildText(c)}</small>
            </td>
            <td class="n opt">
              {c.n} · {num(c.median)}
            </td>
            <td>
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
