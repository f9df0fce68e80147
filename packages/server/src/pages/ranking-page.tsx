/** @jsxRuntime automatic */
/** @jsxImportSource preact */
/**
 * /ranking: the rule behind every standing sentence, on this board (issue 26.5: the rule behind a
 * link, not a paragraph under the headline). Built from the framework's own constants and this
 * server's evidence thresholds, so it cannot drift from what ranks the runs.
 */
import { GROUP_FIELDS, MIN_RANKED_OTHERS, NOISY_HALF_WIDTH, RANK_ADVICE, type ComparabilityCode } from '@llm-speed/framework';
import type { RankingRule } from '../ranking.js';
import { SIGMA_THRESHOLD } from '../outliers.js';
import { Layout } from './components/layout.js';
import { UNRANKED_WORDS } from './format.js';
import { renderPage } from './render.js';
import type { Site } from './site.js';

export const METHODOLOGY_URL = 'https://github.com/llm-speed/llm-speed/blob/main/docs/METHODOLOGY.md#61-comparable-groups';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function RankingPage({ site, rule }: { site: Site; rule: RankingRule }) {
  const codes = Object.keys(RANK_ADVICE) as ComparabilityCode[];
  return (
    <Layout
      site={site}
      meta={{
        title: 'How runs are ranked',
        description: `Only comparable runs are ranked, a group from ${plural(rule.minRuns, 'run')} by ${plural(rule.minKeys, 'key')}, and only differences beyond both 95 % intervals count.`,
        path: '/ranking',
      }}
    >
      <h1>How runs are ranked</h1>
      <p>
        The full rule is METHODOLOGY §6.1: <a href={METHODOLOGY_URL}>comparable groups</a>. In short, on this board:
      </p>
      <h2 id="same-work">1. Only the same work is compared</h2>
      <p>Runs are compared within a group: the same {GROUP_FIELDS.map(([, words]) => words).join(', ')}. A run is kept out of every ranking (but stored and shown) when it is:</p>
      <table class="rules" id="unranked-reasons">
        <tr>
          <th>reason</th>
          <th>what would rank it</th>
        </tr>
        {codes.map((code) => (
          <tr data-code={code}>
            <td>{UNRANKED_WORDS[code]}</td>
            <td>{RANK_ADVICE[code]}</td>
          </tr>
        ))}
      </table>
      <p>
        Noisy means a 95 % interval wider than ±{NOISY_HALF_WIDTH.decode_tps * 100} % of the median on decode, or ±{NOISY_HALF_WIDTH.ttft_ms * 100} % on time to first token. Hosted APIs are ranked
        apart from local hardware: the network and the provider's queue are in every figure. A run on the CPU of a machine with a GPU is the CPU's figure, never the GPU's.
      </p>
      <h2 id="evidence">2. Enough runs to rank</h2>
      <p id="evidence-rule">
        A group is ranked once it holds {plural(rule.minRuns, 'comparable run')} signed by {plural(rule.minKeys, 'different key')}. Below that its runs are shown as "not ranked yet". A run more than{' '}
        {SIGMA_THRESHOLD} robust σ from the others of its group is flagged, stays listed, and is never the group's best run; every key has one vote in those statistics.
      </p>
      <h2 id="noise">3. Only real differences count</h2>
      <p>
        Each figure is the median of its repetitions with a 95 % confidence interval. A run is faster or slower than another only when the two intervals do not overlap; otherwise the two are within
        noise of each other. A run without repetitions is a single point: two such runs are compared as plain figures, and the page says the noise is unknown.
      </p>
      <p id="sentence-rule">
        "Faster than 62 % of 48 comparable runs; within noise of 9" counts, among the comparable runs of the same model, backend and build on any hardware, the ones it beats beyond noise. A percentage
        needs {MIN_RANKED_OTHERS} other runs; with fewer, the page gives the counts. Hardware classes and setups rank by their group's median, never by their best run.
      </p>
    </Layout>
  );
}

export function rankingPage(site: Site, rule: RankingRule): string {
  return renderPage(<RankingPage site={site} rule={rule} />);
}
