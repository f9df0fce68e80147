/**
 * Moving a board between servers or engines: `llm-speed-server export` writes, `import` reads.
 *
 * The format is NDJSON, one JSON object per line:
 *   line 1   {"format":"llm-speed-board","version":1,"exported_at":…,"source":"sqlite"|"postgres"}
 *   then     {"type":"result",…} in storage order — each with `json`, the exact canonical text that
 *            was signed and is served, and the rest of its stored row —, then "withdrawal",
 *            "dispute" (with its messages, ids kept: they are in URLs) and "contributor_link" lines
 *   last     {"end":true,"counts":{…}}
 * The last line is what tells a complete file from a truncated one: an import without it, or whose
 * counts differ, stores nothing (it runs in one transaction). This module reads and writes the
 * format; board-import.ts checks each record the way ingest checks a POST. Derived tables are not
 * exported; the importing server recomputes them under its own rule.
 *
 * Version 2 adds each contributor link's login proof (`device_code`, `proof`); version 1 files are
 * still read, but their links carry no proof and are refused.
 */
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { BoardRecord, ResultsRepository } from './repository.js';
import { ImportError } from './sql-repository.js';

export { ImportError };

export const BOARD_FORMAT = 'llm-speed-board';
export const BOARD_FORMAT_VERSION = 2;
/** Versions this server reads. */
const READABLE_VERSIONS: readonly unknown[] = [1, 2];

type RecordCounts = Record<BoardRecord['type'], number>;
const RECORD_TYPES: ReadonlyArray<BoardRecord['type']> = ['result', 'withdrawal', 'dispute', 'contributor_link'];

function emptyCounts(): RecordCounts {
  return { result: 0, withdrawal: 0, dispute: 0, contributor_link: 0 };
}

async function writeLine(out: Writable, value: unknown): Promise<void> {
  if (!out.write(JSON.stringify(value) + '\n')) await once(out, 'drain');
}

/** Writes the whole board to `out` (which the caller ends); returns how many records of each type. */
export async function exportBoard(repo: ResultsRepository, out: Writable, exportedAt = new Date().toISOString()): Promise<RecordCounts> {
  const counts = emptyCounts();
  await writeLine(out, { format: BOARD_FORMAT, version: BOARD_FORMAT_VERSION, exported_at: exportedAt, source: repo.dialect });
  for await (const record of repo.exportRecords()) {
    counts[record.type] += 1;
    await writeLine(out, record);
  }
  await writeLine(out, { end: true, counts });
  return counts;
}

function parseLine(line: string, number: number): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ImportError(`line ${number} is not a JSON object: not an llm-speed board file, or a damaged one`);
}

const REQUIRED: Record<BoardRecord['type'], Record<string, 'string' | 'number' | 'boolean' | 'string|null' | 'array'>> = {
  result: {
    id: 'string',
    content_hash: 'string',
    json: 'string',
    public_key: 'string',
    received_at: 'string',
    accelerator_summary: 'string',
    fingerprint_hash: 'string|null',
    hardware_slug: 'string',
    anon: 'boolean',
  },
  withdrawal: { result_id: 'string', withdrawn_at: 'string', reason: 'string' },
  dispute: { id: 'number', result_id: 'string', opened_at: 'string', messages: 'array' },
  contributor_link: { public_key: 'string', login: 'string', linked_at: 'string' },
};

function checkRecord(value: Record<string, unknown>, number: number): BoardRecord {
  const type = value.type as BoardRecord['type'];
  const fields = REQUIRED[type];
  if (!fields) throw new ImportError(`line ${number}: unknown record type ${JSON.stringify(value.type)}`);
  for (const [field, kind] of Object.entries(fields)) {
    const v = value[field];
    const ok = kind === 'array' ? Array.isArray(v) : kind === 'string|null' ? v === null || typeof v === 'string' : typeof v === kind;
    if (!ok) throw new ImportError(`line ${number}: ${type}.${field} must be ${kind}`);
  }
  if (type === 'dispute') {
    for (const m of value.messages as unknown[]) {
      const message = m as Record<string, unknown>;
      if (typeof message?.id !== 'number' || typeof message.posted_at !== 'string' || typeof message.body !== 'string') {
        throw new ImportError(`line ${number}: every dispute message needs id (number), posted_at and body (strings)`);
      }
    }
  }
  return value as unknown as BoardRecord;
}

/** The records of a board file, checked line by line; throws ImportError on anything amiss, including a missing last line. */
export async function* readBoard(input: Readable): AsyncGenerator<BoardRecord> {
  for await (const { record } of readBoardLines(input)) yield record;
}

/** readBoard, with the line each record came from (for the import's report). */
export async function* readBoardLines(input: Readable): AsyncGenerator<{ line: number; record: BoardRecord }> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  let ended = false;
  const counts = emptyCounts();
  for await (const line of lines) {
    number += 1;
    if (line.trim() === '') continue;
    if (ended) throw new ImportError(`line ${number}: data after the end line`);
    const value = parseLine(line, number);
    if (number === 1) {
      if (value.format !== BOARD_FORMAT) throw new ImportError(`not an llm-speed board file (line 1 has no "format": "${BOARD_FORMAT}")`);
      if (!READABLE_VERSIONS.includes(value.version)) throw new ImportError(`board file version ${String(value.version)}; this server reads versions ${READABLE_VERSIONS.join(' and ')}: upgrade it`);
      continue;
    }
    if (value.end === true) {
      const declared = value.counts as Partial<RecordCounts> | undefined;
      for (const type of RECORD_TYPES) {
        if (declared?.[type] !== counts[type]) throw new ImportError(`the end line declares ${String(declared?.[type])} ${type} records, the file holds ${counts[type]}: damaged file`);
      }
      ended = true;
      continue;
    }
    const record = checkRecord(value, number);
    counts[record.type] += 1;
    yield { line: number, record };
  }
  if (number === 0) throw new ImportError('the board file is empty');
  if (!ended) throw new ImportError(`the board file ends at line ${number} without its end line: it was truncated (nothing was imported)`);
}
