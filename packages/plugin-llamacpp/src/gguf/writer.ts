import { GgufValueType, type GgufScalar, type GgufValue } from './types.js';

export interface GgufTensorSpec {
  name: string;
  /** ne0 first, as GGUF stores them. */
  dims: number[];
  type: number;
  /** Size of the tensor's data in bytes. */
  byteSize: number;
}

export interface GgufLayout {
  header: Buffer;
  /** Offset of each tensor relative to the data section, in the order given. */
  offsets: number[];
  alignment: number;
  /** header.length is already padded to the alignment, so data starts right after it. */
  totalSize: number;
}

/** Growable little-endian byte builder for the GGUF header. */
class ByteBuilder {
  private parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
  }
  u64(v: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  scalar(type: GgufValueType, v: GgufScalar): void {
    const b = Buffer.alloc(8);
    switch (type) {
      case GgufValueType.UINT8:
        b.writeUInt8(Number(v));
        return this.push(b.subarray(0, 1));
      case GgufValueType.INT8:
        b.writeInt8(Number(v));
        return this.push(b.subarray(0, 1));
      case GgufValueType.BOOL:
        b.writeUInt8(v ? 1 : 0);
        return this.push(b.subarray(0, 1));
      case GgufValueType.UINT16:
        b.writeUInt16LE(Number(v));
        return this.push(b.subarray(0, 2));
      case GgufValueType.INT16:
        b.writeInt16LE(Number(v));
        return this.push(b.subarray(0, 2));
      case GgufValueType.UINT32:
        b.writeUInt32LE(Number(v));
        return this.push(b.subarray(0, 4));
      case GgufValueType.INT32:
        b.writeInt32LE(Number(v));
        return this.push(b.subarray(0, 4));
      case GgufValueType.FLOAT32:
        b.writeFloatLE(Number(v));
        return this.push(b.subarray(0, 4));
      case GgufValueType.FLOAT64:
        b.writeDoubleLE(Number(v));
        return this.push(b);
      case GgufValueType.UINT64:
        b.writeBigUInt64LE(BigInt(v));
        return this.push(b);
      case GgufValueType.INT64:
        b.writeBigInt64LE(BigInt(v));
        return this.push(b);
      case GgufValueType.STRING:
        return this.string(String(v));
      default:
        throw new Error(`GGUF writer: unsupported scalar type ${type}`);
    }
  }
  value(v: GgufValue): void {
    if (v.type !== GgufValueType.ARRAY) return this.scalar(v.type, v.value);
    this.u32(v.itemType);
    this.u64(v.value.length);
    for (const item of v.value) {
      if (v.itemType === GgufValueType.ARRAY) this.value(item as GgufValue);
      else this.scalar(v.itemType, item as GgufScalar);
    }
  }
  concat(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

/**
 * Encodes a GGUF v3 header (metadata in the order given, then the tensor directory) padded to the
 * alignment, and the data offset of every tensor. The caller streams tensor data after it, padding
 * each tensor to the alignment.
 */
export function layoutGguf(kv: ReadonlyArray<readonly [string, GgufValue]>, tensors: GgufTensorSpec[], alignment = 32): GgufLayout {
  const b = new ByteBuilder();
  b.push(Buffer.from('GGUF', 'latin1'));
  b.u32(3);
  b.u64(tensors.length);
  b.u64(kv.length);
  for (const [key, value] of kv) {
    b.string(key);
    b.u32(value.type);
    b.value(value);
  }
  const offsets: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    offsets.push(offset);
    b.string(t.name);
    b.u32(t.dims.length);
    for (const d of t.dims) b.u64(d);
    b.u32(t.type);
    b.u64(offset);
    offset = alignUp(offset + t.byteSize, alignment);
  }
  const headerLength = alignUp(b.length, alignment);
  b.push(Buffer.alloc(headerLength - b.length));
  return { header: b.concat(), offsets, alignment, totalSize: headerLength + offset };
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

export const kvU32 = (value: number): GgufValue => ({ type: GgufValueType.UINT32, value });
export const kvF32 = (value: number): GgufValue => ({ type: GgufValueType.FLOAT32, value });
export const kvStr = (value: string): GgufValue => ({ type: GgufValueType.STRING, value });
export const kvBool = (value: boolean): GgufValue => ({ type: GgufValueType.BOOL, value });
