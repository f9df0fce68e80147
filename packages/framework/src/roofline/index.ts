/** The memory-bandwidth roofline and the physical-plausibility check (METHODOLOGY §13.4, §13.5). */
export { BANDWIDTH_TABLE, bandwidthEntry, bandwidthEntryByName, type BandwidthEntry, type DeviceKind } from './bandwidth-table.js';
export { ACCELERATOR_BUILDS, bytesPerToken, decodeTraffic, deviceLimitOf, rooflineOf, type DeviceLimit } from './roofline.js';
export { shapeFromHfConfig, type HfModelConfig } from './model-config.js';
export { CACHE_ALLOWANCE_BYTES, PLAUSIBILITY_MARGIN, plausibility, type PlausibilityVerdict } from './plausibility.js';
