/**
 * `llm-speed-server import` is ingest: every record of a board file is checked the way a POST is,
 * and nothing in the file is believed that the signed JSON does not say.
 *
 * - A result must be the canonical (RFC 8785) text that hashes to its content hash and id, at most
 *   MAX_RESULT_BYTES, and pass verifyAndCheck — the strict signature and header, the privacy
 *   invariant, the schema with its bounds, the interrupted-run refusal and the privacy rules —
 *   exactly as POST /v1/results runs it. Every stored column (key, hardware label and slug,
 *   fingerprint, groups, flags) is derived from that JSON; a file whose columns say otherwise is
 *   refused rather than corrected, since only a tampered file disagrees with itself. The receipt
 *   time is the one fact only the exporting server knew: it must be a canonical ISO time, not
 *   after this import, and not more than a day (clock skew) before the run itself started.
 * - One measurement, one owner: the first result of each payload owns it; a later copy is admitted
 *   only if the file withdraws it too (what a board from before the rule holds).
 * - Withdrawals and disputes must name a result of the file, with canonical times that are not in
 *   the future; messages obey the POST's limits.
 * - A contributor link needs the login proof that made it — an Ed25519 signature by the linked key
 *   over `llm-speed-login:<device_code>` — and it must verify again here. (The GitHub side of a
 *   link, which login answered, is the exporting server's word: no file can prove it.)
 *
 * Every refused record is reported with its line and reason, and none of the file is stored: the
 * checks run while the records stream into one transaction, which a refusal rolls back.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { canonicalize, type RunPayload } from '@llm-speed/framework';
import { verifyLoginProof } from './auth/proof.js';
import { readBoardLines } from './board-file.js';
import { MAX_MESSAGE_CHARS, MAX_RESULT_BYTES } from './http/limits.js';
import { IngestError, resultIdFor, toNewResult, verifyAndCheck } from './ingest.js';
import type { BoardRecord, ImportCounts, ImportRecord, NewResult, ResultsRepository } from './repository.js';
import { ImportError } from './sql-repository.js';

/** How far before a run's own start its receipt may lie (the submitting machine's clock may run ahead). */
export const CLOCK_SKEW_MS = 24 * 3600_000;
/** Refused records listed in the error (all are counted). */
const LISTED_FAILURES = 50;
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export interface ImportOptions {
  /** The import's clock (epoch ms; default Date.now): no time in the file may be later. */
  now?: () => number;
}

/** A canonical ISO time (as the server writes them) not later than `now`; else why not. */
function timeProblem(value: string, now: number): string | undefined {
  const t = Date.parse(value);
  if (!Number.isFinite(t) || new Date(t).toISOString() !== value) return `${JSON.stringify(value.slice(0, 40))} is not an ISO time as a server writes it`;
  if (t > now) return `${value} is later than this import`;
  return undefined;
}

const truncated = (v: unknown) => JSON.stringify(typeof v === 'string' && v.length > 60 ? `${v.slice(0, 60)}…` : v);

class RecordChecker {
  readonly failures: string[] = [];
  /** The results of the file so far, for the records that refer to them. */
  private readonly results = new Set<string>();
  /** Payload hash → the result that owns it. */
  private readonly owners = new Map<string, string>();
  /** A later copy of a measurement → its owner: admitted only if the file withdraws it. */
  private readonly copies = new Map<string, { owner: string; line: number }>();
  private readonly withdrawn = new Set<string>();
  /** Results already refused: what refers to them is not reported a second time. */
  private readonly refused = new Set<string>();

  constructor(private readonly now: number) {}

  private refuse(line: number, what: string, reason: string): undefined {
    this.failures.push(`line ${line}: ${what}: ${reason}`);
    return undefined;
  }

