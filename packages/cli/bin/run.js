#!/usr/bin/env node
import { Config, flush, handle, run } from '@oclif/core';

// oclif's execute(), plus two things: a plugin command whose npm run failed says why
// (npm-failure.ts), and a usage error in a command from another plugin (models synth, plugins
// install) is said in two lines like every llm-speed command's, not with a page of help
// (usage-error.ts; llm-speed's own commands do this in their base class).
const started = Date.now();
const argv = process.argv.slice(2);
await run(argv, import.meta.url)
  .then(() => flush())
  .catch(async (error) => {
    const { isParseError, usageErrorLines, commandWords } = await import('../dist/cli/usage-error.js');
    if (isParseError(error)) {
      const config = await Config.load(import.meta.url);
      process.stderr.write(usageErrorLines(error, config.bin, commandWords(argv, config.commandIDs)).join('\n') + '\n');
      process.exitCode = 2;
      return;
    }
    const { explainNpmFailure } = await import('../dist/cli/npm-failure.js');
    return handle(await explainNpmFailure(error, started));
  });
