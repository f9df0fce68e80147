import { open, type FileHandle } from 'node:fs/promises';
import { LlmSpeedError } from '@llm-speed/framework';
import { GGML_TYPE_NAMES, GgufValueType, quantFromFileType, tensorTypeBytes, type GgufMetadata, type GgufScalar, type GgufTensorInfo, type GgufValue } from './types.js';

const MAGIC = 'GGUF';
const DEFAULT_ALIGNMENT = 32;
const CHUNK = 1 << 20;

const SCALAR_SIZE: Partial<Record<GgufValueType, number>> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};

export function ggufError(path: string, problem: string, cause?: unknown): LlmSpeedError {
  return new LlmSpeedError('gguf', `${path}: ${problem}`, {
    suggestions: ['Check that the file is a complete GGUF model (re-download or regenerate it; compare its sha256sum with the source).'],
    cause,
  });
}

/**
 * Sequential reader over the start of a file: it pulls 1 MiB windows on demand, so only the header
 * and metadata are read, never the weights. Every read past the end fails as "truncated".
 */
class HeaderCursor {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;
  constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly fileSize: number,
  ) {}

  get remaining(): number {
    return this.fileSize - this.pos;
  }

  private async need(n: number, what: string): Promise<Buffer> {
    if (this.pos + n > this.fileSize) {
      throw ggufError(this.path, `file is truncated: ${what} at byte ${this.pos} needs ${n} bytes but the file has ${this.fileSize} bytes`);
    }
    const endInBuf = this.pos + n - this.bufStart;
    if (this.pos < this.bufStart || endInBuf > this.buf.length) {
      const size = Math.min(Math.max(n, CHUNK), this.fileSize - this.pos);
      const fresh = Buffer.alloc(size);
      const { bytesRead } = await this.fh.read(fresh, 0, size, this.pos);
      if (bytesRead < n) throw ggufError(this.path, `file is truncated: ${what} at byte ${this.pos} could not be read`);
      this.buf = fresh.subarray(0, bytesRead);
      this.bufStart = this.pos;
    }
    const at = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }

  async scalarBytes(n: number): Promise<Buffer> {
    return this.need(n, 'magic');
  }

  async u32(what: string): Promise<number> {
    return (await this.need(4, what)).readUInt32LE(0);
  }

  async u64(what: string): Promise<number> {
    const v = (await this.need(8, what)).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw ggufError(this.path, `corrupt GGUF: ${what} is ${v}, which no real file has`);
    return Number(v);
  }

  async string(what: string): Promise<string> {
    const length = await this.u64(`${what} length`);
    if (length > this.remaining) {
      throw ggufError(this.path, `file is truncated or corrupt: ${what} claims ${length} bytes but only ${this.remaining} remain`);
    }
    return (await this.need(length, what)).toString('utf8');
  }

  async scalar(type: GgufValueType, what: string): Promise<GgufScalar> {
    switch (type) {
      case GgufValueType.UINT8:
        return (await this.need(1, what)).readUInt8(0);
      case GgufValueType.INT8:
        return (await this.need(1, what)).readInt8(0);
      case GgufValueType.UINT16:
        return (await this.need(2, what)).readUInt16LE(0);
      case GgufValueType.INT16:
        return (await this.need(2, what)).readInt16LE(0);
      case GgufValueType.UINT32:
        return (await this.need(4, what)).readUInt32LE(0);
      case GgufValueType.INT32:
        return (await this.need(4, what)).readInt32LE(0);
      case GgufValueType.FLOAT32:
        return (await this.need(4, what)).readFloatLE(0);
      case GgufValueType.FLOAT64:
        return (await this.need(8, what)).readDoubleLE(0);
      case GgufValueType.BOOL:
        return (await this.need(1, what)).readUInt8(0) !== 0;
      case GgufValueType.UINT64:
        return (await this.need(8, what)).readBigUInt64LE(0);
      case GgufValueType.INT64:
        return (await this.need(8, what)).readBigInt64LE(0);
      case GgufValueType.STRING:
        return this.string(what);
      default:
        throw ggufError(this.path, `corrupt GGUF: ${what} has unknown value type ${type}`);
    }
  }

  async value(type: GgufValueType, what: string): Promise<GgufValue> {
    if (type !== GgufValueType.ARRAY) {
      return { type, value: await this.scalar(type, what) } as GgufValue;
    }
    const itemType = (await this.u32(`${what} item type`)) as GgufValueType;
    const count = await this.u64(`${what} item count`);
    // Every item takes at least one byte (strings at least 8): a count beyond that is corruption, not a reason to allocate.
    const minItem = itemType === GgufValueType.STRING || itemType === GgufValueType.ARRAY ? 8 : SCALAR_SIZE[itemType];
    if (minItem === undefined) throw ggufError(this.path, `corrupt GGUF: ${what} has unknown item type ${itemType}`);
    if (count * minItem > this.remaining) {
      throw ggufError(this.path, `file is truncated or corrupt: ${what} claims ${count} items but only ${this.remaining} bytes remain`);
    }
    if (itemType === GgufValueType.ARRAY) {
      const items: GgufValue[] = [];
      for (let i = 0; i < count; i++) items.push(await this.value(GgufValueType.ARRAY, what));
      return { type, itemType, value: items };
    }
    const items = new Array<GgufScalar>(count);
    for (let i = 0; i < count; i++) items[i] = await this.scalar(itemType, what);
    return { type, itemType, value: items };
  }
}

