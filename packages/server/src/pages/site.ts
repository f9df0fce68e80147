/**
 * Where this server is, as its pages state it: the origin absolute links use (Open Graph URLs,
 * the card image, commands) and the `--api-url` a reader's CLI needs to reach it — none when the
 * server is the public llm-speed.com (the CLI's default API), this server's own URL otherwise.
 */
import { PUBLIC_API_URL } from '@llm-speed/framework';

export interface Site {
  /** Scheme, host and port, without a trailing slash: `https://llm-speed.com`, `http://127.0.0.1:8787`. */
  origin: string;
  /** The `--api-url` value for commands; null when the CLI's default already reaches this server. */
  apiUrl: string | null;
}

/** The public site and its API host, which the CLI reaches without --api-url. */
function isPublicSite(origin: string): boolean {
  try {
    return /(^|\.)llm-speed\.com$/i.test(new URL(origin).hostname) || origin === new URL(PUBLIC_API_URL).origin;
  } catch {
    return false;
  }
}

/** From the server's --public-url (preferred) or the address it listens on. */
export function siteFor(publicUrl: string | undefined, listening: string): Site {
  const origin = (publicUrl ?? listening).replace(/\/+$/, '');
  return { origin, apiUrl: isPublicSite(origin) ? null : origin };
}
