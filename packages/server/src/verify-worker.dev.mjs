// The verification thread when the server runs from its TypeScript source (tests, `--conditions=development`):
// a worker thread does not inherit the main thread's tsx loader hooks, so it registers its own
// before loading verify-worker.ts. Built servers load dist/verify-worker.js and never this file.
import { register } from 'tsx/esm/api';

register();
const { default: verifyTask } = await import('./verify-worker.ts');
export default verifyTask;
