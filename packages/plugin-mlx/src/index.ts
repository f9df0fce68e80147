export { mlxDriver, createMlxDriver, MLX_RUNNER_SCRIPT, type MlxDriverOptions } from './driver.js';
