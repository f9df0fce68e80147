export { exllamaV2Driver, createExllamaV2Driver, EXLLAMAV2_RUNNER_SCRIPT, type ExllamaV2DriverOptions } from './driver.js';