function plain(value: GgufValue): unknown {
  if (value.type === GgufValueType.ARRAY) return (value.value as unknown[]).map((v) => (typeof v === 'object' && v !== null ? plain(v as GgufValue) : toNumber(v as GgufScalar)));
  return toNumber(value.value);
}

function toNumber(v: GgufScalar): GgufScalar {
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(v);
  return v;
}

/** Reads the header, every metadata entry and the tensor directory of a GGUF file (version 2 or 3). */
export async function readGguf(path: string): Promise<GgufMetadata> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw ggufError(path, code === 'ENOENT' ? 'file not found' : `cannot open the file (${code ?? String(error)})`, error);
  }
  try {
    const { size, isFile } = await fh.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) throw ggufError(path, 'not a regular file');
    const cur = new HeaderCursor(fh, path, size);
    if (size < 4) throw ggufError(path, `not a GGUF file: it has only ${size} bytes`);
    const magic = (await cur.scalarBytes(4)).toString('latin1');
    if (magic !== MAGIC) {
      throw ggufError(path, `not a GGUF file: it starts with ${JSON.stringify(magic)} instead of "GGUF"`);
    }
    const version = await cur.u32('version');
    if (version !== 2 && version !== 3) {
      throw ggufError(path, `unsupported GGUF version ${version} (llm-speed reads versions 2 and 3)`);
    }
    const tensorCount = await cur.u64('tensor count');
    const kvCount = await cur.u64('metadata entry count');
    if (kvCount * 13 > cur.remaining || tensorCount * 24 > cur.remaining) {
      throw ggufError(path, `file is truncated or corrupt: it claims ${kvCount} metadata entries and ${tensorCount} tensors but has only ${size} bytes`);
    }
    const typedKv = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = await cur.string(`metadata key #${i}`);
      const type = (await cur.u32(`type of ${key}`)) as GgufValueType;
      typedKv.set(key, await cur.value(type, key));
    }
    const kv: Record<string, unknown> = {};
    for (const [key, value] of typedKv) kv[key] = plain(value);

    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await cur.string(`tensor #${i} name`);
      const nDims = await cur.u32(`dimension count of ${name}`);
      if (nDims > 8) throw ggufError(path, `corrupt GGUF: tensor ${name} claims ${nDims} dimensions`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(await cur.u64(`dimension ${d} of ${name}`));
      const type = await cur.u32(`type of ${name}`);
      const offset = await cur.u64(`offset of ${name}`);
      tensors.push({ name, dims, type, offset });
    }
    const alignment = typeof kv['general.alignment'] === 'number' ? (kv['general.alignment'] as number) : DEFAULT_ALIGNMENT;
    const dataOffset = Math.ceil(cur.pos / alignment) * alignment;
    checkTensorsFit(path, tensors, dataOffset, size);

    const architecture = str(kv['general.architecture']);
    const fileType = num(kv['general.file_type']);
    const tokens = kv['tokenizer.ggml.tokens'];
    return {
      path,
      fileSize: size,
      version,
      architecture,
      name: str(kv['general.name']),
      sizeLabel: str(kv['general.size_label']),
      fileType,
      quant: (fileType === undefined ? undefined : quantFromFileType(fileType)) ?? dominantTensorType(tensors),
      contextLength: architecture ? num(kv[`${architecture}.context_length`]) : undefined,
      vocabSize: (architecture ? num(kv[`${architecture}.vocab_size`]) : undefined) ?? (Array.isArray(tokens) ? tokens.length : undefined),
      tensorCount,
      parameterCount: tensors.reduce((sum, t) => sum + t.dims.reduce((p, d) => p * d, 1), 0),
      kv,
      typedKv,
      tensors,
      dataOffset,
      alignment,
    };
  } finally {
    await fh.close();
  }
}

/** Metadata of a GGUF model: what llm-speed reports about it, read without touching the weights. */
export async function readGgufMetadata(path: string): Promise<GgufMetadata> {
  return readGguf(path);
}

/** A file cut short inside the weights still has a complete header; the tensor directory tells. */
function checkTensorsFit(path: string, tensors: GgufTensorInfo[], dataOffset: number, size: number): void {
  for (const t of tensors) {
    const bytes = tensorTypeBytes(
      t.type,
      t.dims.reduce((p, d) => p * d, 1),
    );
    if (bytes === undefined) continue;
    const end = dataOffset + t.offset + bytes;
    if (end > size) {
      throw ggufError(path, `file is truncated: tensor ${t.name} ends at byte ${end} but the file has ${size} bytes`);
    }
  }
}

function dominantTensorType(tensors: GgufTensorInfo[]): string | undefined {
  const byType = new Map<number, number>();
  for (const t of tensors) byType.set(t.type, (byType.get(t.type) ?? 0) + t.dims.reduce((p, d) => p * d, 1));
  let best: number | undefined;
  for (const [type, count] of byType) if (best === undefined || count > byType.get(best)!) best = type;
  return best === undefined ? undefined : GGML_TYPE_NAMES[best];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
