// The linter, run by `npm run lint` (and so by `npm test`) with zero warnings allowed.
//
// TypeScript (every package's src and test, the driver template) is linted with type information
// (typescript-eslint's project service: each file is checked against the nearest tsconfig.json; the
// tests have their own, packages/*/test/tsconfig.json). The rules that matter most here are the
// promise rules: the harness is made of async streams, and a promise nobody awaits loses a timing
// or an error without a sound. Plain JavaScript (scripts/, bench/, bin/) is linted without types.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/dist/**',
    '**/node_modules/**',
    'test-output/**',
    '.cache/**',
    'dist-packages/**',
    // Stryker's sandbox: a copy of the tree while a mutation run works in it.
    '.stryker-tmp/**',
    // Suite fixtures are pinned by digest (suite.json); nothing in them is code.
    'packages/framework/suites/**',
  ]),

  // A disable comment that no longer disables anything fails the run (zero warnings) like a finding.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  js.configs.recommended,

  {
    files: ['**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: {
          // The driver template ships as it is (its tsconfig covers src only, like a real plugin's),
          // so its two test files are checked in a default project rather than given a tsconfig;
          // so is the schemas package's hand-written index.d.ts.
          allowDefaultProject: ['templates/driver-plugin/test/*.ts', 'schemas/index.d.ts'],
          defaultProject: 'tsconfig.base.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // The three that this item is about, stated here so that no preset change drops them.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Not in the preset, and the same family: `return promise` inside try/catch/finally returns
      // before the promise settles, so its rejection skips the catch and the finally runs too early.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],

      // Off: the code writes `!` where a value is present by construction (an index into a list it
      // just checked, a regex group that matched, a field the wire format guarantees). With
      // noUncheckedIndexedAccess off in tsconfig.base.json the compiler does not need them, so this
      // rule calls them unnecessary (447 of its 497 findings); they are kept on purpose as the
      // reader's note and so that turning noUncheckedIndexedAccess on later costs nothing.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Off: drivers, hooks and repositories implement Promise-returning contracts with `async`
      // methods that may not await anything (an in-memory SQLite call, a close() that only aborts).
      // Dropping `async` to please the rule would turn a thrown error into a synchronous throw where
      // callers expect a rejected promise: a behaviour change, and no bug is found this way
      // (a missing await is no-floating-promises' job).
      '@typescript-eslint/require-await': 'off',
      // A leading underscore marks a deliberately unused binding; a rest sibling drops fields from a
      // copy (`const { signature: _s, ...payload } = run`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // As only-throw-error does by default: passing on what was caught or a signal's reason
      // (AbortSignal.reason is typed any) forwards an error rather than making a new one.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
    },
  },

  {
    // Tests read the CLI's and the server's JSON output (JSON.parse: any) and assert on it field by
    // field; typing every parse with a cast would add claims, not checks — the assertions are the
    // checks. The unsafe-any rules stay on for src, where an unchecked any can reach a result.
    files: ['packages/*/test/**', 'templates/*/test/**'],
    rules: {
      // The same idiom declared: `json: any` on a parsed answer.
      '@typescript-eslint/no-explicit-any': 'off',
      // The output tests assert the exact terminal escapes (\x1b[2K, \x1b[32m) the renderer writes.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  {
    // Generated from schemas/ by json-schema-to-typescript (scripts/generate-types.mjs): fixes would
    // be overwritten by the next `npm run schemas:gen`, and `schemas:check` compares them byte for byte.
    files: ['packages/framework/src/contract/generated/**'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },

  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
