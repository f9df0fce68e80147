/**
 * @llm-speed/framework: the harness library behind the `llm-speed` CLI, and everything a driver
 * plugin needs (the contract, shared protocol code, the clock). Layout follows the architecture:
 * contract → suite → harness → drivers (plugins) → signing/upload → server.
 */
export * from './errors.js';
export * from './contract/driver.js';
export * from './contract/sampling.js';
export { publicModelName } from './contract/model-ref.js';
export * from './contract/validate.js';
export { enforceNumberBounds, OUT_OF_BOUNDS_FLAG } from './contract/bounds.js';
export type * from './contract/generated/workload-result.js';
export type { MeasuredResult } from './contract/generated/run.js';
export type { RunPayload, Fingerprint, Gpu } from './contract/generated/run.js';
export type { SuiteDefinition, WorkloadDefinition, QuickProfile } from './contract/generated/suite.js';
export type { LlmSpeedConfig } from './contract/generated/config.js';
export * from './suite/index.js';
export { now, type Clock } from './harness/clock.js';
export {
  sessionNeeds,
  parseReps,
  repetitionPolicy,
  withRepetitions,
  shouldRepeat,
  MAX_REPS,
  DEFAULT_REPETITIONS,
  type RunnableWorkload,
  type RepetitionPolicy,
  type RepetitionOptions,
} from './harness/plan.js';
// The arithmetic over repetitions; compare/spread.ts (exported above) reads a result's spread.
export { spreadOfSamples, conservativeMedian, tQuantile, CONFIDENCE, MEDIAN_STANDARD_ERROR_FACTOR, type Direction } from './harness/statistics.js';
// The reading shape (median may be null); the schema's generated type of the same name is the stored one.
export type { MetricSpread } from './compare/spread.js';
export { runWorkload, isNoisy, WARMUP_PROMPT, WARMUP_TOKENS, HARNESS_GAP_RATIO, NOISY_DECODE, NOISY_TTFT, NOISY_FLAG, MIN_P95_SAMPLES, type RunContext } from './harness/runner.js';
export { isWarmReuse, ranOnWarmCache, WARM_CACHE_INCIDENTAL_TOKENS, WARM_CACHE_MIN_SHARE, type PromptReuse } from './harness/warm-cache.js';
export * from './compare/index.js';
export * from './compare/reproducibility.js';
export { readSse, SseParser, type SseEvent } from './protocol/sse.js';
export * from './protocol/http.js';
export * from './protocol/openai.js';
export * from './protocol/prometheus.js';
export * from './protocol/ndjson.js';
export * from './protocol/python-runner.js';
export * from './protocol/python-driver.js';
export { InFlightRequests } from './protocol/in-flight.js';
export * from './protocol/server-identity.js';
export { frameworkVersion } from './version.js';
export * from './fingerprint/index.js';
export * from './signing/index.js';
export * from './privacy/index.js';
export * from './upload/index.js';
export { loginWithDeviceFlow, loginChallenge, loginFilePath, refuseStrictAnon, type LoginOptions, type LoginRecord } from './login/index.js';
export { configDir, cacheDir, runsDir, dataDir } from './paths.js';
export { editDistance, nearest } from './util/nearest.js';
export { superviseChild, killSupervisedChildren, supervisedPids } from './util/child-processes.js';
// The rest of the pipeline the `llm-speed` CLI (packages/cli) drives: configuration, driver
// discovery, the bench run and its publication, the terminal output and the file tools.
export * from './config/resolve.js';
export { exampleConfig, EXAMPLE_CONFIG_FILE } from './config/example.js';
export { driverEnvVar, resolveDriverSettings, unknownDriverSections, type DriverSettingsLayers, type DriverSettingsSchema } from './config/driver-settings.js';
export * from './config/matrix.js';
export * from './discovery/discover.js';
export * from './discovery/detect.js';
export * from './discovery/report.js';
export * from './harness/bench.js';
export * from './harness/client-cpu.js';
export * from './harness/publish.js';
export * from './harness/select-backend.js';
export * from './meters/index.js';
export * from './roofline/index.js';
export * from './output/progress.js';
export * from './output/detect-table.js';
export * from './output/results-table.js';
export { energyLine, energyLines, rooflineLine } from './output/energy-lines.js';
export * from './tools/compare-runs.js';
export * from './tools/validate-files.js';
export * from './suite-update/index.js';
export { resolveEnergySettings, ENERGY_PRICE_ENV, POWER_METER_ENV, type EnergySettings } from './config/energy.js';
