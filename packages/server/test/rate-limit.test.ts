/**
 * Proxy-aware rate limits (issue 12 item 5). The reverse proxy in these tests is a real one on
 * 127.0.0.1 that does what nginx's `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`
 * does: it appends the address it was connected from to whatever X-Forwarded-For the client sent.
 * The attacker connects to it from 127.0.0.2 (all of 127/8 is loopback on Linux), so the proxy's
 * appended entry is an address we do not trust, exactly as a remote client's would be.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../src/cli.js';
import { createServer, parseTrustProxy, TokenBucketLimiter, TrustProxyError } from '../src/index.js';
import { forEachBackend, startTestServer, type TestServer } from './helpers.js';

const DAY1_2359 = Date.parse('2026-11-24T23:59:00Z');
const DAY2_0000_30 = Date.parse('2026-11-25T00:00:30Z');
const DAY2_0101 = Date.parse('2026-11-25T01:01:00Z');
/** Slow enough that no test run refills a token by the passing of time. */
const NO_REFILL = { capacity: 3, refillPerSecond: 1e-6 };

interface ProxyServer {
  url: string;
  close(): Promise<void>;
}

/** A real reverse proxy on 127.0.0.1 that appends the peer address to X-Forwarded-For. */
async function appendingProxy(upstream: string): Promise<ProxyServer> {
  const proxy = http.createServer((req, res) => {
    const forwarded = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const out = http.request(upstream + req.url, { method: req.method, headers: { ...req.headers, 'x-forwarded-for': forwarded } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => proxy.close(() => resolve())) };
}

/** One POST from a chosen local address (127.0.0.x), optionally with headers of the client's choosing. */
function postFrom(localAddress: string, url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const body = 'not.a.jws';
    const req = http.request(url, { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/jose', 'content-length': String(body.length), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function statuses(count: number, send: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await send(i)).status);
  return out;
}

forEachBackend('server: proxy-aware rate limits per hashed client', () => {
  let server: TestServer | undefined;
  let proxy: ProxyServer | undefined;
  afterEach(async () => {
    await proxy?.close();
    await server?.stop();
    proxy = undefined;
    server = undefined;
  });

  it('a client-chosen X-Forwarded-For behind a trusted proxy buys no fresh buckets (200 POSTs → 429s)', async () => {
    const now = DAY1_2359;
    server = await startTestServer({ trustProxy: ['127.0.0.1'], clock: () => now, rateLimit: { capacity: 60, refillPerSecond: 1 } });
    proxy = await appendingProxy(server.url);
    const target = `${proxy.url}/v1/results`;
    // The spoof from the issue: a different left-most address on every request, plus the proxy's address.
    const seen = await statuses(200, (i) => postFrom('127.0.0.2', target, { 'x-forwarded-for': `203.0.113.${i}, 127.0.0.1` }));
    assert.deepEqual(seen.slice(0, 60), Array(60).fill(400), 'the first 60 reach ingest (and fail it: the body is no JWS)');
    assert.deepEqual(seen.slice(60), Array(140).fill(429), 'every later one is refused');
    // The bucket was the attacker's, not everyone's: another client behind the same proxy still gets in.
    assert.equal((await postFrom('127.0.0.3', target, { 'x-forwarded-for': '203.0.113.7' })).status, 400);
    // The access log carries one hash for all 200 spoofed requests, another for the second client.
    const hashes = new Set(server.logs.map((line) => line.split(' ')[1]));
    assert.equal(hashes.size, 2, server.logs.slice(-3).join('\n'));
  });

  it('without --trust-proxy, X-Forwarded-For is ignored entirely', async () => {
    server = await startTestServer({ rateLimit: NO_REFILL });
    const seen = await statuses(6, (i) => postFrom('127.0.0.1', `${server!.url}/v1/results`, { 'x-forwarded-for': `203.0.113.${i}` }));
    assert.deepEqual(seen, [400, 400, 400, 429, 429, 429]);
  });

  it('two clients have two buckets; a 429 carries Retry-After and the JSON error', async () => {
    server = await startTestServer({ trustProxy: '127.0.0.1', rateLimit: NO_REFILL });
    const from = (ip: string) => () => postFrom('127.0.0.1', `${server!.url}/v1/results`, { 'x-forwarded-for': ip });
    assert.deepEqual(await statuses(4, from('198.51.100.1')), [400, 400, 400, 429]);
    assert.deepEqual(await statuses(4, from('198.51.100.2')), [400, 400, 400, 429], 'a second client is not refused because of the first');
    const refused = await from('198.51.100.1')();
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers['retry-after']) > 0, JSON.stringify(refused.headers));
    assert.equal(refused.headers['x-ratelimit-remaining'], '0');
    assert.match(JSON.parse(refused.body).error, /too many submissions/);
    assert.equal(refused.headers['x-content-type-options'], 'nosniff');
    // GETs are never limited.
    assert.equal((await server.get('/cheatsheet', { 'x-forwarded-for': '198.51.100.1' })).status, 200);
  });

  it('reads X-Forwarded-For strictly: a port is dropped, an entry that is no address is refused (issue 24.7)', async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.1'], rateLimit: NO_REFILL });
    const from = (ip: string) => () => postFrom('127.0.0.1', `${server!.url}/v1/results`, { 'x-forwarded-for': ip });
    // Before: each port was a bucket of its own.
    const ports = ['198.51.100.30:1111', '198.51.100.30:2222', '198.51.100.30', '198.51.100.30:65535'];
    assert.deepEqual(await statuses(4, (i) => from(ports[i]!)()), [400, 400, 400, 429]);
    const v6 = ['[2001:db8:7:7::1]:443', '2001:db8:7:7::2', '[2001:db8:7:7::3]', '[2001:db8:7:7::4]:8443'];
    assert.deepEqual(await statuses(4, (i) => from(v6[i]!)()), [400, 400, 400, 429]);
    for (const bad of ['not-an-address', 'unknown', '198.51.100.300', '198.51.100.30:port', '_hidden', '[198.51.100.30]:80']) {
      const res = await from(bad)();
      assert.equal(res.status, 400, bad);
      assert.match(JSON.parse(res.body).error, /X-Forwarded-For names a client that is not an IP address/, bad);
    }
    // The refusals were logged under one shared key, not one per string.
    assert.equal(new Set(server.logs.slice(-6).map((line) => line.split(' ')[1])).size, 1);
  });

  it('buckets IPv6 clients per /64 and IPv4-mapped IPv6 as IPv4', async () => {
    server = await startTestServer({ trustProxy: ['127.0.0.1'], rateLimit: NO_REFILL });
    const from = (ip: string) => () => postFrom('127.0.0.1', `${server!.url}/v1/results`, { 'x-forwarded-for': ip });
    // Four addresses of one /64: one bucket of 3.
    const sameNet = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff:ffff:ffff:fffe', '2001:DB8:1:2:0:0:0:abcd'];
    assert.deepEqual(await statuses(4, (i) => from(sameNet[i])()), [400, 400, 400, 429]);
    // The neighbouring /64 is another subscriber.
    assert.equal((await from('2001:db8:1:3::1')()).status, 400);
    // ::ffff:198.51.100.9 is 198.51.100.9.
    assert.deepEqual(await statuses(4, (i) => from(i % 2 ? '198.51.100.9' : '::ffff:198.51.100.9')()), [400, 400, 400, 429]);
    const hashes = server.logs.map((line) => line.split(' ')[1]);
    assert.equal(new Set(hashes.slice(0, 4)).size, 1, 'one /64, one hash in the access log');
  });

  it('the midnight salt rotation is not a free refill (injected clock), and yesterday is gone after 01:00', async () => {
    let now = DAY1_2359;
    server = await startTestServer({ trustProxy: ['127.0.0.1'], clock: () => now, rateLimit: NO_REFILL });
    const from = (ip: string) => () => postFrom('127.0.0.1', `${server!.url}/v1/results`, { 'x-forwarded-for': ip });
    assert.deepEqual(await statuses(4, from('198.51.100.20')), [400, 400, 400, 429]);
    now = DAY2_0000_30;
    const after = await from('198.51.100.20')();
    assert.equal(after.status, 429, 'a new salt, a new hash, but the same (empty) bucket');
    const [beforeMidnight, afterMidnight] = [server.logs.at(-2)!.split(' ')[1], server.logs.at(-1)!.split(' ')[1]];
    assert.notEqual(afterMidnight, beforeMidnight, 'the key really changed at midnight');
    assert.equal((await from('198.51.100.21')()).status, 400, 'other clients are unaffected');
    // After 01:00 yesterday's salt is dropped (PRIVACY §4): nothing links the two days any more.
    now = DAY2_0101;
    assert.equal((await from('198.51.100.20')()).status, 429, "today's bucket (carried over at 00:00:30) is still empty");
  });

  it("TokenBucketLimiter: a new key starts from the previous key's bucket, never from a full one", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1 }, () => now);
    assert.ok(limiter.take('yesterday'));
    assert.ok(limiter.take('yesterday'));
    assert.ok(!limiter.take('yesterday'));
    assert.ok(!limiter.take('today', 'yesterday'), 'carried over: still empty');
    assert.ok(limiter.take('someone-else', 'nobody'));
    now = 1000;
    assert.ok(limiter.take('today'), 'and it refills at the configured rate');
    assert.equal(limiter.retryAfterSeconds('today'), 1);
  });
});

