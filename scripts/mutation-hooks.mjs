// Loaded by Stryker's test runner (stryker.config.mjs, testRunnerNodeArgs) after tsx. Stryker
// mutates a copy of the repository (its sandbox) whose node_modules is a link to the real one, so
// `@llm-speed/framework` would resolve through the workspace link to the unmutated sources and a
// server test could never see a framework mutant. This hook points every file of the repository
// that resolution lands on (outside node_modules) back into the sandbox. Outside a sandbox it changes nothing.
import { register } from 'node:module';
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const sandbox = process.cwd();
let original;
try {
  original = dirname(realpathSync(join(sandbox, 'node_modules')));
} catch {
  original = sandbox;
}
if (original !== sandbox) {
  const from = `${pathToFileURL(original).href}/packages/`;
  const to = `${pathToFileURL(sandbox).href}/packages/`;
  const hook = `
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      const rest = resolved.url.startsWith(${JSON.stringify(from)}) ? resolved.url.slice(${from.length}) : undefined;
      return rest === undefined || rest.includes('/node_modules/') ? resolved : { ...resolved, url: ${JSON.stringify(to)} + rest };
    }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
