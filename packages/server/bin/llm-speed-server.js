#!/usr/bin/env node
import { main } from '../dist/cli.js';

main().catch((error) => {
  process.stderr.write(`llm-speed-server: ${error?.message ?? error}\n`);
  process.exit(1);
});
