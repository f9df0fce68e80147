/**
 * `llm-speed-server --db results.sqlite --port 8787 [--host 127.0.0.1] [--public-url URL] [--trust-proxy CIDRS]`.
 * Environment: LLM_SPEED_ADMIN_TOKEN enables POST /v1/results/<id>/withdraw; LLM_SPEED_TRUST_PROXY
 * is the default for --trust-proxy.
 */
import { parseArgs } from 'node:util';
import { createServer } from './app.js';
import { parseTrustProxy, TrustProxyError } from './trust-proxy.js';

const USAGE = `usage: llm-speed-server --db results.sqlite [--port 8787] [--host 127.0.0.1] [--public-url https://example.org] [--trust-proxy <addresses/CIDRs>]
  --trust-proxy 127.0.0.1,10.0.0.0/8   only behind your own reverse proxy: the addresses it connects from (comma-separated
                                       IPs or CIDRs, or loopback / linklocal / uniquelocal). The client is the right-most
                                       X-Forwarded-For entry outside these ranges. Env: LLM_SPEED_TRUST_PROXY.
  LLM_SPEED_ADMIN_TOKEN=<token> enables withdrawals (POST /v1/results/<id>/withdraw with Authorization: Bearer <token>).`;

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        db: { type: 'string' },
        port: { type: 'string', default: '8787' },
        host: { type: 'string', default: '127.0.0.1' },
        'public-url': { type: 'string' },
        'trust-proxy': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const port = Number(values.port);
  if (!values.db || !Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`${!values.db ? '--db is required' : `--port must be 0-65535, got ${values.port}`}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  let trustProxy: string[];
  try {
    trustProxy = parseTrustProxy(values['trust-proxy'] ?? process.env.LLM_SPEED_TRUST_PROXY);
  } catch (error) {
    if (!(error instanceof TrustProxyError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const running = await createServer({ db: values.db, port, host: values.host, publicUrl: values['public-url'], trustProxy });
  const proxyNote = trustProxy.length > 0 ? `; trusting X-Forwarded-For from ${trustProxy.join(', ')}` : '';
  process.stderr.write(
    `llm-speed-server listening on ${running.url} (db ${values.db})${proxyNote}${process.env.LLM_SPEED_ADMIN_TOKEN ? '' : '; withdrawals disabled (LLM_SPEED_ADMIN_TOKEN unset)'}\n`,
  );
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