describe('server: --trust-proxy / trustProxy', () => {
  it("accepts addresses, CIDRs and proxy-addr's names; refuses anything else with a message naming the entry", async () => {
    assert.deepEqual(parseTrustProxy(' 127.0.0.1, 10.0.0.0/8 ,2001:db8::/32,::1, loopback'), ['127.0.0.1', '10.0.0.0/8', '2001:db8::/32', '::1', 'loopback']);
    assert.deepEqual(parseTrustProxy(undefined), []);
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/8/8', 'proxy.example.org', '300.1.1.1', '10.0.0.0/-1', 'fe80::1%eth0', 'true']) {
      assert.throws(
        () => parseTrustProxy(`127.0.0.1,${bad}`),
        (e: Error) => e instanceof TrustProxyError && e.message.includes(`"${bad}"`) && /CIDR/.test(e.message),
        bad,
      );
    }
    await assert.rejects(createServer({ db: ':memory:', trustProxy: ['10.0.0.0/33'] }), TrustProxyError);
    await assert.rejects(createServer({ db: ':memory:', trustProxy: true as unknown as string[] }), /list of proxy addresses/);
  });

  it('llm-speed-server --trust-proxy without --public-url exits 2: behind a proxy the origin must be given (issue 24.7)', async () => {
    for (const [argv, message] of [
      [['--trust-proxy', '127.0.0.1'], /--trust-proxy means browsers reach this server through a proxy.*--public-url https:\/\//],
      [['--trust-proxy', '127.0.0.1', '--public-url', 'bench.example.org'], /--public-url must be the http\(s\) URL browsers reach this server at/],
    ] as const) {
      const err: string[] = [];
      const [writeErr, exitCode] = [process.stderr.write.bind(process.stderr), process.exitCode];
      process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
      process.exitCode = 0;
      try {
        await main(['--db', ':memory:', '--port', '0', ...argv]);
        assert.equal(process.exitCode, 2, argv.join(' '));
        assert.match(err.join(''), message);
      } finally {
        process.stderr.write = writeErr;
        process.exitCode = exitCode;
      }
    }
  });

  it('llm-speed-server --trust-proxy with a malformed CIDR exits 2 with the message', async () => {
    const written: string[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- saved only to be put back on the same stream, never called unbound
    const write = process.stderr.write;
    const exitCode = process.exitCode;
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      await main(['--db', ':memory:', '--port', '0', '--trust-proxy', '127.0.0.1,10.0.0.0/33']);
      assert.equal(process.exitCode, 2);
    } finally {
      process.stderr.write = write;
      process.exitCode = exitCode;
    }
    assert.match(written.join(''), /"10\.0\.0\.0\/33" is not an IP address or CIDR/);
  });
});
