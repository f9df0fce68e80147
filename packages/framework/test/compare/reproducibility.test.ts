/**
 * What a result can be reproduced from (METHODOLOGY §7.2): a llama.cpp result names the weights
 * file by its SHA-256 and the engine by its release; an openai-compat result against a server that
 * says nothing carries no digest, no quant, version and build unknown — and the sentence says so.
 */
import assert from 'node:assert/strict';
import { reproducibility } from '../../src/compare/reproducibility.js';

const FILE_SHA = 'ab'.repeat(32);

describe('reproducibility: what a result can be reproduced from, in words', () => {
  it('llama.cpp with a weights digest and a release: pinned', () => {
    const r = reproducibility({
      backend: 'llama.cpp',
      backend_version: '0.5.0 (de3ff81)',
      backend_build: { kind: 'cpu' },
      model: { identifier: 'synth.gguf', name: 'synth', quant: 'Q8_0', digest: FILE_SHA },
    });
    assert.equal(r.level, 'pinned');
    assert.deepEqual(r.missing, []);
    assert.equal(r.sentence, 'Reproducible from this result: the weights file by its SHA-256 (abababababab…) and llama.cpp 0.5.0 (de3ff81), cpu build.');
  });

  it('openai-compat against a server that says nothing: named only, and every gap said', () => {
    const r = reproducibility({ backend: 'openai-compat', backend_version: 'unknown', backend_build: { kind: 'unknown' }, model: { identifier: 'local-model', name: 'local-model' } });
    assert.equal(r.level, 'named');
    assert.deepEqual(r.missing, [
      "the weights are the server's: no digest of the file",
      'the quantization is not reported',
      "the server's version is unknown",
      'what it ran on (CPU or GPU build) is unknown',
    ]);
    assert.match(r.sentence, /^Can be re-run against openai-compat serving "local-model", but not proved the same setup: the weights are the server's/);
  });

  it('openai-compat against llama-server: the version is read, the weights still are not', () => {
    const r = reproducibility({ backend: 'openai-compat', backend_version: 'b7410 (de3ff81)', backend_build: { kind: 'unknown' }, model: { identifier: 'm', name: 'm', quant: 'Q4_K_M' } });
    assert.equal(r.level, 'named');
    assert.deepEqual(r.missing, ["the weights are the server's: no digest of the file", 'what it ran on (CPU or GPU build) is unknown']);
    assert.match(r.sentence, /^Can be re-run against openai-compat b7410 \(de3ff81\) serving "m"/);
  });

  it("Ollama's manifest digest is not a weights file's SHA-256", () => {
    const r = reproducibility({
      backend: 'ollama',
      backend_version: '0.12.3',
      backend_build: { kind: 'cpu' },
      model: { identifier: 'qwen2.5:7b', name: 'qwen2.5', quant: 'Q4_K_M', digest: `sha256:${FILE_SHA}` },
    });
    assert.equal(r.level, 'named');
    assert.deepEqual(r.missing, ["the model's digest (sha256:abababababab…) is the server's own, not the weights file's SHA-256"]);
  });
});
