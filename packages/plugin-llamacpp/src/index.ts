export { llamaCppDriver } from './driver.js';
export { findLlamaServer, parseServerVersion } from './detect.js';
