/**
 * A run's standing in words, one place for every surface that says it: the sentence under the
 * headline (the one a person would post, issue 26.5), and the short reason a card, a link preview
 * and a listing row give for a run that is not ranked (issue 26.4).
 */
import { unrankedSentence, type MeasuredResult } from '@llm-speed/framework';
import { FEW_RUNS_WORDS, isHosted, sentenceCase, unrankedWords } from './format.js';
import type { Standing } from './run-view.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The sentence under the headline: the standing, or why the run is not ranked and what would rank it. */
export function standingSentence(standing: Standing): string {
  switch (standing.kind) {
    case 'ranked':
      return `${sentenceCase(standing.standing.sentence)}.`;
    case 'few-runs':
      return (
        `Not ranked yet: its group (this model, backend and build on this hardware) holds ${plural(standing.runs, 'comparable run')} from ${plural(standing.keys, 'key')}; ` +
        `a group is ranked from ${plural(standing.rule.minRuns, 'run')} by ${plural(standing.rule.minKeys, 'different key')}. To be ranked: more runs of this setup, from other contributors.`
      );
    case 'not-comparable':
      return sentenceCase(unrankedSentence(standing));
    default:
      return 'Not ranked: no workload of this run measured a decode rate.';
  }
}

/**
 * Why a run is not ranked, in the fewest words ("not ranked: quick run"), or null when it is
 * ranked. A hosted API is ranked apart from local hardware, and says so.
 */
export function unrankedLabel(standing: Standing, lead: Pick<MeasuredResult, 'backend' | 'backend_build'> | undefined): string | null {
  if (standing.kind === 'not-comparable') return unrankedWords(standing.codes);
  if (standing.kind === 'few-runs') return `not ranked: ${FEW_RUNS_WORDS}`;
  if (standing.kind === 'none') return 'not ranked: no decode figure';
  if (lead && isHosted(lead.backend, lead.backend_build?.kind ?? 'unknown')) return 'hosted API, ranked apart from local hardware';
  return null;
}
