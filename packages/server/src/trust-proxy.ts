/**
 * `--trust-proxy <list>`: the reverse proxies whose X-Forwarded-For entries we believe. Fastify
 * hands the list to proxy-addr, which walks the chain from the socket address leftwards and stops
 * at the first address that is not a trusted proxy: that address is the client. A client can put
 * anything at the left of the header, but it can never get past the entry our own proxy appended.
 *
 * This module only checks the list, so a typo fails at start-up with a message instead of quietly
 * trusting nothing (or, worse, something else).
 */
import { isIP } from 'node:net';

/** Names proxy-addr knows: loopback (127.0.0.1/8, ::1), linklocal, uniquelocal (10/8, 172.16/12, 192.168/16, fc00::/7). */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export class TrustProxyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustProxyError';
  }
}

/**
 * A comma-separated string or a list of addresses / CIDRs (`10.0.0.0/8`, `2001:db8::/32`,
 * `127.0.0.1`) or the names above; returns the trimmed, checked list (empty: trust no proxy).
 */
export function parseTrustProxy(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'string' && !Array.isArray(value)) {
    throw new TrustProxyError(`trustProxy must be a list of proxy addresses or CIDRs (e.g. ["127.0.0.1", "10.0.0.0/8"]), got ${JSON.stringify(value)}`);
  }
  const entries = (typeof value === 'string' ? value.split(',') : value).map((entry) => String(entry).trim()).filter(Boolean);
  for (const entry of entries) checkEntry(entry);
  return entries;
}

function checkEntry(entry: string): void {
  if (NAMED_RANGES.has(entry)) return;
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  const prefix = slash === -1 ? undefined : entry.slice(slash + 1);
  const maxPrefix = family === 6 ? 128 : 32;
  const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
  if (family === 0 || !prefixOk || address.includes('%')) {
    throw new TrustProxyError(
      `--trust-proxy: "${entry}" is not an IP address or CIDR; give the addresses of your own reverse proxies, ` +
        `comma-separated, e.g. --trust-proxy 127.0.0.1,10.0.0.0/8,2001:db8::/32 (or loopback, linklocal, uniquelocal)`,
    );
  }
}

/**
 * The client's address as proxy-addr found it in X-Forwarded-For, read strictly: an IPv4 address
 * with a port (`1.2.3.4:5678`) or a bracketed IPv6 one (`[2001:db8::1]:443`) loses its port;
 * anything that is not an address then is refused. Without this every port, or every string, a
 * client put there was a rate-limit bucket of its own.
 */
export function clientAddress(ip: string): string | undefined {
  if (isIP(ip)) return ip;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(ip);
  if (v4 && isIP(v4[1]!) === 4) return v4[1];
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(ip);
  if (v6 && isIP(v6[1]!) === 6) return v6[1];
  return undefined;
}