  async check(line: number, record: BoardRecord): Promise<ImportRecord | undefined> {
    switch (record.type) {
      case 'result': {
        const checked = await this.result(line, record);
        if (!checked) this.refused.add(record.id);
        return checked;
      }
      case 'withdrawal': {
        const what = `withdrawal of ${record.result_id}`;
        if (this.refused.has(record.result_id)) return undefined;
        if (!this.results.has(record.result_id)) return this.refuse(line, what, 'no such result earlier in the file');
        const time = timeProblem(record.withdrawn_at, this.now);
        if (time) return this.refuse(line, what, time);
        if (record.reason.length > MAX_MESSAGE_CHARS) return this.refuse(line, what, `the reason is over ${MAX_MESSAGE_CHARS} characters`);
        this.withdrawn.add(record.result_id);
        return { type: 'withdrawal', resultId: record.result_id, withdrawnAt: record.withdrawn_at, reason: record.reason };
      }
      case 'dispute': {
        const what = `dispute ${record.id}`;
        if (this.refused.has(record.result_id)) return undefined;
        if (!Number.isSafeInteger(record.id) || record.id < 1) return this.refuse(line, what, 'its id is not a positive integer');
        if (!this.results.has(record.result_id)) return this.refuse(line, what, `its result ${record.result_id} is not earlier in the file`);
        const time = timeProblem(record.opened_at, this.now);
        if (time) return this.refuse(line, what, time);
        if (record.messages.length === 0) return this.refuse(line, what, 'a dispute opens with a message');
        for (const m of record.messages) {
          if (!Number.isSafeInteger(m.id) || m.id < 1) return this.refuse(line, what, `message id ${truncated(m.id)} is not a positive integer`);
          const problem = timeProblem(m.posted_at, this.now);
          if (problem) return this.refuse(line, `${what}, message ${m.id}`, problem);
          if (m.body.trim() === '' || m.body.length > MAX_MESSAGE_CHARS) return this.refuse(line, `${what}, message ${m.id}`, `a message is 1 to ${MAX_MESSAGE_CHARS} characters`);
        }
        return {
          type: 'dispute',
          id: record.id,
          resultId: record.result_id,
          openedAt: record.opened_at,
          messages: record.messages.map((m) => ({ id: m.id, postedAt: m.posted_at, body: m.body })),
        };
      }
      case 'contributor_link': {
        const what = `contributor link of ${truncated(record.public_key)} to ${truncated(record.login)}`;
        const { device_code: deviceCode, proof } = record as { device_code?: unknown; proof?: unknown };
        if (typeof deviceCode !== 'string' || typeof proof !== 'string' || deviceCode.length === 0 || deviceCode.length > 200) {
          return this.refuse(line, what, 'no login proof (a link made before proofs were kept: its owner links again with `llm-speed login`)');
        }
        if (!GITHUB_LOGIN.test(record.login)) return this.refuse(line, what, 'not a GitHub login');
        const time = timeProblem(record.linked_at, this.now);
        if (time) return this.refuse(line, what, time);
        if (!verifyLoginProof(record.public_key, deviceCode, proof)) return this.refuse(line, what, 'the login proof is not a valid signature by that key');
        return { type: 'contributor_link', publicKey: record.public_key, login: record.login, linkedAt: record.linked_at, proof: { deviceCode, proof } };
      }
    }
  }

