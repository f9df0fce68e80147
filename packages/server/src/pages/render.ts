/**
 * Pages are preact components rendered to a string on the server (preact-render-to-string): the
 * renderer escapes every text child and attribute value, so a submitted model name like `<script>`
 * prints as text; no page carries a script (the CSP forbids them anyway).
 *
 * Each .tsx file starts with `@jsxRuntime automatic` / `@jsxImportSource preact` pragmas: tsc
 * builds with the package's tsconfig (jsx: react-jsx), but tests run the sources through tsx from
 * the repository root, which reads the root tsconfig; the pragmas make both compile the same way.
 */
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

export function renderPage(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

export { renderToString };
