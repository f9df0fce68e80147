export { sampleResult, sampleRun } from '../../src/testing/sample-run.js';