  private async result(line: number, record: Extract<BoardRecord, { type: 'result' }>): Promise<ImportRecord | undefined> {
    const what = `result ${/^r_[A-Za-z0-9_-]{11}$/.test(record.id) ? record.id : truncated(record.id)}`;
    const bytes = Buffer.byteLength(record.json, 'utf8');
    if (bytes > MAX_RESULT_BYTES) return this.refuse(line, what, `its JSON is ${bytes} bytes, over the ${MAX_RESULT_BYTES} a submission may take`);
    // What is served after the move is this text: it must be the text that was stored under this id.
    const hash = createHash('sha256').update(record.json, 'utf8').digest('hex');
    if (hash !== record.content_hash || resultIdFor(hash) !== record.id) {
      return this.refuse(line, what, 'its JSON does not hash to its content hash and id (the file was altered or damaged)');
    }
    let run: RunPayload;
    try {
      if (canonicalize(JSON.parse(record.json)) !== record.json) return this.refuse(line, what, 'its JSON is not in canonical (RFC 8785) form, which is all a server stores');
      run = await verifyAndCheck(record.json);
    } catch (error) {
      if (error instanceof IngestError) return this.refuse(line, what, `${error.message}${error.details?.length ? ` (${error.details.slice(0, 3).join('; ')})` : ''}`);
      return this.refuse(line, what, `its JSON cannot be read: ${(error as Error)?.message ?? String(error)}`);
    }
    const time = timeProblem(record.received_at, this.now);
    if (time) return this.refuse(line, what, `received_at ${time}`);
    const received = Date.parse(record.received_at);
    if (received < Date.parse(run.started_at) - CLOCK_SKEW_MS) return this.refuse(line, what, `received_at ${record.received_at} is before the run started (${run.started_at})`);
    const result: NewResult = toNewResult(run, record.received_at, { anon: record.anon });
    // The file's copy of each derived column must say what the signed JSON says.
    for (const [column, inFile, derived] of [
      ['id', record.id, result.id],
      ['public_key', record.public_key, result.publicKey],
      ['accelerator_summary', record.accelerator_summary, result.acceleratorSummary],
      ['fingerprint_hash', record.fingerprint_hash, result.fingerprintHash],
      ['hardware_slug', record.hardware_slug, result.hardwareSlug],
    ] as const) {
      if (inFile !== derived) return this.refuse(line, what, `${column} ${truncated(inFile)} contradicts the signed JSON (${truncated(derived)})`);
    }
    if (this.results.has(result.id)) return this.refuse(line, what, 'appears twice in the file');
    this.results.add(result.id);
    const owner = this.owners.get(result.payloadHash);
    if (owner) this.copies.set(result.id, { owner, line });
    else this.owners.set(result.payloadHash, result.id);
    return { type: 'result', result };
  }

  /** After the last record: every copy of a measurement must have been withdrawn by the file. */
  finish(): void {
    for (const [id, { owner, line }] of this.copies) {
      if (!this.withdrawn.has(id)) this.refuse(line, `result ${id}`, `a copy of ${owner} (the same measurement, stored earlier): one measurement, one owner`);
    }
  }
}

function refusal(failures: string[]): ImportError {
  const [first, ...rest] = failures;
  const listed = rest.slice(0, LISTED_FAILURES - 1);
  const more = rest.length - listed.length;
  return new ImportError(
    `${first}; nothing was imported` +
      (rest.length > 0 ? `\n${failures.length} records refused in all:\n${[first, ...listed].map((f) => `  ${f}`).join('\n')}${more > 0 ? `\n  … and ${more} more` : ''}` : ''),
  );
}

/** The checked records of a board file; after the last one, an ImportError naming every refused record, if any. */
async function* checkedRecords(input: Readable, options: ImportOptions): AsyncGenerator<ImportRecord> {
  const checker = new RecordChecker((options.now ?? Date.now)());
  for await (const { line, record } of readBoardLines(input)) {
    const checked = await checker.check(line, record);
    // Once one record is refused nothing will be stored: the rest is only checked, for the report.
    if (checked && checker.failures.length === 0) yield checked;
  }
  checker.finish();
  if (checker.failures.length > 0) throw refusal(checker.failures);
}

export function importBoard(repo: ResultsRepository, input: Readable, options: ImportOptions = {}): Promise<ImportCounts> {
  return repo.importRecords(checkedRecords(input, options));
}

export function importBoardFile(repo: ResultsRepository, file: string, options: ImportOptions = {}): Promise<ImportCounts> {
  return importBoard(repo, createReadStream(file), options);
}
