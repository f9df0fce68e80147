/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/** The top of a run page: what ran where, the two figures in large type, and how the run stands. */
import type { MeasuredResult } from '@llm-speed/framework';
import { slugify } from '../../slug.js';
import { backendLine, duration, modelDetails, num, ordinal, workloadLabel } from '../format.js';
import { STANDING_RULE, type CompareTarget, type Headline as HeadlineFigures, type Standing } from '../run-view.js';

export function StandingSentence({ standing }: { standing: Standing }) {
  if (standing.kind === 'none')
    return (
      <p class="standing" id="percentile">
        Not ranked: no comparable workload of this run measured a decode rate.
      </p>
    );
  if (standing.kind === 'not-comparable') {
    return (
      <p class="standing not-comparable" id="percentile">
        Not ranked against other runs: {standing.reasons.join('; ')}. Only comparable runs are ranked (METHODOLOGY §6.1).
      </p>
    );
  }
  const runs =
    standing.others === 0 ? (
      <>The first comparable run of this model on this backend and build: there is nothing to rank it against yet.</>
    ) : (
      <>
        Faster than <strong id="percent">{standing.percent} %</strong> of the {standing.others} other comparable run{standing.others === 1 ? '' : 's'} of this model ({workloadLabel(standing.workload)}
        , decode tok/s).
      </>
    );
  const hardware =
    standing.rank === null ? null : standing.classes === 1 ? (
      <> This is the only hardware class with comparable runs of it so far.</>
    ) : (
      <>
        {' '}
        This hardware ranks{' '}
        <strong id="hardware-rank">
          {ordinal(standing.rank)} of {standing.classes}
        </strong>{' '}
        hardware classes for it, by median decode tok/s.
      </>
    );
  return (
    <p class="standing" id="percentile">
      {runs}
      {hardware}
      {standing.flagged ? <span class="flag"> This run is flagged as an outlier of its group.</span> : null}
    </p>
  );
}

export function Headline(props: { result: MeasuredResult; summary: string; headline: HeadlineFigures; standing: Standing; compareWith: CompareTarget | null; id: string; contributor?: string }) {
  const { result, headline } = props;
  const details = modelDetails(result.model);
  return (
    <section class="headline" id="headline">
      <p class="model">
        <a href={`/m/${slugify(result.model.name)}`}>{result.model.name}</a>
        {details ? <span class="muted"> {details}</span> : null}
      </p>
      <p class="setup">
        {backendLine(result)} · on <a href={`/hw/${slugify(props.summary)}`}>{props.summary}</a>
        {props.contributor ? <> · contributed by {props.contributor}</> : null}
      </p>
      <div class="figures">
        <div class="figure">
          <div class="value" id="headline-decode">
            {num(headline.decodeTps)}
            <span class="unit">tok/s</span>
          </div>
          <div class="label">decode{headline.workload ? `, ${workloadLabel(headline.workload)}` : ''}</div>
        </div>
        <div class="figure">
          <div class="value" id="headline-ttft">
            {duration(headline.ttftMs)}
          </div>
          <div class="label">time to first token</div>
        </div>
      </div>
      {headline.note ? (
        <p class="muted" id="headline-note">
          Headline figures {headline.note}.
        </p>
      ) : null}
      <StandingSentence standing={props.standing} />
      <p>
        <small id="standing-rule">{STANDING_RULE}</small>
      </p>
      <p>
        {props.compareWith ? (
          <>
            <a id="compare-link" href={`/compare?runs=${props.id},${props.compareWith.id}`}>
              Compare with {props.compareWith.id}
            </a>{' '}
            <small>({props.compareWith.why})</small> ·{' '}
          </>
        ) : null}
        <a href="#dispute" id="dispute-link">
          Dispute this result
        </a>{' '}
        · <a href={`/v1/results/${props.id}`}>signed JSON</a> · <a href={`/r/${props.id}/card.png`}>share card</a>
      </p>
    </section>
  );
}
