/** Which results may be compared with which (METHODOLOGY §6.1): one rule for the server and the CLI. */
export {
  GROUP_FIELDS,
  ANY_HARDWARE,
  IMPOSSIBLE_DECODE_RATIO,
  NOISY_HALF_WIDTH,
  NOT_COMPARABLE_FLAGS,
  RANK_ADVICE,
  buildOf,
  comparability,
  pairComparability,
  suiteShape,
  suiteShapeOf,
  engineOf,
  workloadOf,
  groupDifferences,
  groupKey,
  groupOf,
  hardwareClassOf,
  modelKeyOf,
  setupKey,
  type Comparability,
  type ComparabilityCode,
  type ComparabilityOptions,
  type ComparableGroup,
  type PairComparability,
  type SuiteShape,
  type WorkloadShape,
} from './comparable.js';
export { SPREAD_METRICS, boundsOf, hasInterval, relativeHalfWidth, repetitionsOf, samplesOf, spreadOf, spreadProblems, type MetricSpread, type SpreadMetric } from './spread.js';
export { betterOf, describeDifference, differenceOf, isRegression, type Better, type Difference, type Verdict } from './difference.js';
export { MIN_RANKED_OTHERS, rankGroups, standingAmong, standingOf, unrankedSentence, type RankedGroup, type Standing } from './standing.js';
export { INTERRUPTED_FLAG, INTERRUPTED_NOT_UPLOADED, INTERRUPTED_RULE, RUN_AGAIN, interruptedWorkloads, isInterrupted, isInterruptionText } from './interrupted.js';
