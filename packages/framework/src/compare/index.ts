/** Which results may be compared with which (METHODOLOGY §6.1): one rule for the server and the CLI. */
export {
  GROUP_FIELDS,
  ANY_HARDWARE,
  NOT_COMPARABLE_FLAGS,
  buildOf,
  comparability,
  engineOf,
  workloadOf,
  groupDifferences,
  groupKey,
  groupOf,
  hardwareClassOf,
  modelKeyOf,
  setupKey,
  type Comparability,
  type ComparabilityOptions,
  type ComparableGroup,
} from './comparable.js';
export { INTERRUPTED_FLAG, INTERRUPTED_NOT_UPLOADED, INTERRUPTED_RULE, RUN_AGAIN, interruptedWorkloads, isInterrupted, isInterruptionText } from './interrupted.js';
