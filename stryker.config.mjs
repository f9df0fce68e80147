// Mutation testing (StrykerJS; the core since issue 18, the rest since issue 27): `npm run test:mutation` runs every area below,
// one after another (scripts/mutation.mjs); `STRYKER_AREA=signing npx stryker run` runs one.
// Each area mutates one part of the core and runs only the test files that exercise it, so the
// slow end-to-end tests (a real llama-server, the CLI in a child process) never run per mutant —
// they could not kill an in-process mutant anyway. Tests run from src through tsx, as .mocharc.json
// runs them, with scripts/mutation-hooks.mjs so that `@llm-speed/*` imports see the mutated copy.
// Reports: test-output/mutation/<area>/index.html (and mutation.json for the summary).

/** @type {Record<string, { mutate: string[]; spec: string[]; tsconfig: string; break?: number; postgres?: boolean }>} */
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
  // Beyond the core (issue 27). Each area's specs are the fast, in-process tests that exercise it;
  // README "Testing" has each area's score and time on 2 cores.
  protocol: {
    // The wire-protocol parsers and the HTTP client every driver streams through. The Python
    // runner and driver (python-*.ts) are left to their own tests: they spawn interpreters.
    mutate: ['packages/framework/src/protocol/**/*.ts', '!packages/framework/src/protocol/python-driver.ts', '!packages/framework/src/protocol/python-runner.ts'],
    spec: [
      'packages/framework/test/protocol/sse.test.ts',
      'packages/framework/test/protocol/ndjson.test.ts',
      'packages/framework/test/protocol/openai.test.ts',
      'packages/framework/test/protocol/openai-wire.test.ts',
      'packages/framework/test/protocol/http-stream.test.ts',
      'packages/framework/test/protocol/arrival-times.test.ts',
      'packages/framework/test/protocol/prometheus.test.ts',
      'packages/plugin-openai-compat/test/server-identity.test.ts',
    ],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  compare: {
    mutate: ['packages/framework/src/compare/**/*.ts'],
    spec: ['packages/framework/test/compare/**/*.test.ts', 'packages/framework/test/tools/**/*.test.ts'],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  output: {
    mutate: ['packages/framework/src/output/**/*.ts'],
    spec: ['packages/framework/test/output/**/*.test.ts'],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  tools: {
    mutate: ['packages/framework/src/tools/**/*.ts'],
    spec: ['packages/framework/test/tools/**/*.test.ts', 'packages/framework/test/compare/**/*.test.ts'],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  upload: {
    mutate: ['packages/framework/src/upload/**/*.ts'],
    spec: ['packages/framework/test/upload/**/*.test.ts', 'packages/cli/test/upload/verify-run.test.ts'],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  config: {
    mutate: ['packages/framework/src/config/**/*.ts'],
    spec: ['packages/framework/test/config/**/*.test.ts', 'packages/framework/test/harness/select-backend.test.ts'],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  discovery: {
    mutate: ['packages/framework/src/discovery/**/*.ts'],
    spec: ['packages/framework/test/driver-kit/driver-kit.test.ts', 'packages/framework/test/harness/select-backend.test.ts', 'packages/framework/test/output/output.test.ts'],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  fingerprint: {
    mutate: ['packages/framework/src/fingerprint/**/*.ts'],
    spec: ['packages/framework/test/fingerprint/**/*.test.ts'],
    tsconfig: 'packages/framework/tsconfig.json',
  },
  // One area per driver plugin: its replay-transcript and contract tests (no real backend).
  'driver-ollama': {
    mutate: ['packages/plugin-ollama/src/**/*.ts'],
    spec: ['packages/plugin-ollama/test/**/*.test.ts'],
    tsconfig: 'packages/plugin-ollama/tsconfig.json',
  },
  'driver-vllm': {
    mutate: ['packages/plugin-vllm/src/**/*.ts'],
    spec: ['packages/plugin-vllm/test/**/*.test.ts'],
    tsconfig: 'packages/plugin-vllm/tsconfig.json',
  },
  'driver-mlx': {
    mutate: ['packages/plugin-mlx/src/**/*.ts'],
    spec: ['packages/plugin-mlx/test/**/*.test.ts'],
    tsconfig: 'packages/plugin-mlx/tsconfig.json',
  },
  'driver-exllamav2': {
    mutate: ['packages/plugin-exllamav2/src/**/*.ts'],
    spec: ['packages/plugin-exllamav2/test/**/*.test.ts'],
    tsconfig: 'packages/plugin-exllamav2/tsconfig.json',
  },
  'driver-hosted': {
    mutate: ['packages/plugin-hosted/src/**/*.ts'],
    spec: ['packages/plugin-hosted/test/**/*.test.ts'],
    tsconfig: 'packages/plugin-hosted/tsconfig.json',
  },
  'driver-openai-compat': {
    mutate: ['packages/plugin-openai-compat/src/**/*.ts'],
    spec: ['packages/plugin-openai-compat/test/**/*.test.ts'],
    tsconfig: 'packages/plugin-openai-compat/tsconfig.json',
  },
  'driver-llamacpp': {
    // The wire and file-format code; the tests that start a real llama-server are too slow to run
    // per mutant (their figures are checked end to end in `npm test`).
    mutate: ['packages/plugin-llamacpp/src/server/completion.ts', 'packages/plugin-llamacpp/src/gguf/**/*.ts'],
    spec: ['packages/plugin-llamacpp/test/driver/server-timings.test.ts', 'packages/plugin-llamacpp/test/gguf/**/*.test.ts'],
    tsconfig: 'packages/plugin-llamacpp/tsconfig.json',
  },
  'server-pages': {
    mutate: ['packages/server/src/pages/**/*.{ts,tsx}'],
    spec: [
      'packages/server/test/pages.test.ts',
      'packages/server/test/pages-cells.test.ts',
      'packages/server/test/share-pages.test.ts',
      'packages/server/test/listing-order.test.ts',
      'packages/server/test/disputes-form.test.ts',
    ],
    tsconfig: 'packages/server/tsconfig.json',
  },
  'server-listings': {
    // Listings, filters and order on both databases: this area runs PostgreSQL too.
    mutate: ['packages/server/src/sql-repository.ts', 'packages/server/src/sqlite-repository.ts', 'packages/server/src/postgres-repository.ts', 'packages/server/src/ranking.ts'],
    spec: ['packages/server/test/listing-order.test.ts', 'packages/server/test/groups.test.ts', 'packages/server/test/ranking.test.ts', 'packages/server/test/disputes.test.ts'],
    tsconfig: 'packages/server/tsconfig.json',
    postgres: true,
  },
  'server-cluster': {
    mutate: ['packages/server/src/cluster.ts', 'packages/server/src/board-file.ts'],
    spec: ['packages/server/test/cluster.test.ts', 'packages/server/test/cluster-restart.test.ts', 'packages/server/test/board-file.test.ts'],
    tsconfig: 'packages/server/tsconfig.json',
    postgres: true,
  },
  'cli-commands': {
    // Only the commands with in-process tests: the e2e tests run the built binary, which a
    // mutant in src never reaches.
    mutate: ['packages/cli/src/commands/login.ts', 'packages/cli/src/commands/verify-run.ts', 'packages/cli/src/commands/verify.ts', 'packages/cli/src/commands/self-update.ts'],
    spec: ['packages/cli/test/login/login-command.test.ts', 'packages/cli/test/upload/verify-run.test.ts', 'packages/cli/test/suite-update/command.test.ts'],
    tsconfig: 'packages/cli/tsconfig.json',
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
// SQLite only, except in the areas whose code is SQL (postgres: true): elsewhere no mutated module
// touches SQL, and a PostgreSQL cluster per run would double the time.
if (!area.postgres) process.env.LLM_SPEED_TEST_POSTGRES ??= 'skip';

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
