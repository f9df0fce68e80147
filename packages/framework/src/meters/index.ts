/** Power meters, energy per phase, cost, and the machine's noise while a run is measured (METHODOLOGY §13). */
export {
  MachineSampler,
  BUSY_MACHINE_SHARE,
  IDLE_BASELINE_MS,
  POWER_METER_CHOICES,
  SYSFS_TICK_MS,
  type LineStream,
  type MachineSamplerOptions,
  type PowerMeterChoice,
  type RunTool,
  type SpawnLines,
} from './sampler.js';
export { energyComparable, energyOf, meterKind, noEnergy, MIN_PHASE_SAMPLES, type EnergyInput } from './energy.js';
export { phaseWindows, batchesOf, type PhaseWindows } from './phases.js';
export { EnergyTrack, type Domain, type Interval, type MeterName, type Reading } from './track.js';
export { costPerMillionTokens, parsePricePerKwh, REFERENCE_PRICE_PER_KWH, resultCostPerMillion } from './cost.js';
export { findRaplZones, RaplCounter, type RaplZone } from './rapl.js';
export { findAmdGpuSensors, readAmdGpu, type AmdGpuSensor } from './hwmon.js';
export {
  clockEvents,
  CLOCK_EVENT_BITS,
  nvidiaArgs,
  nvidiaQuery,
  parseHeader,
  parseHelpQueryGpu,
  parseReading,
  parseTimestamp,
  THROTTLE_EVENTS,
  type NvidiaQuery,
  type NvidiaReading,
} from './nvidia-smi.js';
export { PowermetricsParser, POWERMETRICS_ARGS, type PowermetricsBlock } from './powermetrics.js';
export {
  BACKEND_PROCESS_NAMES,
  backendPids,
  countCpus,
  cpuSnapshot,
  otherShare,
  parsePidStat,
  parseProcStat,
  processTree,
  readGovernors,
  readLoadavg,
  scanProcesses,
  type CpuSnapshot,
  type CpuTimes,
  type ProcessTimes,
} from './proc.js';
