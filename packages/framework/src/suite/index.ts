/**
 * Suites: the versioned workload definitions and their fixture prompts (METHODOLOGY §1, §10).
 * loadSuite() reads and verifies one; selectWorkloads() turns --workload/--quick into plans.
 * The suite digest is defined in digest.ts; the prompt-building rules in materialise.ts.
 */
export { DEFAULT_SUITE, SUITES_ROOT, availableSuites, loadSuite, type LoadedSuite, type LoadOptions, type PlanInfo, type WorkloadPlan } from './load.js';
export { selectWorkloads, selectWorkloads as suitePlans, type SelectOptions } from './select.js';
export { suiteDigest } from './digest.js';
