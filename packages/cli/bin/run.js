#!/usr/bin/env node
import { flush, handle, run } from '@oclif/core';

// oclif's execute(), plus one thing: a plugin command whose npm run failed says why (npm-failure.ts).
const started = Date.now();
await run(process.argv.slice(2), import.meta.url)
  .then(() => flush())
  .catch(async (error) => {
    const { explainNpmFailure } = await import('../dist/cli/npm-failure.js');
    return handle(await explainNpmFailure(error, started));
  });
