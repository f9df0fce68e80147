/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * The top of a run page: what ran where, the two figures in large type with their spread, and
 * right under them the standing sentence a person would post (issue 26.5) — or why the run is not
 * ranked and what would rank it — with the rule behind a link, not a paragraph.
 */
import { spreadOf, type MeasuredResult, type RunPayload } from '@llm-speed/framework';
import { slugify } from '../../slug.js';
import { backendLine, duration, efficiencyOf, marksOf, modelDetails, num, ordinal, spreadWords, workloadLabel } from '../format.js';
import { measuredOn } from '../hardware-label.js';
import { bandwidthSentence, sig } from './energy.js';
import type { CompareTarget, Headline as HeadlineFigures, Standing } from '../run-view.js';
import { standingSentence } from '../standing-words.js';

export function StandingSentence({ standing }: { standing: Standing }) {
  const sentence = standingSentence(standing);
  if (standing.kind !== 'ranked') {
    return (
      <p class="standing not-comparable" id="percentile">
        {sentence} <a href="/ranking">How runs are ranked</a>
      </p>
    );
  }
  const hardware =
    standing.rank === null ? null : standing.classes === 1 ? (
      <> This is the only hardware class with ranked runs of it so far.</>
    ) : (
      <>
        {' '}
        This hardware ranks{' '}
        <strong id="hardware-rank">
          {ordinal(standing.rank)} of {standing.classes}
        </strong>{' '}
        hardware classes for it, by median.
      </>
    );
  return (
    <>
      <p class="standing" id="percentile">
        <Emphasised sentence={sentence} />
        {standing.flagged ? <span class="flag"> This run is flagged as an outlier of its group.</span> : null}
      </p>
      <p class="standing-context">
        <small>
          Among the runs of this model on this backend and build, on any hardware ({workloadLabel(standing.workload)}, decode tok/s); a run counts as slower or faster only beyond both 95 % intervals.
          {hardware} <a href="/ranking">How runs are ranked</a>
        </small>
      </p>
    </>
  );
}

/** The sentence in bold, but its note on single measurements (the framework's words) in plain type. */
function Emphasised({ sentence }: { sentence: string }) {
  const note = / \((?:all|\d+) compared as single measurements[^)]*\)/.exec(sentence);
  if (!note) return <strong>{sentence}</strong>;
  return (
    <>
      <strong>{sentence.slice(0, note.index)}</strong>
      <span class="muted">{note[0]}</span>
      <strong>{sentence.slice(note.index + note[0].length)}</strong>
    </>
  );
}

/** One line under the figures when the run measured energy or knows its bandwidth share (issue 23). */
function Efficiency({ result }: { result: MeasuredResult }) {
  const e = efficiencyOf(result);
  const share = result.roofline ? bandwidthSentence(result.roofline) : null;
  if (e.tpsPerW === null && !share) return null;
  return (
    <p class="efficiency" id="headline-efficiency">
      {e.tpsPerW !== null ? (
        <>
          <strong>{sig(e.tpsPerW)} tok/s/W</strong> decode <small>({e.meter})</small>
          {share ? '. ' : ''}
        </>
      ) : null}
      {share}
    </p>
  );
}

function Figure({ id, value, unit, label, spread }: { id: string; value: string; unit?: string; label: string; spread: string }) {
  return (
    <div class="figure">
      <div class="value" id={id}>
        {value}
        {unit ? <span class="unit">{unit}</span> : null}
      </div>
      <div class="label">{label}</div>
      {spread ? (
        <div class="spread" id={`${id}-spread`}>
          {spread}
        </div>
      ) : null}
    </div>
  );
}

export function Headline(props: { result: MeasuredResult; run: RunPayload; headline: HeadlineFigures; standing: Standing; compareWith: CompareTarget | null; id: string; contributor?: string }) {
  const { result, headline } = props;
  const details = modelDetails(result.model);
  const holder = headline.holder;
  const marks = marksOf(result.flags);
  return (
    <section class="headline" id="headline">
      <p class="model">
        <a href={`/m/${slugify(result.model.name)}`}>{result.model.name}</a>
        {details ? <span class="muted"> {details}</span> : null}
      </p>
      <p class="setup">
        {backendLine(result)} · on{' '}
        <a href={`/hw/${slugify(props.run.fingerprint.accelerator_summary)}`} id="hardware-label">
          {measuredOn(props.run.fingerprint, result)}
        </a>
        {props.contributor ? <> · contributed by {props.contributor}</> : null}
      </p>
      <div class="figures">
        <Figure
          id="headline-decode"
          value={num(headline.decodeTps)}
          unit="tok/s"
          label={`${headline.workload === 'concurrent-decode' ? 'output throughput of all streams' : 'decode'}${headline.workload ? `, ${workloadLabel(headline.workload)}` : ''}`}
          spread={holder ? spreadWords(spreadOf(holder, 'decode_tps')) : ''}
        />
        <Figure id="headline-ttft" value={duration(headline.ttftMs)} label="time to first token" spread={holder ? spreadWords(spreadOf(holder, 'ttft_ms')) : ''} />
      </div>
      {headline.note ? (
        <p class="muted" id="headline-note">
          Headline figures {headline.note}.
        </p>
      ) : null}
      {marks.length ? (
        <p class="marks" id="headline-marks">
          Read with care: {marks.join(', ')} (see the workload below).
        </p>
      ) : null}
      <StandingSentence standing={props.standing} />
      {/* After the standing: the sentence a person would post stays right under the figures (#26.5). */}
      <Efficiency result={result} />
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
