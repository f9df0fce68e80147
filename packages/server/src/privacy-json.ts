/**
 * GET /privacy.json (PRIVACY §4): the machine-readable, versioned list of stored fields. The
 * uploaded fields are derived by walking run.schema.json, so the document cannot drift from what
 * ingest accepts (additionalProperties: false makes the schema the exhaustive list).
 */
import { createHash } from 'node:crypto';
import { schemas } from '@llm-speed/schemas';

type Schema = Record<string, unknown>;

export interface StoredField {
  path: string;
  type: string;
  description?: string;
}

function resolve(ref: string, base: Schema): [Schema, Schema] {
  const [file, pointer] = ref.split('#');
  let doc = base;
  if (file) {
    const found = Object.values(schemas).find((s) => String((s as Schema).$id).endsWith(`/${file}`));
    if (!found) throw new Error(`privacy.json: unresolved $ref ${ref}`);
    doc = found as Schema;
  }
  let node: unknown = doc;
  for (const part of (pointer ?? '').split('/').filter(Boolean)) node = (node as Schema)[part];
  return [node as Schema, doc];
}

function typeOf(node: Schema): string {
  if (node.enum) return `enum(${(node.enum as unknown[]).join('|')})`;
  const t = node.type;
  return Array.isArray(t) ? t.join('|') : typeof t === 'string' ? t : 'any';
}

function describedBy(node: Schema): { description?: string } {
  return typeof node.description === 'string' && node.description !== '' ? { description: node.description } : {};
}

function walk(node: Schema, base: Schema, path: string, out: StoredField[]): void {
  if (typeof node.$ref === 'string') {
    const [target, doc] = resolve(node.$ref, base);
    walk({ ...target, description: node.description ?? target.description }, doc, path, out);
    return;
  }
  if (Array.isArray(node.allOf)) {
    for (const part of node.allOf as Schema[]) if (part.$ref || part.properties) walk(part, base, path, out);
    return;
  }
  const properties = node.properties as Record<string, Schema> | undefined;
  if (properties) {
    for (const [name, child] of Object.entries(properties)) walk(child, base, path ? `${path}.${name}` : name, out);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties as Schema, base, `${path}.*`, out);
    return;
  }
  if (node.type === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object') {
    walk(node.additionalProperties as Schema, base, `${path}.*`, out);
    return;
  }
  if (node.items && typeof node.items === 'object') {
    const items = node.items as Schema;
    const [target] = items.$ref ? resolve(items.$ref as string, base) : [items];
    if (target.properties || target.allOf) {
      walk(items, base, `${path}[]`, out);
      return;
    }
    out.push({ path: `${path}[]`, type: typeOf(target), ...describedBy(node) });
    return;
  }
  out.push({ path, type: typeOf(node), ...describedBy(node) });
}

let cached: string | undefined;

export function privacyDocument(): string {
  if (cached) return cached;
  const run = schemas.run as Schema;
  const uploaded: StoredField[] = [];
  walk(run, run, '', uploaded);
  const server: StoredField[] = [
    { path: 'id', type: 'string', description: 'r_ + 11 characters derived from the SHA-256 of the canonical signed run.' },
    { path: 'content_hash', type: 'string', description: 'SHA-256 of the canonical signed run (idempotent resubmission).' },
    { path: 'received_at', type: 'date-time', description: 'When the server stored the run.' },
    { path: 'anon', type: 'boolean', description: "The upload carried X-LLM-Speed-Anon: 1 (--anon); such runs are never shown as a contributor's." },
    {
      path: 'contributor_links[].{public_key,github_login,created_at}',
      type: 'string',
      description: 'Only after `llm-speed login`: the persistent public key the user linked to their GitHub login. No GitHub token is stored.',
    },
    { path: 'withdrawal.{withdrawn_at,reason}', type: 'string', description: 'Only when a dispute withdrew the run.' },
    { path: 'disputes[].{opened_at,messages[].{posted_at,body}}', type: 'string', description: 'Public dispute threads; no author identity is stored.' },
  ];
  const body = {
    uploaded_fields: uploaded,
    server_fields: server,
    not_stored: ['client IP address (clear or hashed)', 'User-Agent', 'Authorization header', 'request headers'],
    client_ip: {
      stored: false,
      access_log_and_rate_limit: 'sha256(salt || client_ip)[:16] hex (IPv6: client_ip is its /64 prefix); salt random per UTC day, in process memory only, previous day salt dropped at 01:00 UTC',
    },
  };
  const schemaDigest = createHash('sha256').update(JSON.stringify(run)).digest('hex');
  cached = JSON.stringify({ version: 1, schema: String(run.$id), schema_digest: schemaDigest, ...body }, null, 2);
  return cached;
}
