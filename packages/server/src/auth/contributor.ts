/** "contributed by <login>" on the run page, for results whose public key is linked to a GitHub login. */
import { escapeHtml } from '../pages/html.js';

const ANCHOR = '<tr><th>Public key</th>';

/** Adds a row before the public key row of a rendered run page; the page is unchanged when it has no such row. */
export function withContributor(page: string, login: string | undefined): string {
  if (!login || !page.includes(ANCHOR)) return page;
  const row = `<tr><th>Contributor</th><td id="contributor">contributed by ${escapeHtml(login)}</td></tr>`;
  return page.replace(ANCHOR, row + ANCHOR);
}
