/**
 * GGUF value types, ggml tensor types and llama.cpp file types (LLAMA_FTYPE), as numbered in
 * ggml's gguf.md, ggml.h and llama.h of the llama.cpp version node-llama-cpp 3.22.1 bundles.
 */

export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

export type GgufScalar = number | bigint | boolean | string;

/** One metadata value with its wire type, so it can be written back byte-for-byte. */
export type GgufValue = { type: Exclude<GgufValueType, GgufValueType.ARRAY>; value: GgufScalar } | { type: GgufValueType.ARRAY; itemType: GgufValueType; value: GgufScalar[] | GgufValue[] };

/** ggml tensor types (ggml.h `enum ggml_type`); gaps are types removed from GGUF files. */
export const GGML_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  6: 'Q5_0',
  7: 'Q5_1',
  8: 'Q8_0',
  9: 'Q8_1',
  10: 'Q2_K',
  11: 'Q3_K',
  12: 'Q4_K',
  13: 'Q5_K',
  14: 'Q6_K',
  15: 'Q8_K',
  16: 'IQ2_XXS',
  17: 'IQ2_XS',
  18: 'IQ3_XXS',
  19: 'IQ1_S',
  20: 'IQ4_NL',
  21: 'IQ3_S',
  22: 'IQ2_S',
  23: 'IQ4_XS',
  24: 'I8',
  25: 'I16',
  26: 'I32',
  27: 'I64',
  28: 'F64',
  29: 'IQ1_M',
  30: 'BF16',
  34: 'TQ1_0',
  35: 'TQ2_0',
  39: 'MXFP4',
  40: 'NVFP4',
  41: 'Q1_0',
  42: 'Q2_0',
};

export const GgmlType = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;

/**
 * Bytes of a ggml type: [elements per block, bytes per block], as ggml.c's type_traits give them
 * (blck_size and sizeof the block struct of ggml-common.h, in the llama.cpp this plugin bundles).
 * A tensor of n elements takes n / elements × bytes.
 */
export const GGML_TYPE_LAYOUT: Readonly<Record<number, readonly [number, number]>> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
  39: [32, 17], // MXFP4
  40: [64, 36], // NVFP4
  41: [128, 18], // Q1_0
  42: [64, 18], // Q2_0
};

/** A tensor's data size in bytes from its type, or undefined for a type this table does not know. */
export function tensorTypeBytes(type: number, elements: number): number | undefined {
  const layout = GGML_TYPE_LAYOUT[type];
  return layout ? (elements / layout[0]) * layout[1] : undefined;
}

/** llama.h `enum llama_ftype` → the quant string people use in file names (MOSTLY_ dropped). */
export const LLAMA_FTYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  4: 'Q4_1_SOME_F16',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  33: 'Q4_0_4_4',
  34: 'Q4_0_4_8',
  35: 'Q4_0_8_8',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE',
  39: 'NVFP4',
  40: 'Q1_0',
  41: 'Q2_0',
};

/** Bit 1024 is LLAMA_FTYPE_GUESSED: llama.cpp inferred the type, the file did not say. */
const LLAMA_FTYPE_GUESSED = 1024;

export function quantFromFileType(fileType: number): string | undefined {
  const guessed = fileType >= LLAMA_FTYPE_GUESSED;
  const name = LLAMA_FTYPE_NAMES[guessed ? fileType - LLAMA_FTYPE_GUESSED : fileType];
  return name;
}

/** The file_type value llama.cpp's quantiser writes for each quant we can synthesise. */
export const FILE_TYPE_OF_QUANT = { F16: 1, Q8_0: 7, Q4_0: 2 } as const;

export interface GgufTensorInfo {
  name: string;
  /** ne0 first (the contiguous dimension), as stored. */
  dims: number[];
  type: number;
  /** Byte offset relative to the start of the tensor data section. */
  offset: number;
}

export interface GgufMetadata {
  path: string;
  /** The file's size in bytes. */
  fileSize: number;
  version: number;
  architecture?: string;
  /** general.name */
  name?: string;
  /** general.size_label, e.g. "8B" */
  sizeLabel?: string;
  /** general.file_type (LLAMA_FTYPE) */
  fileType?: number;
  /** Quant string: from general.file_type, else the ggml type holding most weights. */
  quant?: string;
  contextLength?: number;
  vocabSize?: number;
  tensorCount: number;
  parameterCount: number;
  /** Plain values (64-bit integers as numbers when exact, else bigint). */
  kv: Record<string, unknown>;
  /** Values with their wire types, for copying into another GGUF. */
  typedKv: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  /** Absolute file offset where tensor data starts. */
  dataOffset: number;
  alignment: number;
}
