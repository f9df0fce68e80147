export { synthesizeModel, synthTensors, SYNTH_SEED, SYNTH_FORMAT_VERSION, type SynthesizeOptions } from './synthesize.js';
export { ensureSynthModel, synthModelPath, synthIdentifier } from './ensure.js';
export { SHAPES, SYNTH_SIZES, SYNTH_QUANTS, type SynthSize, type SynthQuant, type LlamaShape } from './shapes.js';
export { ensureVocabGguf } from './vocab.js';
export { resolveCacheDir } from './cache-dir.js';
