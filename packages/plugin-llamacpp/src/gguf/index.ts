export * from './types.js';
export { readGguf, readGgufMetadata, ggufError } from './reader.js';
export { layoutGguf, alignUp, type GgufLayout, type GgufTensorSpec } from './writer.js';
export { modelDigest, sha256File, type DigestOptions } from './digest.js';
export { modelIdentity, isSynthetic, sizeLabelFromParameters, SYNTHETIC_KEY } from './identity.js';
export { ggufModelShape, tensorSizes, DEFAULT_KV_ELEMENT_BYTES, type ShapeOutcome } from './shape.js';
