// Mutation testing for the core (StrykerJS, issue 18): `npm run test:mutation` runs every area below,
// one after another (scripts/mutation.mjs); `STRYKER_AREA=signing npx stryker run` runs one.
// Each area mutates one part of the core and runs only the test files that exercise it, so the
// slow end-to-end tests (a real llama-server, the CLI in a child process) never run per mutant —
// they could not kill an in-process mutant anyway. Tests run from src through tsx, as .mocharc.json
// runs them, with scripts/mutation-hooks.mjs so that `@llm-speed/*` imports see the mutated copy.
// Reports: test-output/mutation/<area>/index.html (and mutation.json for the summary).

/** @type {Record<string, { mutate: string[]; spec: string[]; tsconfig: string; break?: number }>} */
export const AREAS = {
  signing: {
    mutate: ['packages/framework/src/signing/**/*.ts'],
    spec: [
      'packages/framework/test/signing/**/*.test.ts',
      'packages/framework/test/harness/publish-keys.test.ts',
      'packages/framework/test/upload/**/*.test.ts',
      // The server verifies uploads with these functions: its forgery corpus is their attacker.
      'packages/server/test/forgery-corpus.test.ts',
      'packages/server/test/ingest.test.ts',
    ],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  privacy: {
    mutate: ['packages/framework/src/privacy/**/*.ts'],
    spec: [
      'packages/framework/test/privacy/**/*.test.ts',
      'packages/framework/test/contract/bounds.test.ts',
      'packages/framework/test/harness/publish-keys.test.ts',
      'packages/framework/test/upload/**/*.test.ts',
      // One rule set, client and server: the server's planted-data corpus runs these rules too.
      'packages/server/test/privacy-corpus.test.ts',
    ],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  harness: {
    mutate: ['packages/framework/src/harness/**/*.ts'],
    spec: [
      'packages/framework/test/harness/**/*.test.ts',
      'packages/framework/test/upload/**/*.test.ts',
      'packages/framework/test/privacy/backends.test.ts',
      'packages/framework/test/privacy/rules.test.ts',
    ],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  suite: {
    mutate: ['packages/framework/src/suite/**/*.ts'],
    spec: [
      'packages/framework/test/suite/**/*.test.ts',
      'packages/framework/test/suite-update/update.test.ts',
      'packages/framework/test/compare/comparable.test.ts',
      'packages/framework/test/docs/methodology.test.ts',
    ],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  server: {
    mutate: [
      'packages/server/src/ingest.ts',
      'packages/server/src/workload-rows.ts',
      'packages/server/src/outliers.ts',
      'packages/server/src/ip-hash.ts',
      'packages/server/src/rate-limit.ts',
      'packages/server/src/trust-proxy.ts',
    ],
    spec: [
      'packages/server/test/ingest.test.ts',
      'packages/server/test/ingest-refusals.test.ts',
      'packages/server/test/limits-unit.test.ts',
      'packages/server/test/outliers.test.ts',
      'packages/server/test/ip-hash.test.ts',
      'packages/server/test/rate-limit.test.ts',
      'packages/server/test/forgery-corpus.test.ts',
      'packages/server/test/privacy-corpus.test.ts',
      'packages/server/test/http-hardening.test.ts',
    ],
    tsconfig: 'packages/server/tsconfig.json',
  },
};

/**
 * Not part of the full run: `npm run test:mutation:fast`, the verification every upload goes
 * through (strict Ed25519, the JWS rules, RFC 8785), with the framework's own tests only, failing
 * under `break` per cent.
 */
export const SUBSETS = {
  fast: {
    mutate: ['packages/framework/src/signing/ed25519.ts', 'packages/framework/src/signing/jws.ts', 'packages/framework/src/signing/jcs.ts'],
    spec: ['packages/framework/test/signing/ed25519-strict.test.ts', 'packages/framework/test/signing/jws*.test.ts', 'packages/framework/test/signing/jcs.test.ts'],
    tsconfig: 'packages/framework/tsconfig.json',
    break: 85,
  },
};

const name = process.env.STRYKER_AREA ?? 'signing';
const area = AREAS[name] ?? SUBSETS[name];
if (!area) throw new Error(`STRYKER_AREA=${name}: no such area; one of ${[...Object.keys(AREAS), ...Object.keys(SUBSETS)].join(', ')}`);
// SQLite only: no mutated module touches SQL, and a PostgreSQL cluster per run would double the time.
process.env.LLM_SPEED_TEST_POSTGRES ??= 'skip';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  testRunnerNodeArgs: ['--conditions=development', '--import=tsx', '--import=./scripts/mutation-hooks.mjs'],
  mochaOptions: { spec: area.spec },
  checkers: ['typescript'],
  tsconfigFile: area.tsconfig,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: area.mutate,
  coverageAnalysis: 'perTest',
  // The machine is shared (2 cores): one test process at a time.
  concurrency: 1,
  timeoutMS: 10_000,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `test-output/mutation/${name}/index.html` },
  jsonReporter: { fileName: `test-output/mutation/${name}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['test-output', 'dist-packages', '.cache', '.gl', '.whl', 'packages/*/dist'],
  thresholds: { high: 90, low: 85, break: area.break ?? null },
  incremental: false,
};
