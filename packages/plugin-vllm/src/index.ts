export { vllmDriver, vllmUrl, DEFAULT_VLLM_URL } from './driver.js';
export { prefixCacheCounters } from './cache-counters.js';
